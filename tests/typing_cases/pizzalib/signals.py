"""The library's signals, one of each way to declare them."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from typedsignals import Signal


class Store: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]
    note: NotRequired[str]


class PizzaSignal(Signal[Store, PizzaDone]):
    """A signal class of its own."""


pizza_done = Signal[Store, PizzaDone](name="pizza_done")
by_class = PizzaSignal()
by_annotation: Signal[Store, PizzaDone] = Signal()
