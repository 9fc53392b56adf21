"""Deliberate mistakes: one per receiver rule, and the payload mistakes of a send.

The mypy plugin reports each one where it is made (``uv run mypy examples/mistakes.py``);
``# E: code[rule-id]`` names what it reports, and tests/test_mypy_plugin.py checks
that exactly these errors are reported. Run, each would raise at connect or send time.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict

from typedsignals import Signal, receiver


class Store: ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone](name="pizza_done", validate=True)


# Rule 1: no **kwargs.
@receiver(pizza_done)  # E: signal-receiver[receiver-kwargs]
def no_kwargs(sender: Store, size: int, toppings: list[str]) -> None: ...


# Rule 2: the sender is a Store, not an Oven.
@receiver(pizza_done)  # E: signal-receiver[receiver-sender-type]
def wrong_sender(sender: Oven, **kwargs: Any) -> None: ...


# Rule 3: pizza_done never sends a colour.
@receiver(pizza_done)  # E: signal-receiver[receiver-unknown-parameter]
def wants_colour(sender: Store, colour: str, **kwargs: Any) -> None: ...


# Rule 4: size is an int.
@receiver(pizza_done)  # E: signal-receiver[receiver-payload-type]
def wrong_size(sender: Store, size: str, **kwargs: Any) -> None: ...


# Rule 5: the dispatcher passes sender by keyword.
def by_position(sender: Store, /, **kwargs: Any) -> None: ...


pizza_done.connect(by_position)  # E: signal-receiver[receiver-positional-only]


# Rule 6: pizza_done's senders are stores; an oven never sends it.
def from_the_oven(sender: object, **kwargs: Any) -> None: ...


pizza_done.connect(from_the_oven, sender=Oven())  # E: signal-receiver[receiver-sender-argument]

store = Store()
pizza_done.send(store, toppings=["basil"])  # E: signal-payload[payload-missing-key]
pizza_done.send(store, size=12, toppings=["basil"], colour="red")  # E: signal-payload[payload-unknown-key]
pizza_done.send(store, size="large", toppings=["basil"])  # E: signal-payload[payload-type]
