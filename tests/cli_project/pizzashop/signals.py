"""The shop's signals."""

from typing_extensions import TypedDict

from typedsignals import Signal


class Store:
    """A sender."""


class PizzaDone(TypedDict):
    size: int


pizza_done = Signal[Store, PizzaDone](name="pizza_done")
order_placed = Signal()
not_a_signal = "pizza_done"
