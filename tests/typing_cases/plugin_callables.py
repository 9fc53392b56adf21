"""The plugin on receivers that are not plain functions: partials, overloads, classes,
``**kwargs: Unpack[TD]`` (PEP 692).

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py); the
runtime must refuse the same lines for the same rules, except where marked
``# static only`` (the runtime reads an overloaded function's implementation).
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

import functools
from typing import Any, overload

from typing_extensions import NotRequired, TypedDict, Unpack

from typedsignals import Signal, receiver


class Store: ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone]()
either = Signal[Store | Oven, PizzaDone]()


# -- functools.partial: what is left of the signature once the partial's arguments are bound -----
# (mypy records it from 1.11 on; older versions see partial.__call__ and check nothing.)
def no_kwargs(sender: Store, size: int, extra: int) -> None: ...
def wants_extra(sender: Store, size: int, extra: int, **kwargs: Any) -> None: ...
def extra_size(sender: Store, extra: int, size: str = "", **kwargs: Any) -> None: ...


pizza_done.connect(functools.partial(no_kwargs))  # E: signal-receiver[receiver-kwargs], signal-receiver[receiver-unknown-parameter]  # mypy>=1.11
pizza_done.connect(functools.partial(no_kwargs, extra=1))  # E: signal-receiver[receiver-kwargs]  # mypy>=1.11
pizza_done.connect(functools.partial(wants_extra, extra=1))
pizza_done.connect(functools.partial(wants_extra))  # E: signal-receiver[receiver-unknown-parameter]  # mypy>=1.11
pizza_done.connect(functools.partial(extra_size, extra=1))  # E: signal-receiver[receiver-payload-type]  # mypy>=1.11
pizza_done.connect(functools.partial(extra_size, extra=1, size="large"))  # E: signal-receiver[receiver-payload-type]  # mypy>=1.11
receiver(pizza_done)(functools.partial(no_kwargs, extra=2))  # E: signal-receiver[receiver-kwargs]  # mypy>=1.11


# -- overloads: one overload that takes the call is enough ---------------------------------------
@overload
def store_or_oven(sender: Store, **kwargs: Any) -> None: ...
@overload
def store_or_oven(sender: Oven, **kwargs: Any) -> None: ...
def store_or_oven(sender: object, **kwargs: Any) -> None: ...


@overload
def never_kwargs(sender: Store) -> None: ...
@overload
def never_kwargs(sender: Oven) -> None: ...
def never_kwargs(sender: object, **kwargs: Any) -> None: ...


@overload
def ovens_only(sender: Oven, **kwargs: Any) -> None: ...
@overload
def ovens_only(sender: Oven, size: int, **kwargs: Any) -> None: ...
def ovens_only(sender: object, *args: Any, **kwargs: Any) -> None: ...


pizza_done.connect(store_or_oven)
either.connect(store_or_oven)  # a Store sender takes the first, an Oven the second
# static only: the runtime reads the implementation, which takes **kwargs.
pizza_done.connect(never_kwargs)  # E: signal-receiver[receiver-kwargs], signal-receiver[receiver-kwargs], signal-receiver[receiver-sender-type]
# static only: the runtime reads the implementation, which takes any sender.
pizza_done.connect(ovens_only)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-sender-type]
# static only: the runtime reads the implementation, which takes any sender.
either.connect(ovens_only)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-sender-type]


# -- PEP 692: **kwargs: Unpack[TD] is TD's keys, each of its type ------------------------------
class Sized(TypedDict):
    size: int


class Coloured(TypedDict):
    size: int
    colour: str


class SizedLater(TypedDict, total=False):
    size: int
    note: str


class WrongSize(TypedDict):
    size: str


def unpacked(sender: Store, **kwargs: Unpack[Sized]) -> None: ...
def unpacked_colour(sender: Store, **kwargs: Unpack[Coloured]) -> None: ...
def unpacked_later(**kwargs: Unpack[SizedLater]) -> None: ...
def unpacked_wrong(sender: Store, **kwargs: Unpack[WrongSize]) -> None: ...


pizza_done.connect(unpacked)
pizza_done.connect(unpacked_later)
pizza_done.connect(unpacked_colour)  # E: signal-receiver[receiver-unknown-parameter]
pizza_done.connect(unpacked_wrong)  # E: signal-receiver[receiver-payload-type]


@receiver(pizza_done)  # E: signal-receiver[receiver-payload-type]
def decorated_unpacked(**kwargs: Unpack[WrongSize]) -> None: ...


# -- classes: their constructor is what the dispatcher calls --------------------------------------
class Handler:
    def __init__(self, sender: Store, size: int, **kwargs: Any) -> None: ...


class WrongHandler:
    def __init__(self, sender: Store, size: str, **kwargs: Any) -> None: ...


class StrictHandler:
    def __init__(self, sender: Store) -> None: ...


class NewHandler:
    def __new__(cls, sender: Oven, **kwargs: Any) -> NewHandler:
        return super().__new__(cls)


pizza_done.connect(Handler)
pizza_done.connect(WrongHandler)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(StrictHandler)  # E: signal-receiver[receiver-kwargs]
pizza_done.connect(NewHandler)  # E: signal-receiver[receiver-sender-type]
