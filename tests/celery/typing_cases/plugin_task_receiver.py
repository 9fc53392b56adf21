"""The plugin at ``@task_receiver(...)``: the same five rules as ``@receiver``.

``# E: code[rule-id]`` marks each expected error (tests/celery/test_celery_mypy.py);
the same statements run at run time must be refused with the same rules.
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from celery import Celery
from typing_extensions import NotRequired, TypedDict, assert_type

from typedsignals import Signal
from typedsignals.celery import task_receiver


class Store: ...


class Branch(Store): ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]


class OvenHot(TypedDict):
    degrees: float
    size: NotRequired[int]


app = Celery("typing_cases", set_as_current=False)
pizza_done = Signal[type[Store], PizzaDone](name="pizza_done")
oven_hot = Signal[type[Oven], OvenHot](name="oven_hot")
F = TypeVar("F", bound=Callable[..., Any])


def logged(func: F) -> F:
    return func


@task_receiver(pizza_done, app=app, queue="kitchen", countdown=1)
def kitchen(sender: type[Store], size: int, toppings: list[str], **kwargs: Any) -> str:
    return ""


assert_type(kitchen(Store, 1, []), str)  # the function's own type is kept


@task_receiver(pizza_done, app=app)  # E: signal-receiver[receiver-kwargs]
def no_kwargs(sender: type[Store]) -> None: ...


@task_receiver(pizza_done, app=app)  # E: signal-receiver[receiver-sender-type]
def wrong_sender(sender: type[Oven], **kwargs: Any) -> None: ...


@task_receiver(pizza_done, app=app)  # E: signal-receiver[receiver-unknown-parameter]
def wants_colour(sender: type[Store], colour: str, **kwargs: Any) -> None: ...


@task_receiver(pizza_done, app=app)  # E: signal-receiver[receiver-payload-type]
def wrong_size(sender: type[Store], size: str, **kwargs: Any) -> None: ...


@task_receiver(pizza_done, app=app)  # E: signal-receiver[receiver-positional-only]
def by_position(sender: type[Store], /, **kwargs: Any) -> None: ...


@task_receiver(pizza_done, sender=Branch, app=app)
def for_a_branch(sender: type[Branch], **kwargs: Any) -> None: ...


@task_receiver(pizza_done, app=app)  # E: signal-receiver[receiver-sender-type]
def branch_without_sender(sender: type[Branch], **kwargs: Any) -> None: ...


@task_receiver([pizza_done, oven_hot], app=app)
def both(sender: object, size: int = 0, **kwargs: Any) -> None: ...


@task_receiver([pizza_done, oven_hot], app=app)  # E: signal-receiver[receiver-unknown-parameter]
def needs_size(sender: object, size: int, **kwargs: Any) -> None: ...


@logged
@task_receiver(oven_hot, app=app, autoretry_for=(OSError,), max_retries=3)  # E: signal-receiver[receiver-payload-type]
def cold(sender: type[Oven], degrees: int, **kwargs: Any) -> None: ...
