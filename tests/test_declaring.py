"""The three ways to declare a typed signal, and payload validation with pydantic."""

from __future__ import annotations

import typing
from typing import Any, Generic, TypeVar

import pytest
from pizza_types import PizzaDone, Store
from typing_extensions import NotRequired, TypedDict

from typedsignals import PayloadError, ReceiverError, Signal, SignalTypeError
from typedsignals.validation import signal_types


class Partial(TypedDict, total=False):
    size: int


class PizzaDoneSignal(Signal[Store, PizzaDone]):
    """A named signal class."""


P = TypeVar("P")


class StoreSignal(Signal[Store, P], Generic[P]):
    """A generic subclass fixing the sender and leaving the payload open."""


def wrong_sender(sender: int, **kwargs: Any) -> None: ...


def fine(sender: Store, size: int, **kwargs: Any) -> None: ...


@pytest.mark.parametrize(
    "make",
    [
        lambda: Signal[Store, PizzaDone](),
        lambda: PizzaDoneSignal(),
        lambda: StoreSignal[PizzaDone](),
    ],
    ids=["alias", "subclass", "generic-subclass"],
)
def test_runtime_known_declarations_check_types(make):
    sig = make()
    types = signal_types(sig)
    assert types.sender is Store and types.payload_type is PizzaDone
    assert types.fields is not None and set(types.fields) == {"size", "toppings", "note"}
    assert types.fields["size"].required and not types.fields["note"].required
    with pytest.raises(ReceiverError):
        sig.connect(wrong_sender)
    sig.connect(fine)
    assert sig.send(Store(), size=1, toppings=[])[0][0] is fine


def test_annotation_only_declaration_is_static():
    done: Signal[Store, PizzaDone] = Signal()
    types = signal_types(done)
    assert types.sender is None and types.fields is None
    done.connect(wrong_sender)  # unknown types at run time: only rules 1 and 5 apply
    with pytest.raises(ReceiverError, match=r"\*\*kwargs"):
        done.connect(lambda sender: None)


def test_untyped_and_sender_only_signals_behave_like_django():
    for sig in (Signal(), Signal[Store]()):
        def anything(sender: Any, colour: str, **kwargs: Any) -> None: ...

        sig.connect(anything)
        assert sig.has_listeners()


def test_total_false_and_not_required():
    sig = Signal[Store, Partial]()

    def needs_size(size: int, **kwargs: Any) -> None: ...

    def defaults_size(size: int = 0, **kwargs: Any) -> None: ...

    with pytest.raises(ReceiverError, match="NotRequired"):
        sig.connect(needs_size)
    sig.connect(defaults_size)


def test_name_in_repr():
    assert repr(Signal[Store, PizzaDone](name="pizza_done")) == (
        "signal 'pizza_done' (Signal[Store, PizzaDone])"
    )
    assert repr(Signal()).startswith("<Signal at 0x")


# -- payload validation ----------------------------------------------------------------


def validated() -> tuple[Signal[Store, PizzaDone], list[Any]]:
    sig = Signal[Store, PizzaDone](name="pizza_done", validate=True)
    calls: list[Any] = []

    def r(sender: Store, **kwargs: Any) -> None:
        calls.append(kwargs)

    async def ar(sender: Store, **kwargs: Any) -> None:
        calls.append(kwargs)

    sig.connect(r, weak=False)
    sig.connect(ar, weak=False)
    return sig, calls


def test_valid_payload_is_sent():
    sig, calls = validated()
    sig.send(Store(), size=1, toppings=["ham"])
    sig.send_robust(Store(), size=2, toppings=[], note="x")
    assert [c["size"] for c in calls] == [1, 1, 2, 2]


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"toppings": []}, "'size': missing required key"),
        ({"size": 1, "toppings": [], "colour": "red"}, "'colour': unknown key"),
        ({"size": "1", "toppings": []}, "'size': Input should be a valid integer"),
        ({"size": 1, "toppings": [1]}, "'toppings.0': Input should be a valid string"),
    ],
    ids=["missing", "extra", "mistyped", "mistyped-nested"],
)
@pytest.mark.parametrize("method", ["send", "send_robust", "asend", "asend_robust"])
def test_invalid_payload_refused_before_any_receiver(payload, problem, method):
    import asyncio

    sig, calls = validated()
    with pytest.raises(PayloadError) as info:
        result = getattr(sig, method)(Store(), **payload)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    assert calls == []
    assert problem in info.value.problems[0] or problem in str(info.value)
    assert "signal 'pizza_done'" in str(info.value)


def test_payload_error_lists_every_problem():
    sig, _ = validated()
    with pytest.raises(PayloadError) as info:
        sig.send(Store(), size="big", colour="red")
    text = "\n".join(info.value.problems)
    assert "colour" in text and "size" in text and "toppings" in text
    assert len(info.value.problems) == 3


def test_adapter_built_once(monkeypatch):
    import pydantic

    built = []
    real = pydantic.TypeAdapter
    monkeypatch.setattr(pydantic, "TypeAdapter", lambda tp: built.append(tp) or real(tp))
    sig, _ = validated()
    for _ in range(5):
        sig.send(Store(), size=1, toppings=[])
    assert built == [PizzaDone]


def test_validation_needs_runtime_payload_type():
    sig: Signal[Store, PizzaDone] = Signal(validate=True)
    with pytest.raises(SignalTypeError, match="not known at run time"):
        sig.send(Store(), size=1, toppings=[])


def test_missing_pydantic_has_clear_message(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pydantic", None)
    sig, _ = validated()
    with pytest.raises(ImportError, match=r"typedsignals\[pydantic\]"):
        sig.send(Store(), size=1, toppings=[])


# -- generic subclasses of Signal: their type arguments are substituted ---------------------


class Model:
    pass


class Book(Model):
    pass


class Archived(TypedDict):
    reason: str


M = TypeVar("M", bound=Model)
S = TypeVar("S")
T = TypeVar("T")


class ModelSignal(Signal[type[M], P], Generic[M, P]):
    """The sender is the class of a model: ``ModelSignal[Book, Archived]()``."""


class BookSignal(ModelSignal[Book, Archived]):
    """A generic subclass, fixed."""


class Flipped(Signal[S, P], Generic[P, S]):
    """Its parameters in the other order."""


class Base(Signal[S, P], Generic[S, P]):
    pass


class Pair(Signal[tuple[S, T], Archived], Generic[S, T]):
    """Two type parameters, neither of them the payload."""


class ListSignal(Base[list[S], P], Generic[S, P]):
    """The same name S means another thing on each level."""


@pytest.mark.parametrize(
    ("make", "sender", "shown"),
    [
        (lambda: ModelSignal[Book, Archived](name="x"), type[Book], "ModelSignal[Book, Archived]"),
        (lambda: BookSignal(name="x"), type[Book], "BookSignal"),
        (lambda: Flipped[Archived, Book](name="x"), Book, "Flipped[Archived, Book]"),
        (lambda: ListSignal[int, Archived](name="x"), list[int], "ListSignal[int, Archived]"),
        (lambda: Base[type[Book], Archived](name="x"), type[Book], "Base[type[Book], Archived]"),
        (lambda: Pair[int, str](name="x"), tuple[int, str], "Pair[int, str]"),
    ],
    ids=["model-signal", "fixed-subclass", "flipped", "two-levels", "base", "pair"],
)
def test_generic_signal_subclasses_substitute_their_type_arguments(make, sender, shown):
    sig = make()
    types = signal_types(sig)
    assert types.sender == sender and types.payload_type is Archived
    assert f"({shown})" in repr(sig)
    wrong: Any = type[Model] if sender == type[Book] else int

    def right_receiver(sender: Any, reason: str, **kwargs: Any) -> None: ...

    right_receiver.__annotations__["sender"] = sender

    def wrong_receiver(sender: Any, **kwargs: Any) -> None: ...

    wrong_receiver.__annotations__["sender"] = str if sender is not Book else wrong
    sig.connect(right_receiver)  # a correct receiver is never refused
    with pytest.raises(ReceiverError) as info:
        sig.connect(wrong_receiver)
    assert "~" not in str(info.value) and shown in str(info.value)


def test_a_generic_subclass_refuses_a_payload_that_is_not_a_typeddict_where_declared():
    with pytest.raises(SignalTypeError, match="TypedDict"):
        ModelSignal[Book, int]
    with pytest.raises(SignalTypeError, match="TypedDict"):
        Flipped[int, Book]
    Flipped[Archived, int]  # the payload is its first argument


def test_a_type_variable_left_open_is_judged_by_its_bound():
    sig = ModelSignal()  # M unknown: any Model class may send

    def any_model(sender: type[Model], **kwargs: Any) -> None: ...

    def books_only(sender: type[Book], **kwargs: Any) -> None: ...

    sig.connect(any_model)
    with pytest.raises(ReceiverError, match="receiver-sender-type"):
        sig.connect(books_only)


# -- generic TypedDict payloads ----------------------------------------------------------------


class Event(TypedDict, Generic[T]):
    value: T
    previous: NotRequired[T]


class IntEvent(Event[int]):
    at: float


class ListEvent(Event[list[T]], Generic[T]):
    pass


@pytest.mark.parametrize(
    ("payload", "value"),
    [(Event[int], int), (IntEvent, int), (ListEvent[str], list[str]), (Event[Book], Book)],
    ids=["Event[int]", "subclass-of-Event[int]", "ListEvent[str]", "Event[Book]"],
)
def test_generic_typeddict_payloads_are_read_with_their_arguments(payload, value):
    sig = Signal[Store, payload]()  # no SignalTypeError where it is declared
    fields = signal_types(sig).fields
    assert fields is not None
    assert fields["value"].type == value and fields["value"].required
    assert fields["previous"].type == value and not fields["previous"].required

    def takes(sender: Store, value: Any, previous: Any = None, **kwargs: Any) -> None: ...

    takes.__annotations__["value"] = value
    sig.connect(takes)

    def refuses(sender: Store, value: bytes, **kwargs: Any) -> None: ...

    with pytest.raises(ReceiverError, match="receiver-payload-type"):
        sig.connect(refuses)


def test_a_generic_typeddict_payload_in_every_declaration_style():
    class EventSignal(Signal[Store, Event[int]]):
        pass

    annotated: Signal[Store, Event[int]] = Signal()  # evaluated: a module-level annotation would be
    assert Signal[Store, Event[int]] is not None
    assert signal_types(EventSignal()).fields is not None
    assert signal_types(annotated).fields is None  # typed for the checkers only


def test_a_generic_typeddict_payload_is_validated_with_its_arguments():
    sig = Signal[Store, Event[int]](validate=True)
    sig.send(Store(), value=1, previous=0)
    with pytest.raises(PayloadError, match="'value': Input should be a valid integer"):
        sig.send(Store(), value="1")


# -- validate=True: values of classes pydantic does not know -------------------------------------


class Saved(TypedDict):
    instance: Model
    many: list[Model]
    by_key: dict[str, Model]
    model: type[Model]
    maybe: Model | None
    note: NotRequired[Book]


class SavedTyping(typing.TypedDict):
    """The same, declared with typing.TypedDict (pydantic refuses it before Python 3.12)."""

    instance: Model
    many: list[Model]


def test_validation_checks_arbitrary_classes_with_isinstance():
    sig = Signal[type[Model], Saved](validate=True, name="saved")
    book = Book()
    sig.send(Book, instance=book, many=[book, Model()], by_key={"a": book}, model=Book, maybe=None)
    with pytest.raises(PayloadError) as info:
        sig.send(
            Book, instance=1, many=[book, "x"], by_key={"a": 2}, model=int, maybe=3, note=Model()
        )
    text = str(info.value)
    for where in ("'instance'", "'many.1'", "'by_key.a'", "'model'", "'maybe", "'note'"):
        assert where in text, text
    assert "instance of Model" in text and "instance of Book" in text


def test_validation_of_a_typing_typeddict_with_arbitrary_classes():
    sig = Signal[type[Model], SavedTyping](validate=True)
    sig.send(Model, instance=Book(), many=[])
    with pytest.raises(PayloadError, match=r"'many\.0': Input should be an instance of Model"):
        sig.send(Model, instance=Book(), many=[object()])


class Quacks(typing.Protocol):
    def quack(self) -> None: ...


@typing.runtime_checkable
class RuntimeQuacks(typing.Protocol):
    def quack(self) -> None: ...


class Duck:
    def quack(self) -> None: ...


class Pond(TypedDict):
    duck: Quacks
    ducks: list[Quacks]
    checked: RuntimeQuacks
    size: int


def test_validation_leaves_what_cannot_be_checked_at_run_time_unchecked():
    """isinstance() refuses a static Protocol: such values pass (no TypeError at send)."""
    sig = Signal[Store, Pond](validate=True)
    sig.send(Store(), duck=Duck(), ducks=[1], checked=Duck(), size=1)
    with pytest.raises(PayloadError) as info:
        sig.send(Store(), duck=1, ducks=[], checked=1, size="x")
    assert [p.split(":")[0] for p in info.value.problems] == ["'checked'", "'size'"]
