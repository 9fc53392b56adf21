"""The plugin and generics: generic Signal subclasses, generic TypedDict payloads, and
values whose type holds a type variable (judged by its bound).

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py); the
runtime must refuse the same lines for the same rules.
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from typing import Any, Generic, TypeVar

from typing_extensions import NotRequired, Self, TypedDict

from typedsignals import Signal, receiver


class Model: ...


class Book(Model): ...


class Store: ...


class Archived(TypedDict):
    reason: str


M = TypeVar("M", bound=Model)
P = TypeVar("P")
T = TypeVar("T")
StoreT = TypeVar("StoreT", bound=Store)


class ModelSignal(Signal[type[M], P], Generic[M, P]):
    """The sender is a model class."""


book_archived = ModelSignal[Book, Archived]()


def on_book(sender: type[Book], reason: str, **kwargs: Any) -> None: ...
def on_model(sender: type[Model], **kwargs: Any) -> None: ...
def on_store(sender: type[Store], **kwargs: Any) -> None: ...
def wrong_reason(sender: type[Book], reason: int, **kwargs: Any) -> None: ...


book_archived.connect(on_book)
book_archived.connect(on_model)
book_archived.connect(on_store)  # E: signal-receiver[receiver-sender-type]
book_archived.connect(wrong_reason)  # E: signal-receiver[receiver-payload-type]
book_archived.connect(on_book, sender=Book)
book_archived.connect(on_model, sender=Model)  # E: signal-receiver[receiver-sender-argument]


@receiver(book_archived)  # E: signal-receiver[receiver-sender-type]
def decorated_store(sender: type[Store], **kwargs: Any) -> None: ...


book_archived.send(Book, reason="old")
book_archived.send(Book, reason=1)  # E: signal-payload[payload-type]


# -- generic TypedDict payloads -------------------------------------------------------------------
class Event(TypedDict, Generic[T]):
    value: T
    previous: NotRequired[T]


counted = Signal[Store, Event[int]]()


def on_count(sender: Store, value: int, previous: int = 0, **kwargs: Any) -> None: ...
def on_text(sender: Store, value: str, **kwargs: Any) -> None: ...
def needs_previous(sender: Store, previous: int, **kwargs: Any) -> None: ...


counted.connect(on_count)
counted.connect(on_text)  # E: signal-receiver[receiver-payload-type]
counted.connect(needs_previous)  # E: signal-receiver[receiver-unknown-parameter]
counted.send(Store(), value=1)
counted.send(Store(), value="1")  # E: signal-payload[payload-type]


# -- values whose type holds a type variable: judged by its bound ------------------------------------
class Saved(TypedDict):
    instance: Model


saved = Signal[type[Model], Saved]()
opened = Signal[Store, Archived]()


class Stored(Model):
    @classmethod
    def create(cls) -> Self:
        made = cls()
        saved.send(cls, instance=made)  # Self is a Stored, so a Model
        saved.send(type(made), instance=made)
        saved.send(cls, instance=cls)  # E: signal-payload[payload-type]
        return made


def send_generic(instance: M) -> M:
    saved.send(type(instance), instance=instance)
    return instance


def send_unrelated(instance: StoreT) -> StoreT:
    saved.send(Model, instance=instance)  # E: signal-payload[payload-type]
    return instance


def on_stored(sender: type[Stored], **kwargs: Any) -> None: ...


class Shop(Store):
    def open(self) -> Self:
        opened.connect(on_shop, sender=self)
        return self


def on_shop(sender: Shop, **kwargs: Any) -> None: ...
def on_big_shop(sender: BigShop, **kwargs: Any) -> None: ...


class BigShop(Shop):
    pass


# static only: a function body, not run by the runtime comparison.
def connect_generic(shop: StoreT) -> StoreT:
    opened.connect(on_shop, sender=shop)  # E: signal-receiver[receiver-sender-type]
    return shop


saved.connect(on_stored, sender=Stored)
saved.connect(on_stored)  # E: signal-receiver[receiver-sender-type]
opened.connect(on_big_shop, sender=BigShop())
opened.connect(on_big_shop, sender=Shop())  # E: signal-receiver[receiver-sender-type]
