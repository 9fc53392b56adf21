"""Bad inputs: each gets a clear error naming the problem, and leaves the signal unchanged.

"Unchanged" is checked the way a user would notice a change: ``signal.receivers``
(Django's 4-tuples) and the result of a send are the same before and after.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from typing import Any, TypedDict

import pytest
import typing_extensions as te
from hypothesis import given, settings
from hypothesis import strategies as st

from typedsignals import PayloadError, ReceiverError, Signal, SignalTypeError, receiver

pytestmark = pytest.mark.timeout(30)


class Store:
    pass


class Order(TypedDict):
    size: int
    topping: str


class OrderTE(te.TypedDict):
    """The same payload as typing_extensions spells it (pydantic's own preference)."""

    size: int
    topping: str


def _first(sender: Any, **kwargs: Any) -> str:
    return "first"


def _second(sender: Any, **kwargs: Any) -> str:
    return "second"


def _populated(signal: Signal[Any, Any] | None = None) -> Signal[Any, Any]:
    """A signal with a weak and a strong receiver, so that any change shows."""
    sig = signal if signal is not None else Signal(name="bad_input")
    sig.connect(_first)
    sig.connect(_second, weak=False, dispatch_uid="second")
    return sig


def _state(sig: Signal[Any, Any], **payload: Any) -> tuple[list[Any], list[Any]]:
    """What a user can observe: the receivers list, and a send's responses."""
    triples = [
        (key, ref() if _is_weak(ref) else ref, is_async) for key, ref, _, is_async in sig.receivers
    ]
    responses = [(r.__name__, resp) for r, resp in sig.send(sender=None, **payload)]
    return triples, responses


def _is_weak(ref: object) -> bool:
    import weakref

    return isinstance(ref, weakref.ReferenceType)


# -- a table of refused connects --------------------------------------------------------


def _no_kwargs(sender: Any) -> None:  # pragma: no cover - never called
    pass


def _positional_only(x: int, /, **kwargs: Any) -> None:  # pragma: no cover
    pass


class _Slotted:
    """A callable that cannot be weakly referenced: __slots__ without __weakref__."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **kwargs: Any) -> str:
        self.calls += 1
        return "slotted"

    def method(self, **kwargs: Any) -> str:
        return "slotted-method"


_SLOTTED = _Slotted()


class _OpaqueCallable:
    """Called through a builtin without a signature on every Python (3.13 gave
    operator.methodcaller one), so the validator lets it through as Django
    does; it has no __weakref__ slot, so it cannot be weakly referenced."""

    __slots__ = ()
    __call__ = max  # a builtin is no descriptor: calling the object calls max()


_BUILTIN = _OpaqueCallable()

# (id, connect arguments, exception type, substrings the message must contain)
BAD_CONNECTS: list[tuple[str, dict[str, Any], type[BaseException], tuple[str, ...]]] = [
    ("not-callable-int", {"receiver": 42}, TypeError, ("must be callable", "42", "int")),
    ("not-callable-str", {"receiver": "handler"}, TypeError, ("must be callable", "'handler'")),
    ("not-callable-none", {"receiver": None}, TypeError, ("must be callable", "None")),
    (
        "no-kwargs",
        {"receiver": _no_kwargs},
        ReceiverError,
        ("**kwargs", "receiver-kwargs", "_no_kwargs"),
    ),
    (
        "no-kwargs-unchecked-callable-still-required",
        {"receiver": 3.5, "check": False},
        TypeError,
        ("must be callable",),
    ),
    (
        "positional-only",
        {"receiver": _positional_only},
        ReceiverError,
        ("receiver-positional-only", "'x'"),
    ),
    (
        "unhashable-uid-list",
        {"receiver": _first, "dispatch_uid": ["a"]},
        TypeError,
        ("dispatch_uid must be hashable", "list"),
    ),
    (
        "unhashable-uid-dict",
        {"receiver": _first, "dispatch_uid": {"a": 1}},
        TypeError,
        ("dispatch_uid must be hashable", "dict"),
    ),
    (
        "weak-slots-instance",
        {"receiver": _SLOTTED},
        TypeError,
        ("weak=True", "cannot be weakly referenced", "weak=False", "_Slotted"),
    ),
    (
        "weak-slots-bound-method",
        {"receiver": _SLOTTED.method},
        TypeError,
        ("weak=True", "cannot be weakly referenced", "weak=False"),
    ),
    (
        "weak-builtin-without-signature",
        {"receiver": _BUILTIN},
        TypeError,
        ("weak=True", "cannot be weakly referenced", "weak=False", "_OpaqueCallable"),
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "exc_type", "fragments"),
    [pytest.param(k, e, f, id=i) for i, k, e, f in BAD_CONNECTS],
)
def test_bad_connect_is_refused_and_signal_unchanged(
    kwargs: dict[str, Any], exc_type: type[BaseException], fragments: tuple[str, ...]
) -> None:
    sig = _populated()
    before = _state(sig)
    with pytest.raises(exc_type) as info:
        sig.connect(**kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    # Every message names the signal it was refused by.
    assert "bad_input" in message, message
    assert _state(sig) == before


@pytest.mark.parametrize(
    "kwargs",
    [pytest.param(k, id=i) for i, k, e, _ in BAD_CONNECTS if e is not TypeError or "uid" not in i],
)
def test_bad_receiver_decorator_is_refused_and_signals_unchanged(kwargs: dict[str, Any]) -> None:
    """@receiver([a, b]) refuses as connect does, and connects to neither signal."""
    a, b = _populated(Signal(name="bad_input_a")), _populated(Signal(name="bad_input_b"))
    before = (_state(a), _state(b))
    target = kwargs.pop("receiver")
    with pytest.raises((TypeError, ValueError)):
        receiver([a, b], **kwargs)(target)
    assert (_state(a), _state(b)) == before


def test_receiver_error_is_a_value_error_listing_every_violation() -> None:
    def two_problems(x: int, /, sender: Any) -> None:  # pragma: no cover
        pass

    sig = _populated()
    with pytest.raises(ValueError) as info:  # Django raises ValueError too
        sig.connect(two_problems)  # type: ignore[signal-receiver]
    err = info.value
    assert isinstance(err, ReceiverError)
    assert {v.rule.id for v in err.violations} == {"receiver-kwargs", "receiver-positional-only"}
    assert err.receiver is two_problems and err.signal is sig
    assert "two_problems" in str(err)


def test_typed_sender_mismatch_is_refused() -> None:
    sig = _populated(Signal[Store, Order](name="bad_input"))

    def wants_int(sender: int, **kwargs: Any) -> None:  # pragma: no cover
        pass

    before = _state(sig, size=1, topping="x")
    with pytest.raises(ReceiverError, match="receiver-sender-type"):
        sig.connect(wants_int)
    assert _state(sig, size=1, topping="x") == before


@pytest.mark.parametrize(
    "receiver_factory",
    [
        pytest.param(_Slotted, id="slots-instance"),
        pytest.param(lambda: _Slotted().method, id="slots-bound-method"),
        pytest.param(_OpaqueCallable, id="builtin-without-signature"),
    ],
)
def test_unweakrefable_receiver_connects_with_weak_false(
    receiver_factory: Callable[[], Callable[..., Any]],
) -> None:
    """The suggestion in the error works: weak=False connects the same object."""
    sig = Signal(name="bad_input")
    target = receiver_factory()
    with pytest.raises(TypeError, match="weak=False"):
        sig.connect(target)
    assert sig.receivers == []
    sig.connect(target, weak=False)
    assert len(sig.receivers) == 1
    del target
    gc.collect()
    assert len(sig.receivers) == 1  # held strongly


# -- receiver() given something that is not a signal ----------------------------------------


@pytest.mark.parametrize(
    "not_a_signal",
    [
        pytest.param("post_save", id="str"),
        pytest.param(None, id="none"),
        pytest.param(Signal, id="the-class"),
        pytest.param(_first, id="a-function"),
    ],
)
def test_receiver_decorator_refuses_non_signal(not_a_signal: Any) -> None:
    with pytest.raises(TypeError, match="receiver\\(\\) takes a Signal"):
        receiver(not_a_signal)


def test_receiver_decorator_refuses_list_with_non_signal_before_connecting() -> None:
    sig = _populated()
    before = _state(sig)
    with pytest.raises(TypeError, match="receiver\\(\\) takes a Signal") as info:
        receiver([sig, object()])  # type: ignore[list-item]
    assert "object" in str(info.value)

    # The decorator never got as far as connecting anything.
    assert _state(sig) == before


# -- sends without a sender ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_without_sender_names_the_missing_argument(method: str) -> None:
    sig = _populated()
    before = _state(sig)
    with pytest.raises(TypeError, match="sender"):
        getattr(sig, method)()
    with pytest.raises(TypeError, match="sender"):
        getattr(sig, method)(size=1)
    assert _state(sig) == before


@pytest.mark.parametrize("method", ["asend", "asend_robust"])
def test_asend_without_sender_names_the_missing_argument(method: str) -> None:
    sig = _populated()
    before = _state(sig)
    with pytest.raises(TypeError, match="sender"):
        asyncio.run(getattr(sig, method)())
    assert _state(sig) == before


# -- invalid payloads with validate=True -----------------------------------------------------

BAD_PAYLOADS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("missing-key", {"size": 1}, ("'topping'", "missing")),
    ("unknown-key", {"size": 1, "topping": "x", "extra": 2}, ("'extra'", "unknown key")),
    ("wrong-type", {"size": "large", "topping": "x"}, ("'size'", "'large'")),
    ("strict-no-coercion", {"size": 1.0, "topping": "x"}, ("'size'",)),
    ("several", {"topping": 3}, ("'size'", "'topping'")),
]


@pytest.mark.parametrize(
    ("payload", "fragments"), [pytest.param(p, f, id=i) for i, p, f in BAD_PAYLOADS]
)
@pytest.mark.parametrize("method", ["send", "send_robust", "asend", "asend_robust"])
@pytest.mark.parametrize("payload_type", [Order, OrderTE], ids=["typing", "typing_extensions"])
def test_invalid_payload_raises_payload_error_before_any_receiver(
    payload_type: Any, method: str, payload: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    """typing.TypedDict, which pydantic refuses before Python 3.12, is checked too."""
    pytest.importorskip("pydantic")
    sig = Signal[Store, payload_type](name="orders", validate=True)
    calls: list[dict[str, Any]] = []

    def record(sender: Store, signal: Any, **kwargs: Any) -> None:
        calls.append(kwargs)

    sig.connect(record)
    before = sig.receivers
    store = Store()
    call = getattr(sig, method)
    with pytest.raises(PayloadError) as info:
        if method.startswith("a"):
            asyncio.run(call(store, **payload))
        else:
            call(store, **payload)
    err = info.value
    assert isinstance(err, TypeError)
    assert err.signal is sig and err.problems
    message = str(err)
    assert "Invalid payload for signal 'orders'" in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert calls == []  # refused before any receiver ran
    assert sig.receivers == before
    # The signal still works with a valid payload.
    assert len(sig.send(store, size=1, topping="x")) == 1
    assert calls == [{"size": 1, "topping": "x"}]


# -- payload types that are not TypedDicts ---------------------------------------------------


class _Plain:
    size: int


class _WithSender(TypedDict):
    sender: str


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        pytest.param(int, "TypedDict", id="int"),
        pytest.param(dict, "TypedDict", id="dict"),
        pytest.param(dict[str, int], "TypedDict", id="dict-str-int"),
        pytest.param(_Plain, "TypedDict", id="plain-class"),
        pytest.param(_WithSender, "'sender'", id="reserved-key"),
    ],
)
def test_payload_type_that_is_not_a_typeddict(payload: Any, fragment: str) -> None:
    with pytest.raises(SignalTypeError) as info:
        Signal[Store, payload]
    assert fragment in str(info.value) or "sender" in str(info.value)
    assert isinstance(info.value, TypeError)

    with pytest.raises(SignalTypeError):

        class _Sub(Signal[Store, payload]):
            pass


def test_validate_without_known_payload_type_is_a_signal_type_error() -> None:
    sig = Signal(name="untyped", validate=True)
    with pytest.raises(SignalTypeError, match="validate=True"):
        sig.send(None)


# -- disconnecting what was never connected --------------------------------------------------


def _never(**kwargs: Any) -> None:  # pragma: no cover
    pass


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"receiver": _never}, id="unknown-receiver"),
        pytest.param({"receiver": _first, "sender": Store}, id="wrong-sender"),
        pytest.param({"receiver": _second}, id="connected-with-uid-not-by-identity"),
        pytest.param({"dispatch_uid": "nope"}, id="unknown-uid"),
        pytest.param({"dispatch_uid": "second", "sender": Store}, id="uid-wrong-sender"),
        pytest.param({"dispatch_uid": ["unhashable"]}, id="unhashable-uid"),
        pytest.param({}, id="nothing"),
    ],
)
def test_disconnect_of_unknown_returns_false_and_changes_nothing(kwargs: dict[str, Any]) -> None:
    sig = _populated()
    before = _state(sig)
    assert sig.disconnect(**kwargs) is False
    assert _state(sig) == before


def test_second_disconnect_returns_false() -> None:
    sig = _populated()
    assert sig.disconnect(_first) is True
    assert sig.disconnect(_first) is False
    assert sig.disconnect(dispatch_uid="second") is True
    assert sig.disconnect(dispatch_uid="second") is False
    assert sig.receivers == []


# -- hostile receivers: dunders that raise ------------------------------------------------------


class _Hostile(Exception):
    """What a hostile dunder raises (not a TypeError or ValueError, which inspect expects)."""


def _raise(*args: Any, **kwargs: Any) -> Any:
    raise _Hostile("hostile")


_HOSTILE_DUNDERS: dict[str, Any] = {
    "__eq__": _raise,
    "__hash__": _raise,
    "__getattr__": _raise,
    "__repr__": _raise,
    "__signature__": property(_raise),
    "__wrapped__": property(_raise),
    "__bool__": _raise,
    "__get__": _raise,
}


def _hostile_receiver(dunders: frozenset[str], takes_kwargs: bool) -> Any:
    """An instance of a class whose ``dunders`` raise, called with (sender, **kwargs) or not."""
    if takes_kwargs:

        def call(self: Any, sender: Any, **kwargs: Any) -> str:
            return "called"

    else:

        def call(self: Any, sender: Any) -> str:
            return "called"

    namespace: dict[str, Any] = {name: _HOSTILE_DUNDERS[name] for name in dunders}
    namespace["__call__"] = call
    return type("HostileReceiver", (), namespace)()


@given(
    dunders=st.frozensets(st.sampled_from(sorted(_HOSTILE_DUNDERS)), min_size=1),
    takes_kwargs=st.booleans(),
    typed=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_a_hostile_receiver_is_accepted_or_refused_by_name_never_raw(
    dunders: frozenset[str], takes_kwargs: bool, typed: bool
) -> None:
    """A receiver whose dunders raise is connected (and called), or refused with a
    ReceiverError or TypeError naming it; never the raw error from inside inspect."""
    sig: Signal[Any, Any] = Signal[Store, Order](name="bad_input") if typed else Signal()
    sig.name = "bad_input"
    _populated(sig)
    before = _state(sig, size=1, topping="x")
    hostile = _hostile_receiver(dunders, takes_kwargs)
    try:
        sig.connect(hostile, weak=False)
    except (ReceiverError, TypeError) as err:
        assert not isinstance(err, _Hostile)
        assert "HostileReceiver" in str(err), str(err)
        assert "bad_input" in str(err), str(err)
        assert _state(sig, size=1, topping="x") == before
        assert "__getattr__" in dunders or not takes_kwargs, f"refused a working receiver: {err}"
    else:
        assert takes_kwargs, "a receiver without **kwargs was connected"
        assert [resp for _, resp in sig.send(Store(), size=1, topping="x")][-1] == "called"


def test_a_hostile_getattr_gets_a_message_that_names_the_fix() -> None:
    sig = _populated()
    with pytest.raises(TypeError, match=r"Cannot read the signature .*Hostile.*check=False"):
        sig.connect(_hostile_receiver(frozenset({"__getattr__"}), True))


def test_a_hostile_annotation_leaves_the_validator_undecided() -> None:
    """An annotation object whose __eq__ and __hash__ raise: no crash, no false refusal."""

    class Weird:
        __eq__ = _raise
        __hash__ = _raise  # type: ignore[assignment]

    def r(sender: Weird(), **kwargs: Any) -> str:  # type: ignore[valid-type]
        return "r"

    sig = Signal[Store, Order](name="bad_input")
    sig.connect(r)
    sig.connect(r)  # the remembered verdict is consulted: no crash either
    assert len(sig.receivers) == 1


def test_the_builtin_used_above_has_no_signature() -> None:
    """The premise of the weak-builtin cases, on this Python too."""
    import inspect

    with pytest.raises((TypeError, ValueError)):
        inspect.signature(_BUILTIN)
    sig = _populated()
    sig.connect(_BUILTIN, weak=False)  # accepted unchecked, as Django does
    assert len(sig.receivers) == 3
