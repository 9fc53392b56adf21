"""A typed signal's send and send_robust compiled for its payload keys (sendcode.py).

Every test compares the specialised signal with what ``Signal.send`` itself
does, so that specialising changes nothing but speed.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import logging
import sys
import typing
import warnings
from typing import Any

import pytest
from typing_extensions import NotRequired, TypedDict

from typedsignals import Signal, sendcode
from typedsignals.testing import capture

SPECIALISED = sendcode.SPECIALISED


class Store:
    pass


class Baked(TypedDict):
    size: int
    topping: NotRequired[str]


def specialised(signal: object) -> bool:
    return SPECIALISED in type(signal).__dict__


def receiver_log(log: list[Any]) -> Any:
    def receive(sender: Store, **kwargs: Any) -> str:
        log.append(kwargs)
        return "done"

    return receive


def _has_instance_dict(signal: object) -> bool:
    """Whether CPython made the instance's __dict__ (found among its referents)."""
    return any(type(r) is dict and "use_caching" in r for r in gc.get_referents(signal))


def test_a_typed_signal_is_born_specialised_and_looks_the_same() -> None:
    sig = Signal[Store, Baked](name="baked")
    assert specialised(sig)
    assert isinstance(sig, Signal)
    assert type(sig).__qualname__ == "Signal" and type(sig).__name__ == "Signal"
    assert type(sig).__module__ == Signal.__module__
    assert repr(sig) == "signal 'baked' (Signal[Store, Baked])"
    assert sig.send.__doc__ == Signal.send.__doc__
    log: list[Any] = []
    receive = receiver_log(log)
    sig.connect(receive)
    store = Store()
    assert sig.send(store, size=1) == [(receive, "done")]
    assert log == [{"signal": sig, "size": 1}]
    # No class swapped in: CPython (3.11+, whose instances start without a __dict__)
    # keeps the instance's attributes as it made them (a swap would have made its
    # __dict__, which slows every attribute it reads).
    assert _has_instance_dict(sig) is (sys.version_info < (3, 11))


def test_the_alias_still_behaves_as_typings() -> None:
    alias = Signal[Store, Baked]
    assert typing.get_origin(alias) is Signal and typing.get_args(alias) == (Store, Baked)
    assert alias is Signal[Store, Baked]  # typing's cache still serves it
    assert Signal[Store, Baked]().__orig_class__ == alias  # type: ignore[attr-defined]
    payload = typing.TypeVar("payload")
    partial = Signal[Store, payload]  # type: ignore[type-var]
    assert partial.__parameters__ == (payload,)  # type: ignore[attr-defined]
    later = partial[Baked]  # type: ignore[index]
    assert later == alias
    assert specialised(later()) and not specialised(partial())


def test_signals_created_otherwise_specialise_at_their_first_connect() -> None:
    class Baking(Signal[Store, Baked]):  # declared by a subclass
        pass

    class Checked(Signal[Store, Baked]):  # an __init__ of its own
        def __init__(self) -> None:
            super().__init__(name="checked")

    for sig in (Baking(), Checked()):
        assert not specialised(sig)
        log: list[Any] = []
        receive = receiver_log(log)
        sig.connect(receive)
        assert specialised(sig) and isinstance(sig, (Baking, Checked))
        assert sig.send(Store(), size=1) == [(receive, "done")]
    assert not specialised(Signal[Store, Baked](validate=True))


def test_one_class_per_signal_class_and_keys() -> None:
    a, b = Signal[Store, Baked](), Signal[Store, Baked]()

    def r(sender: Store, **kwargs: Any) -> None: ...

    a.connect(r)
    b.connect(r)
    assert type(a) is type(b)
    assert type(a).__dict__[SPECIALISED] is Signal


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ({"size": 1}, {"size": 1}),
        ({"size": 1, "topping": "ham"}, {"size": 1, "topping": "ham"}),
        ({"topping": "ham", "size": 1}, {"size": 1, "topping": "ham"}),  # declared order
        ({"topping": "ham"}, {"topping": "ham"}),  # a required key missing: Django sends it
        ({"size": 1, "extra": 2}, {"size": 1, "extra": 2}),  # an undeclared key too
        ({}, {}),
    ],
)
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_payloads_reach_receivers_as_the_generic_send_passes_them(
    named: dict[str, Any], expected: dict[str, Any], n: int, method: str
) -> None:
    sig = Signal[Store, Baked]()
    log: list[Any] = []
    receivers = [receiver_log(log) for _ in range(n)]
    for r in receivers:
        sig.connect(r, check=False)
    assert specialised(sig)
    responses = getattr(sig, method)(Store(), **named)
    assert responses == [(r, "done") for r in receivers]
    assert log == [{"signal": sig, **expected}] * n
    # The generic method, on the same signal, agrees.
    log.clear()
    assert getattr(Signal, method)(sig, Store(), **named) == responses
    assert log == [{"signal": sig, **expected}] * n


def test_argument_errors_read_as_the_generic_sends() -> None:
    sig = Signal[Store, Baked]()

    def r(sender: Store, **kwargs: Any) -> None: ...

    sig.connect(r)
    with pytest.raises(TypeError, match=r"^Signal\.send\(\) takes 2 positional arguments"):
        sig.send(Store(), 1)  # type: ignore[call-arg, signal-payload]
    with pytest.raises(TypeError, match="multiple values for keyword argument 'signal'"):
        sig.send(Store(), size=1, signal=2)  # type: ignore[signal-payload]


def test_receivers_are_called_from_the_sends_own_frame() -> None:
    sig = Signal[Store, Baked]()
    seen: list[tuple[str, str]] = []

    def r(sender: Store, **kwargs: Any) -> None:
        frame = sys._getframe(1)  # pyright: ignore[reportPrivateUsage]
        seen.append((frame.f_code.co_name, sys._getframe(2).f_code.co_name))  # pyright: ignore[reportPrivateUsage]

    def warn(sender: Store, **kwargs: Any) -> None:
        warnings.warn("from a receiver", UserWarning, stacklevel=3)

    others = [receiver_log([]) for _ in range(3)]
    for receiver_ in (r, *others, warn):
        sig.connect(receiver_)
    me = sys._getframe().f_code.co_name  # pyright: ignore[reportPrivateUsage]
    for method in ("send", "send_robust"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(sig, method)(Store(), size=1)
        assert caught[0].filename == __file__
    assert seen == [("send", me), ("send_robust", me)]


def test_every_receiver_alive_when_the_send_begins_is_called() -> None:
    sig = Signal[Store, Baked]()
    called: list[str] = []
    holder: dict[str, Any] = {}

    def first(sender: Store, **kwargs: Any) -> None:
        called.append("first")
        holder.clear()  # the only strong reference to `second`
        gc.collect()

    def second(sender: Store, **kwargs: Any) -> None:
        called.append("second")

    holder["second"] = second
    sig.connect(first)
    sig.connect(second)
    del second
    sig.send(Store(), size=1)
    assert called == ["first", "second"]
    called.clear()
    sig.send(Store(), size=1)
    assert called == ["first"]


def test_send_robust_catches_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    sig = Signal[Store, Baked]()

    def boom(sender: Store, **kwargs: Any) -> None:
        raise ValueError("bad size")

    for n in (1, 2):
        sig.connect(boom, dispatch_uid=n)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="typedsignals"):
            responses = sig.send_robust(Store(), size=1)
        assert [type(err) for _, err in responses] == [ValueError] * n
        assert len(caplog.records) == n
    with pytest.raises(ValueError, match="bad size"):
        sig.send(Store(), size=1)


def test_per_sender_receivers_and_async_receivers() -> None:
    sig = Signal[Store, Baked]()
    mine, other = Store(), Store()
    log: list[Any] = []
    mine_only = receiver_log(log)
    sig.connect(mine_only, sender=mine)
    assert sig.send(other, size=1) == []
    assert len(sig.send(mine, size=1)) == 1

    async def later(sender: Store, **kwargs: Any) -> str:
        return "async"

    sig.connect(later)
    assert [r for _, r in sig.send(mine, size=2)] == ["done", "async"]

    async def in_a_loop() -> None:
        with pytest.raises(RuntimeError):
            sig.send(mine, size=3)

    log.clear()
    asyncio.run(in_a_loop())
    assert log == []  # refused before any receiver ran


def test_signals_that_keep_the_generic_sends() -> None:
    class Selfish(TypedDict):
        self: int

    Classy = TypedDict("Classy", {"class": int})

    def r(sender: Any, **kwargs: Any) -> None: ...

    for sig in (
        Signal(),
        Signal[Store, Selfish](),
        Signal[Store, Classy](),
        Signal[Store, Baked](validate=True),
    ):
        sig.connect(r, check=False)
        assert not specialised(sig)
        assert sig._sends_settled  # pyright: ignore[reportPrivateUsage]


def test_a_subclass_keeps_its_own_send() -> None:
    class Loud(Signal[Store, Baked]):
        def send(self, sender: Store, **named: Any) -> list[tuple[Any, Any]]:
            return [("loud", named)]

    sig = Loud()

    def r(sender: Store, **kwargs: Any) -> str:
        return "r"

    sig.connect(r)
    assert specialised(sig) and isinstance(sig, Loud)
    assert sig.send(Store(), size=1) == [("loud", {"size": 1})]
    assert sig.send_robust(Store(), size=1) == [(r, "r")]
    assert type(sig).__dict__.get("send") is None  # inherited from Loud


def test_interception_and_specialisation_take_turns() -> None:
    class Baking(Signal[Store, Baked]):  # specialised at its first connect, not born so
        pass

    sig = Baking()
    log: list[Any] = []
    first, second = receiver_log(log), receiver_log(log)
    with capture(sig) as sent:
        sig.connect(first)
        assert not specialised(sig)  # never under an interceptor's class
        sig.send(Store(), size=1)
    assert sent.payloads == [{"size": 1}]
    assert not specialised(sig) and not sig._sends_settled  # pyright: ignore[reportPrivateUsage]
    sig.connect(second)
    assert specialised(sig)
    with capture(sig) as sent:
        sig.send(Store(), size=2)
    assert sent.payloads == [{"size": 2}] and specialised(sig)
    assert [entry["size"] for entry in log] == [1, 2, 2]


def test_a_copy_is_independent_and_specialised() -> None:
    sig = Signal[Store, Baked]()
    log: list[Any] = []
    first = receiver_log(log)
    sig.connect(first)
    clone = copy.copy(sig)
    assert type(clone) is type(sig)
    late = receiver_log(log)
    clone.connect(late)
    assert len(clone.send(Store(), size=1)) == 2
    assert len(sig.send(Store(), size=1)) == 1
