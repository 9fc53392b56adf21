"""The plugin at ``@receiver(...)``: one signal, lists, tuples, stacked decorators, calls.

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py); an
error about a decorated function is reported on its ``@receiver(...)`` line.
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from typing_extensions import NotRequired, TypedDict, assert_type

from typedsignals import Signal, receiver


class Store: ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]


class OvenHot(TypedDict):
    degrees: float
    size: NotRequired[int]


pizza_done = Signal[Store, PizzaDone]()
oven_hot = Signal[Oven, OvenHot]()
untyped = Signal()
F = TypeVar("F", bound=Callable[..., Any])


def logged(func: F) -> F:
    return func


@receiver(pizza_done)
def kitchen(sender: Store, size: int, toppings: list[str], **kwargs: Any) -> str:
    return ""


assert_type(kitchen(Store(), 1, []), str)  # the function's own type is kept


@receiver(pizza_done)  # E: signal-receiver[receiver-kwargs]
def no_kwargs(sender: Store) -> None: ...


@receiver(pizza_done)  # E: signal-receiver[receiver-unknown-parameter]
def wants_colour(sender: Store, colour: str, **kwargs: Any) -> None: ...


@receiver(pizza_done)  # E: signal-receiver[receiver-payload-type], signal-receiver[receiver-positional-only]
def several(extra: int, /, size: str, **kwargs: Any) -> None: ...


@receiver(untyped)
def anything(sender: Oven, colour: str, **kwargs: Any) -> None: ...


# -- lists and tuples: each signal is checked --------------------------------------------------
@receiver([pizza_done, oven_hot])  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-unknown-parameter]
def on_both(sender: Store, size: int, **kwargs: Any) -> None: ...


@receiver((pizza_done, oven_hot))  # E: signal-receiver[receiver-sender-type]
def on_both_tuple(sender: Store, **kwargs: Any) -> None: ...


@receiver([pizza_done, oven_hot])
def on_both_fine(sender: Store | Oven, size: int = 0, **kwargs: Any) -> None: ...


@receiver([pizza_done, untyped])  # E: signal-receiver[receiver-kwargs], signal-receiver[receiver-kwargs]
def on_both_no_kwargs(sender: object) -> None: ...


signals = [pizza_done, untyped]


@receiver(signals)  # a list not written out: only the rules that need no types
def from_variable(sender: object, colour: str = "", **kwargs: Any) -> None: ...


@receiver(signals)  # E: signal-receiver[receiver-kwargs]
def from_variable_no_kwargs(sender: object) -> None: ...


# -- stacked decorators, methods, explicit calls, aliases ------------------------------------------
@logged
@receiver(pizza_done)  # E: signal-receiver[receiver-payload-type]
@logged
def stacked(size: str, **kwargs: Any) -> None: ...


@receiver(pizza_done)
@receiver(oven_hot)  # E: signal-receiver[receiver-sender-type]
def twice(sender: Store, **kwargs: Any) -> None: ...


class Kitchen:
    @receiver(pizza_done)  # E: signal-receiver[receiver-unknown-parameter]
    def method(self, sender: Store, **kwargs: Any) -> None: ...

    @staticmethod
    @receiver(pizza_done)
    def static(sender: Store, **kwargs: Any) -> None: ...


def later(sender: Store, size: str, **kwargs: Any) -> None: ...


receiver(pizza_done)(later)  # E: signal-receiver[receiver-payload-type]
connect_oven = receiver(oven_hot)


@connect_oven  # E: signal-receiver[receiver-sender-type]
def aliased(sender: Store, **kwargs: Any) -> None: ...


@connect_oven
def aliased_fine(sender: Oven, degrees: float, **kwargs: Any) -> None: ...


# -- check=False: not checked, as at run time --------------------------------------------------------
@receiver(pizza_done, check=False)
def unchecked(sender: Oven) -> None: ...


@receiver(pizza_done, weak=False, dispatch_uid="x")  # E: signal-receiver[receiver-kwargs]
def other_arguments(sender: Store) -> None: ...
