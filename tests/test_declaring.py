"""The three ways to declare a typed signal, and payload validation with pydantic."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import pytest
from pizza_types import PizzaDone, Store
from typing_extensions import TypedDict

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
