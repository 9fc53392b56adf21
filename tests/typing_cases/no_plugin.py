"""No plugin: what mypy and pyright check from typedsignals' annotations alone.

A line that ends in ``# E`` must get an error from both checkers, ``# E: mypy``
from mypy only (``# E: pyright``: from pyright only); no other line may get one. (Checked by tests/test_pyright.py with mypy without the plugin and
with basedpyright in strict mode.)
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typing_extensions import NotRequired, TypedDict, assert_type

from typedsignals import Signal, receiver


class Store: ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone]()
untyped = Signal()


def plain(sender: Store, **kwargs: Any) -> None: ...
def anonymous(**kwargs: Any) -> None: ...
def wide(sender: object, **kwargs: Any) -> None: ...
async def later(sender: Store, **kwargs: Any) -> None: ...
def no_kwargs(sender: Store) -> None: ...
def wrong_sender(sender: Oven, **kwargs: Any) -> None: ...
def by_position(sender: Store, /, **kwargs: Any) -> None: ...
def with_size(sender: Store, size: int, **kwargs: Any) -> None: ...


class Kitchen:
    def on_done(self, sender: Store, **kwargs: Any) -> str:
        return "done"

    def __call__(self, sender: object, **kwargs: object) -> None: ...


# -- connect: accepted shapes ------------------------------------------------------------
pizza_done.connect(plain)
pizza_done.connect(anonymous)
pizza_done.connect(wide)
pizza_done.connect(later)
pizza_done.connect(Kitchen().on_done)
pizza_done.connect(Kitchen())
pizza_done.connect(plain, sender=Store())
untyped.connect(plain)
untyped.connect(wrong_sender)

# -- connect: refused ----------------------------------------------------------------------
pizza_done.connect(no_kwargs)  # E
pizza_done.connect(wrong_sender)  # E
pizza_done.connect(by_position)  # E
untyped.connect(no_kwargs)  # E
# mypy cannot see the payload keys without the plugin: a payload parameter is refused.
pizza_done.connect(with_size)  # E: mypy

# -- the sender argument of every method ---------------------------------------------------
pizza_done.connect(plain, sender=Oven())  # E
pizza_done.disconnect(plain, sender=Oven())  # E
pizza_done.has_listeners(Oven())  # E
pizza_done.send(Oven(), size=1)  # E
pizza_done.send_robust(Oven(), size=1)  # E
pizza_done.disconnect(plain, sender=Store())
pizza_done.has_listeners(Store())
pizza_done.has_listeners()
untyped.send(Oven(), anything=1)


async def sends() -> None:
    await pizza_done.asend(Oven(), size=1)  # E
    await pizza_done.asend_robust(Oven(), size=1)  # E
    responses = await pizza_done.asend(Store(), size=1)
    assert_type(responses, list[tuple[Callable[..., Any], Any]])


# -- precise types ---------------------------------------------------------------------------
assert_type(pizza_done.send(Store(), size=1), list[tuple[Callable[..., Any], Any]])
assert_type(pizza_done.send_robust(Store(), size=1), list[tuple[Callable[..., Any], Any]])


# -- @receiver -------------------------------------------------------------------------------
@receiver(pizza_done)
def decorated(sender: Store, **kwargs: Any) -> int:
    return 1


assert_type(decorated(Store()), int)  # its own signature: sender may be positional
decorated()  # E


@receiver(pizza_done, sender=Store())
async def decorated_async(sender: Store, **kwargs: Any) -> str:
    return ""


@receiver([pizza_done, untyped])
def on_both(**kwargs: Any) -> None: ...


@receiver(pizza_done)  # E
def decorated_without_kwargs(sender: Store) -> None: ...


@receiver(pizza_done, sender=Oven())  # E
def decorated_wrong_sender_filter(sender: Store, **kwargs: Any) -> None: ...
