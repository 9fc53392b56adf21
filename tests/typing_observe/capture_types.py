"""Checked by tests/test_testing_typing.py with mypy (strict, the plugin on): captures are typed."""

from __future__ import annotations

from typing import Any

from typing_extensions import NotRequired, TypedDict, reveal_type

from typedsignals import Signal
from typedsignals.testing import CaptureSignal, capture, connected_to


class Store:
    pass


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone](name="pizza_done")
untyped = Signal()


def kitchen(sender: Store, **kwargs: Any) -> None: ...


with capture(pizza_done, sender=Store()) as captured:
    pizza_done.send(Store(), size=12, toppings=["basil"])

reveal_type(captured.sends[0].payload["size"])  # R: int
reveal_type(captured.sends[0].payload["toppings"])  # R: list[str]
reveal_type(captured.sends[0].sender)  # R: capture_types.Store
reveal_type(captured.payloads[0]["note"])  # R: str
captured.sends[0].payload["colour"]  # E: typeddict-item
captured.assert_sent_once_with(Store(), size=12, toppings=["basil"])

with capture(untyped) as anything:
    pass
reveal_type(anything.sends[0].payload)  # R: Any

with connected_to(kitchen, pizza_done) as connected:
    reveal_type(connected)  # R: def (sender: capture_types.Store, **kwargs: Any)


def test_with_the_fixture(capture_signal: CaptureSignal) -> None:
    fixture_capture = capture_signal(pizza_done, sender=Store())
    reveal_type(fixture_capture.sends[0].payload["size"])  # R: int
    reveal_type(capture_signal(untyped).sends[0].payload)  # R: Any
