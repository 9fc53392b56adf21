"""The receiver rules at connect time: each rule refused and accepted, every callable kind."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import pytest
from pizza_types import PizzaDone, Store
from typing_extensions import TypedDict, Unpack

from typedsignals import ReceiverError, Signal, SignalTypeError, receiver
from typedsignals.rules import KWARGS, PAYLOAD_TYPE, POSITIONAL_ONLY, SENDER_TYPE, UNKNOWN_PARAMETER


class Model:
    pass


class Book(Model):
    pass


def typed() -> Signal[Store, PizzaDone]:
    return Signal[Store, PizzaDone](name="pizza_done")


def refused(sig: Signal[Any, Any], r: Any, **connect: Any) -> ReceiverError:
    before = sig.receivers
    with pytest.raises(ReceiverError) as info:
        sig.connect(r, **connect)
    assert sig.receivers == before  # a refused receiver leaves the signal unchanged
    return info.value


def rule_ids(err: ReceiverError) -> list[str]:
    return [v.rule.id for v in err.violations]


# -- rule 1: **kwargs ---------------------------------------------------------------


def test_rule1_kwargs_refused_and_accepted():
    sig = typed()

    def no_kwargs(sender: Store, size: int, toppings: list[str]) -> None: ...

    def with_kwargs(sender: Store, **kwargs: Any) -> None: ...

    err = refused(sig, no_kwargs)
    assert rule_ids(err) == [KWARGS.id]
    assert isinstance(err, ValueError)
    sig.connect(with_kwargs)
    assert sig.has_listeners()


# -- rule 2: sender type --------------------------------------------------------------


def test_rule2_sender_type():
    sig = typed()

    def wrong(sender: int, **kwargs: Any) -> None: ...

    def right(sender: Store, **kwargs: Any) -> None: ...

    def wide(sender: object, **kwargs: Any) -> None: ...

    def optional(sender: Store | None, **kwargs: Any) -> None: ...

    err = refused(sig, wrong)
    assert rule_ids(err) == [SENDER_TYPE.id]
    assert err.violations[0].parameter == "sender"
    assert "Store" in err.violations[0].expected and err.violations[0].found == "int"
    for ok in (right, wide, optional):
        sig.connect(ok)
    assert len(sig.receivers) == 3


def test_rule2_specific_sender_narrows():
    post_save = Signal[type[Model], PizzaDone]()

    def on_book(sender: type[Book], **kwargs: Any) -> None: ...

    refused(post_save, on_book)  # every Model class may send: type[Book] is too narrow
    receiver(post_save, sender=Book)(on_book)  # only Book sends to it: fine
    assert post_save.has_listeners(Book) and not post_save.has_listeners(Model)
    with pytest.raises(ReceiverError):
        receiver(post_save, sender=Model)(on_book)


# -- rule 3: parameters the dispatcher must fill -------------------------------------


def test_rule3_unknown_and_not_required_parameters():
    sig = typed()

    def unknown(sender: Store, colour: str, **kwargs: Any) -> None: ...

    def not_required_without_default(note: str, **kwargs: Any) -> None: ...

    def fine(signal: Any, sender: Store, size: int, note: str = "", colour: str = "red",
             **kwargs: Any) -> None: ...

    err = refused(sig, unknown)
    assert rule_ids(err) == [UNKNOWN_PARAMETER.id]
    assert err.violations[0].parameter == "colour"
    err = refused(sig, not_required_without_default)
    assert rule_ids(err) == [UNKNOWN_PARAMETER.id] and "NotRequired" in str(err)
    sig.connect(fine)


# -- rule 4: payload parameter types --------------------------------------------------


def test_rule4_payload_types():
    sig = typed()

    def as_str(size: str, **kwargs: Any) -> None: ...

    def wrong_items(toppings: list[int], **kwargs: Any) -> None: ...

    def as_float(size: float, toppings: Sequence[str], **kwargs: Any) -> None: ...

    def as_object(size: object, note: str | None = None, **kwargs: Any) -> None: ...

    assert rule_ids(refused(sig, as_str)) == [PAYLOAD_TYPE.id]
    assert rule_ids(refused(sig, wrong_items)) == [PAYLOAD_TYPE.id]
    sig.connect(as_float)
    sig.connect(as_object)


# -- rule 5: positional-only ----------------------------------------------------------


def test_rule5_positional_only():
    sig = Signal()

    def pos_only(sender, /, **kwargs): ...

    def pos_only_default(sender=None, /, **kwargs): ...

    assert rule_ids(refused(sig, pos_only)) == [POSITIONAL_ONLY.id]
    sig.connect(pos_only_default)


def test_all_problems_in_one_message():
    sig = typed()

    def many(sender: int, colour: str, size: str, /) -> None: ...

    def many2(sender: int, colour: str, size: str) -> None: ...

    err = refused(sig, many2)
    assert rule_ids(err) == [KWARGS.id, SENDER_TYPE.id, UNKNOWN_PARAMETER.id, PAYLOAD_TYPE.id]
    text = str(err)
    assert "many2" in text and "signal 'pizza_done' (Signal[Store, PizzaDone])" in text
    assert f"{__file__}:" in text
    assert rule_ids(refused(sig, many))[0] == KWARGS.id


# -- every kind of callable -------------------------------------------------------------


class Listener:
    def method(self, sender: Store, size: int, **kwargs: Any) -> int:
        return size

    def bad_method(self, sender: Store, colour: str, **kwargs: Any) -> None: ...

    @classmethod
    def cls_method(cls, sender: Store, **kwargs: Any) -> str:
        return cls.__name__

    @staticmethod
    def static(sender: Store, **kwargs: Any) -> str:
        return "static"


class CallableListener:
    def __call__(self, sender: Store, size: int, **kwargs: Any) -> int:
        return size * 2


class BadCallable:
    def __call__(self, sender: str, **kwargs: Any) -> None: ...


def logged(func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def test_callable_kinds_accepted_and_called():
    sig = typed()
    listener, call = Listener(), CallableListener()

    def base(sender: Store, size: int, extra: int, **kwargs: Any) -> int:
        return size + extra

    @logged
    def decorated(sender: Store, size: int, **kwargs: Any) -> int:
        return -size

    async def coroutine(sender: Store, size: int, **kwargs: Any) -> int:
        return size + 100

    partial = functools.partial(base, extra=1)
    lam = lambda sender, **kwargs: "lambda"  # noqa: E731
    for r in (listener.method, Listener.cls_method, Listener.static, call, partial,
              decorated, coroutine, lam):
        sig.connect(r, weak=False)
    store = Store()
    result = [resp for _, resp in sig.send(store, size=3, toppings=[])]
    assert result == [3, "Listener", "static", 6, 4, -3, "lambda", 103]


def test_callable_kinds_refused():
    sig = typed()

    def base(sender: Store, size: int, extra: int, **kwargs: Any) -> None: ...

    @logged
    def decorated(sender: Store, size: str, **kwargs: Any) -> None: ...

    async def coroutine(sender: Store, colour: int, **kwargs: Any) -> None: ...

    for r in (Listener().bad_method, BadCallable(), functools.partial(base),
              decorated, coroutine, lambda sender: None):
        refused(sig, r)


def test_builtin_without_signature_is_accepted():
    sig = typed()
    sig.connect(dict)  # signature unknown: accepted, as in Django
    store = Store()
    assert sig.send(store, size=1, toppings=[]) == [
        (dict, {"signal": sig, "sender": store, "size": 1, "toppings": []})
    ]


def test_string_annotations_and_forward_references():
    import types

    module = types.ModuleType("fwd_mod")
    exec(
        "from __future__ import annotations\n"
        "from typing import Any\n"
        "def good(sender: Later, size: int, **kwargs: Any) -> None: ...\n"
        "def bad(sender: Later, size: str, **kwargs: Any) -> None: ...\n"
        "def unresolvable(sender: Nowhere, size: Missing, **kwargs: Any) -> None: ...\n"
        "class Later: ...\n",
        module.__dict__,
    )
    sig = Signal[module.Later, PizzaDone]()
    sig.connect(module.good)
    refused(sig, module.bad)
    sig.connect(module.unresolvable)  # cannot resolve: undecided, accepted


def test_check_false_opts_out():
    sig = typed()

    def unknown(sender: int, colour: str, **kwargs: Any) -> None: ...

    sig.connect(unknown, check=False)
    with pytest.raises(TypeError, match="must be callable"):
        sig.connect(3, check=False)  # type: ignore[arg-type]
    assert len(sig.receivers) == 1


def test_receiver_list_is_all_or_nothing():
    s1 = typed()
    s2 = Signal[int, PizzaDone]()

    def on_store(sender: Store, **kwargs: Any) -> None: ...

    with pytest.raises(ReceiverError):
        receiver([s1, s2])(on_store)
    assert s1.receivers == [] and s2.receivers == []


def test_analysis_is_cached_per_code_object(monkeypatch):
    import inspect

    from typedsignals import validation

    calls = []
    real = inspect.signature
    monkeypatch.setattr(validation.inspect, "signature", lambda f: calls.append(f) or real(f))
    sig = typed()

    def factory():
        def r(sender: Store, size: int, **kwargs: Any) -> None: ...

        return r

    keep = [factory() for _ in range(50)]
    for r in keep:
        sig.connect(r)
    assert len(sig.receivers) == 50
    assert len(calls) <= 1


def test_payload_must_be_typeddict():
    with pytest.raises(SignalTypeError, match="TypedDict"):
        Signal[Store, int]
    with pytest.raises(SignalTypeError, match="TypedDict"):
        class Bad(Signal[Store, dict]):  # type: ignore[type-arg]
            pass

    class Reserved(TypedDict):
        sender: int

    with pytest.raises(SignalTypeError, match="sender"):
        Signal[Store, Reserved]


def test_string_annotations_follow_a_module_reload():
    import types

    source = (
        "from __future__ import annotations\n"
        "from typing import Any\n"
        "class Shop: ...\n"
        "def on_sale(sender: Shop, **kwargs: Any) -> None: ...\n"
    )
    module = types.ModuleType("reloaded_mod")
    exec(source, module.__dict__)
    first = Signal[module.Shop, PizzaDone]()
    first.connect(module.on_sale)
    exec(source, module.__dict__)  # what importlib.reload does: same dict, new classes
    second = Signal[module.Shop, PizzaDone]()
    second.connect(module.on_sale)  # must not judge with the old Shop
    with pytest.raises(ReceiverError, match="Shop"):
        Signal[Store, PizzaDone]().connect(module.on_sale)


# -- rule 6: a specific sender is of the signal's sender type ------------------------------


@pytest.mark.parametrize(
    ("declared", "given"),
    [
        (Store, Model()),  # an object of another class
        (Store, Store),  # the class of the sender type, not an instance
        (type[Model], Store),  # a class that is not a Model
        (type[Model], Book()),  # a Model instance, not a class
        (Model, 42),
    ],
    ids=["other-object", "class-for-object", "other-class", "object-for-class", "int"],
)
def test_rule6_a_specific_sender_of_another_type_is_refused(declared: Any, given: Any):
    sig = Signal[declared, PizzaDone](name="pizza_done")

    def anything(sender: object, **kwargs: Any) -> None: ...

    err = refused(sig, anything, sender=given)
    assert rule_ids(err) == ["receiver-sender-argument"]
    assert "pizza_done" in str(err) and "a sender of type" in str(err)
    with pytest.raises(ReceiverError, match="receiver-sender-argument"):
        receiver(sig, sender=given)(anything)
    assert sig.receivers == []


def test_rule6_senders_of_the_sender_type_are_accepted():
    post_save = Signal[type[Model], PizzaDone]()
    by_store = Signal[Store, PizzaDone]()
    untyped = Signal()

    def anything(sender: object, **kwargs: Any) -> None: ...

    post_save.connect(anything, sender=Book)
    post_save.connect(anything, sender=Model)
    store = Store()
    by_store.connect(anything, sender=store)
    untyped.connect(anything, sender=42)  # untyped: any sender
    assert len(post_save.receivers) == 2
    assert by_store.has_listeners(store) and untyped.has_listeners(42)


# -- PEP 692: **kwargs: Unpack[TD] ------------------------------------------------------------


class Wanted(TypedDict):
    size: int
    colour: str


class WantedLater(TypedDict, total=False):
    size: int
    note: str


class WrongSize(TypedDict):
    size: str


def test_unpacked_kwargs_are_checked_as_keyword_parameters():
    sig = typed()

    def wants_colour(sender: Store, **kwargs: Unpack[Wanted]) -> None: ...

    def wrong_size(**kwargs: Unpack[WrongSize]) -> None: ...

    def optional(sender: Store, **kwargs: Unpack[WantedLater]) -> None: ...

    err = refused(sig, wants_colour)
    assert rule_ids(err) == [UNKNOWN_PARAMETER.id] and err.violations[0].parameter == "colour"
    err = refused(sig, wrong_size)
    assert rule_ids(err) == [PAYLOAD_TYPE.id] and err.violations[0].parameter == "size"
    sig.connect(optional)  # NotRequired keys: each has a default; **kwargs itself is there
    wanted = Signal[Store, Wanted]()
    wanted.connect(wants_colour)  # every key it requires, of its type
    assert len(sig.receivers) == len(wanted.receivers) == 1


# -- a class as a receiver: its __init__ (or __new__, or metaclass __call__) ----------------------


def test_a_class_receiver_is_checked_by_its_constructor():
    sig = typed()

    class WrongSize:
        def __init__(self, sender: Store, size: str, **kwargs: Any) -> None: ...

    class NoKwargs:
        def __init__(self, sender: Store) -> None: ...

    class ByNew:
        def __new__(cls, sender: int, **kwargs: Any) -> ByNew:
            return super().__new__(cls)

    class Inherited(WrongSize):
        pass

    class Fine:
        def __init__(self, sender: Store, size: int, **kwargs: Any) -> None:
            self.size = size

    class Meta(type):
        def __call__(cls, sender: Store, colour: str, **kwargs: Any) -> Any: ...

    class ByMeta(metaclass=Meta):
        pass

    assert rule_ids(refused(sig, WrongSize)) == [PAYLOAD_TYPE.id]
    assert rule_ids(refused(sig, Inherited)) == [PAYLOAD_TYPE.id]
    assert rule_ids(refused(sig, NoKwargs)) == [KWARGS.id]
    assert rule_ids(refused(sig, ByNew)) == [SENDER_TYPE.id]
    assert rule_ids(refused(sig, ByMeta)) == [UNKNOWN_PARAMETER.id]
    sig.connect(Fine, weak=False)
    [(_, made)] = sig.send(Store(), size=3, toppings=[])
    assert isinstance(made, Fine) and made.size == 3


def test_a_class_receiver_with_string_annotations_is_resolved_in_its_module():
    import types

    module = types.ModuleType("class_receiver_mod")
    exec(
        "from __future__ import annotations\n"
        "from typing import Any\n"
        "class Shop: ...\n"
        "class Handler:\n"
        "    def __init__(self, sender: Shop, size: Shop, **kwargs: Any) -> None: ...\n",
        module.__dict__,
    )
    sig = Signal[module.Shop, PizzaDone]()
    err = refused(sig, module.Handler)
    assert rule_ids(err) == [PAYLOAD_TYPE.id] and err.violations[0].found == "Shop"
