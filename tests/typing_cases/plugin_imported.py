"""Signals imported from another module of a typed library (tests/typing_cases/pizzalib).

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py).
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from typing import Any

import pizzalib.signals
from pizzalib import PizzaSignal, Store, by_annotation, by_class, pizza_done

from typedsignals import receiver


class Oven: ...


def fine(sender: Store, size: int, note: str = "", **kwargs: Any) -> None: ...
def wrong(sender: Oven, colour: str, **kwargs: Any) -> None: ...


pizza_done.connect(fine)
by_class.connect(fine)
by_annotation.connect(fine)
pizzalib.signals.pizza_done.connect(fine)
pizza_done.connect(wrong)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-unknown-parameter]
by_class.connect(wrong)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-unknown-parameter]
# static only: by_annotation is typed by its annotation; untyped at run time.
by_annotation.connect(wrong)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-unknown-parameter]
pizzalib.signals.by_class.connect(wrong)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-unknown-parameter]
PizzaSignal().connect(wrong)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-unknown-parameter]


@receiver([pizza_done, pizzalib.signals.by_annotation])
def decorated(sender: Store, toppings: list[str], **kwargs: Any) -> None: ...


@receiver(pizzalib.signals.pizza_done)  # E: signal-receiver[receiver-payload-type]
def decorated_wrong(sender: Store, toppings: list[int], **kwargs: Any) -> None: ...


pizza_done.send(Store(), size=1, toppings=[])
by_class.send(Store(), size="1", toppings=[])  # E: signal-payload[payload-type]
pizzalib.signals.by_annotation.send(Store(), size=1)  # E: signal-payload[payload-missing-key]
pizza_done.send(Store(), colour="red")  # E: signal-payload[payload-unknown-key], signal-payload[payload-missing-key], signal-payload[payload-missing-key]
