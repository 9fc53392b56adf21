"""The plugin at send(), send_robust(), asend() and asend_robust(): payload and sender.

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py).
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict

from typedsignals import Signal


class Store: ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]
    note: NotRequired[str]


class Empty(TypedDict):
    pass


class PizzaSignal(Signal[Store, PizzaDone]):
    """A signal class of its own."""


pizza_done = Signal[Store, PizzaDone]()
by_class = PizzaSignal()
by_annotation: Signal[Store, PizzaDone] = Signal()
nothing = Signal[Store, Empty]()
untyped = Signal()
store = Store()

pizza_done.send(store, size=12, toppings=["basil"])
pizza_done.send(store, size=12, toppings=[], note="well done")
pizza_done.send(store, size=12)  # E: signal-payload[payload-missing-key]
pizza_done.send(store)  # E: signal-payload[payload-missing-key], signal-payload[payload-missing-key]
pizza_done.send(store, size="large", toppings=[])  # E: signal-payload[payload-type]
pizza_done.send(store, size=12, toppings=[1])  # E: signal-payload[payload-type]
pizza_done.send(store, size=12, toppings=[], colour="red")  # E: signal-payload[payload-unknown-key]
pizza_done.send(store, size=True, toppings=("a",))  # E: signal-payload[payload-type]
pizza_done.send(Oven(), size=12, toppings=[])  # E: arg-type
pizza_done.send(sender=store, size=12, toppings=[])
pizza_done.send_robust(store, size=12)  # E: signal-payload[payload-missing-key]
pizza_done.send_robust(store, size=12, toppings=[], note=None)  # E: signal-payload[payload-type]
by_class.send(store, size=1, toppings=[], extra=1)  # E: signal-payload[payload-unknown-key]
by_annotation.send(store, size=1.5, toppings=[])  # E: signal-payload[payload-type]
nothing.send(store)
nothing.send(store, size=1)  # E: signal-payload[payload-unknown-key]
untyped.send(store, anything=1, goes=[])

# -- **payload -------------------------------------------------------------------------------
payload: PizzaDone = {"size": 1, "toppings": []}
partial: dict[str, Any] = {"size": 1}


class WrongPayload(TypedDict):
    size: str
    toppings: list[str]


class MaybeSized(TypedDict):
    size: NotRequired[int]
    toppings: list[str]


wrong: WrongPayload = {"size": "1", "toppings": []}
maybe: MaybeSized = {"toppings": []}
pizza_done.send(store, **payload)
pizza_done.send(store, **partial)  # keys unknown: not checked
pizza_done.send(store, **wrong)  # E: signal-payload[payload-type]
pizza_done.send(store, note="x", **payload)
pizza_done.send(store, **maybe)  # E: signal-payload[payload-missing-key]
pizza_done.send(store, size=1, **maybe)


async def async_sends() -> None:
    await pizza_done.asend(store, size=12, toppings=[])
    await pizza_done.asend(store, toppings=[])  # E: signal-payload[payload-missing-key]
    await pizza_done.asend_robust(store, size=12, toppings=[], colour=1)  # E: signal-payload[payload-unknown-key]
    await by_class.asend(Oven(), size=1, toppings=[])  # E: arg-type
