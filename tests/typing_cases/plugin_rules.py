"""The plugin at connect(): each receiver rule refused and accepted, every kind of callable.

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py).
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from typing import Any, TypeVar, overload

from typing_extensions import NotRequired, TypedDict

from typedsignals import Signal


class Store: ...


class Oven: ...


class PizzaDone(TypedDict):
    size: int
    toppings: list[str]
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone]()
untyped = Signal()
T = TypeVar("T")
StoreT = TypeVar("StoreT", bound=Store)


# -- rule 1: **kwargs ---------------------------------------------------------------------
def no_kwargs(sender: Store, size: int, toppings: list[str]) -> None: ...
def with_kwargs(sender: Store, **kwargs: Any) -> None: ...
def only_kwargs(**kwargs: object) -> None: ...


pizza_done.connect(no_kwargs)  # E: signal-receiver[receiver-kwargs]
untyped.connect(no_kwargs)  # E: signal-receiver[receiver-kwargs]
pizza_done.connect(with_kwargs)
pizza_done.connect(only_kwargs)
pizza_done.connect(lambda **kwargs: None)
pizza_done.connect(lambda sender: None)  # E: signal-receiver[receiver-kwargs]


# -- rule 2: the sender's type --------------------------------------------------------------
def wrong_sender(sender: Oven, **kwargs: Any) -> None: ...
def object_sender(sender: object, **kwargs: Any) -> None: ...
def optional_sender(sender: Store | None, **kwargs: Any) -> None: ...
def generic_sender(sender: T, **kwargs: Any) -> list[T]:
    return [sender]


def bound_sender(sender: StoreT, **kwargs: Any) -> list[StoreT]:
    return [sender]



def keyword_sender(*, sender: Store, **kwargs: Any) -> None: ...
def default_sender(sender: Oven | None = None, **kwargs: Any) -> None: ...


pizza_done.connect(wrong_sender)  # E: signal-receiver[receiver-sender-type]
pizza_done.connect(default_sender)  # E: signal-receiver[receiver-sender-type]
untyped.connect(wrong_sender)
pizza_done.connect(object_sender)
pizza_done.connect(optional_sender)
pizza_done.connect(generic_sender)
pizza_done.connect(bound_sender)
pizza_done.connect(keyword_sender)


# -- rule 3: unknown parameters, NotRequired keys ---------------------------------------------
def unknown(sender: Store, colour: str, **kwargs: Any) -> None: ...
def unknown_with_default(sender: Store, colour: str = "red", **kwargs: Any) -> None: ...
def payload_keys(sender: Store, size: int, toppings: list[str], **kwargs: Any) -> None: ...
def keyword_only_keys(*, size: int, signal: object, **kwargs: Any) -> None: ...
def not_required(sender: Store, note: str, **kwargs: Any) -> None: ...
def not_required_default(sender: Store, note: str = "", **kwargs: Any) -> None: ...


pizza_done.connect(unknown)  # E: signal-receiver[receiver-unknown-parameter]
pizza_done.connect(not_required)  # E: signal-receiver[receiver-unknown-parameter]
untyped.connect(unknown)
pizza_done.connect(unknown_with_default)
pizza_done.connect(payload_keys)
pizza_done.connect(keyword_only_keys)
pizza_done.connect(not_required_default)


# -- rule 4: payload parameter types ----------------------------------------------------------
def wrong_size(size: str, **kwargs: Any) -> None: ...
def wrong_toppings(toppings: list[int], **kwargs: Any) -> None: ...
def wide_size(size: float, toppings: object, **kwargs: Any) -> None: ...
def wrong_note(note: int = 0, **kwargs: Any) -> None: ...
def two_wrongs(sender: Oven, size: str, **kwargs: Any) -> None: ...


pizza_done.connect(wrong_size)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(wrong_toppings)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(wrong_note)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(two_wrongs)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-payload-type]
untyped.connect(wrong_size)
pizza_done.connect(wide_size)


# -- rule 5: positional-only parameters ---------------------------------------------------------
def positional_sender(sender: Store, /, **kwargs: Any) -> None: ...
def positional_default(sender: Store | None = None, /, **kwargs: Any) -> None: ...
def star_args(*args: Any, **kwargs: Any) -> None: ...


pizza_done.connect(positional_sender)  # E: signal-receiver[receiver-positional-only]
untyped.connect(positional_sender)  # E: signal-receiver[receiver-positional-only]
pizza_done.connect(positional_default)
pizza_done.connect(star_args)


# -- every kind of callable ----------------------------------------------------------------------
class Kitchen:
    def on_done(self, sender: Store, size: int, **kwargs: object) -> str:
        return ""

    def on_wrong(self, sender: Store, colour: str, **kwargs: object) -> None: ...

    @staticmethod
    def static(sender: Store, **kwargs: object) -> None: ...

    @classmethod
    def klass(cls, size: str, **kwargs: object) -> None: ...

    def __call__(self, sender: Store, size: int, **kwargs: object) -> None: ...


class BadCallable:
    def __call__(self, sender: Store) -> None: ...


class Handler:
    def __init__(self, sender: Store, **kwargs: Any) -> None: ...


@overload
def overloaded(sender: Store, **kwargs: Any) -> None: ...
@overload
def overloaded(sender: Oven, **kwargs: Any) -> None: ...
def overloaded(sender: object, **kwargs: Any) -> None: ...


kitchen = Kitchen()
pizza_done.connect(kitchen.on_done)
pizza_done.connect(kitchen.on_wrong)  # E: signal-receiver[receiver-unknown-parameter]
pizza_done.connect(Kitchen.on_done)  # E: signal-receiver[receiver-unknown-parameter]
pizza_done.connect(Kitchen.static)
pizza_done.connect(Kitchen.klass)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(kitchen)
pizza_done.connect(BadCallable())  # E: signal-receiver[receiver-kwargs]
pizza_done.connect(Handler)
pizza_done.connect(overloaded)  # an overload: the runtime reads the implementation, mypy can't

# -- check=False: the runtime skips the rules, so does the plugin --------------------------------
pizza_done.connect(no_kwargs, check=False)
pizza_done.connect(wrong_size, weak=False, check=False)
pizza_done.connect(wrong_size, check=True)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(42)  # E: arg-type
