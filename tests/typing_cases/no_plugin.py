"""No plugin: what mypy and pyright check from typedsignals' annotations alone.

A line that ends in ``# E`` must get an error from both checkers, ``# E: mypy``
from mypy only (``# E: pyright``: from pyright only); no other line may get one.
(Checked by tests/test_pyright.py with mypy without the plugin and with
basedpyright in strict mode.)

Receivers are not checked here: ``connect`` and ``@receiver`` take any callable
(see typedsignals/protocols.py for why), so that no correct receiver is ever
refused; the plugin and the runtime validator check them. What the annotations
do check: that a receiver is callable, the sender argument of every method,
and the types of what they return.
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from typing_extensions import NotRequired, TypedDict, Unpack, assert_type

from typedsignals import Signal, receiver


class Store: ...


class Oven: ...


class Model: ...


class Book(Model): ...


class PizzaDone(TypedDict):
    size: int
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone]()
post_save = Signal[type[Model], PizzaDone]()
untyped = Signal()


def plain(sender: Store, **kwargs: Any) -> None: ...
def anonymous(**kwargs: Any) -> None: ...
def wide(sender: object, **kwargs: Any) -> None: ...
async def later(sender: Store, **kwargs: Any) -> None: ...
def with_size(sender: Store, size: int, **kwargs: Any) -> None: ...
def keyword_size(*, sender: Store, size: int, **kwargs: object) -> None: ...
def only_size(size: int, **kwargs: Any) -> None: ...
def with_signal(signal: object, sender: Store, size: int, note: str = "", **kwargs: object) -> None: ...
def unpacked(sender: Store, **kwargs: Unpack[PizzaDone]) -> None: ...
def three(sender: Store, size: int, extra: int, **kwargs: Any) -> None: ...
def on_book(sender: type[Book], size: int, **kwargs: Any) -> None: ...


class Kitchen:
    def on_done(self, sender: Store, size: int, **kwargs: Any) -> str:
        return "done"

    def __call__(self, sender: object, size: int, **kwargs: object) -> None: ...


class Handler:
    def __init__(self, sender: Store, size: int, **kwargs: Any) -> None: ...


# -- connect: every correct receiver is accepted ------------------------------------------
pizza_done.connect(plain)
pizza_done.connect(anonymous)
pizza_done.connect(wide)
pizza_done.connect(later)
pizza_done.connect(with_size)
pizza_done.connect(keyword_size)
pizza_done.connect(only_size)
pizza_done.connect(with_signal)
pizza_done.connect(unpacked)
pizza_done.connect(Kitchen().on_done)
pizza_done.connect(Kitchen())
pizza_done.connect(Handler)
pizza_done.connect(functools.partial(three, extra=1))
pizza_done.connect(plain, sender=Store())
post_save.connect(on_book, sender=Book)
untyped.connect(plain)

# -- connect: refused ----------------------------------------------------------------------
pizza_done.connect(42)  # E
pizza_done.connect(plain, sender=Oven())  # E
post_save.connect(on_book, sender=Store)  # E

# -- the sender argument of every method ---------------------------------------------------
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


# -- @receiver: accepted, and the function keeps its own type -------------------------------------
@receiver(pizza_done)
def kitchen(sender: Store, size: int, **kwargs: object) -> int:
    return size


assert_type(kitchen(Store(), 1), int)  # its own signature: sender may be positional
kitchen()  # E


@receiver(pizza_done, sender=Store())
async def decorated_async(sender: Store, **kwargs: Any) -> str:
    return ""


@receiver([pizza_done, untyped])
def on_both(**kwargs: Any) -> None: ...


@receiver(post_save, sender=Book)
def book_saved(sender: type[Book], size: int, **kwargs: Any) -> None: ...


# -- @receiver: a sender= of another type ---------------------------------------------------
# mypy says it cannot infer the sender type; pyright names the argument.
@receiver(pizza_done, sender=Oven())  # E
def decorated_wrong_sender_filter(sender: Store, **kwargs: Any) -> None: ...


# mypy joins type[Model] and type[Store] to `type`, which it takes for type[Any]: only
# pyright (and the plugin, and the runtime) refuse this one.
@receiver(post_save, sender=Store)  # E: pyright
def decorated_wrong_class(sender: object, **kwargs: Any) -> None: ...
