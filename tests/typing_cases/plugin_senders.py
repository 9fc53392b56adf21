"""Senders: class senders, and a specific ``sender=`` narrowing what the receiver must accept.

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py).
"""

# ruff: noqa: E501 (expectation comments are long)

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from typedsignals import Signal, receiver


class Model: ...


class Book(Model): ...


class Author(Model): ...


class Saved(TypedDict):
    created: bool


post_save = Signal[type[Model], Saved]()
deleted = Signal[type[Model], Saved]()


class Store: ...


class BigStore(Store): ...


opened = Signal[Store, Saved]()


def on_book(sender: type[Book], **kwargs: Any) -> None: ...
def on_model(sender: type[Model], created: bool, **kwargs: Any) -> None: ...
def on_book_or_author(sender: type[Book] | type[Author], **kwargs: Any) -> None: ...


# -- connect: sender= narrows, as at run time -------------------------------------------------
post_save.connect(on_book, sender=Book)
post_save.connect(on_book)  # E: signal-receiver[receiver-sender-type]
post_save.connect(on_book, sender=Author)  # E: signal-receiver[receiver-sender-type]
post_save.connect(on_book, sender=None)  # E: signal-receiver[receiver-sender-type]
post_save.connect(on_model)
post_save.connect(on_model, sender=Book)
post_save.connect(on_book_or_author, sender=Author)
post_save.connect(on_book, sender=Store)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-sender-argument]


# -- @receiver: the same -------------------------------------------------------------------------
@receiver(post_save, sender=Book)
def book_saved(sender: type[Book], created: bool, **kwargs: Any) -> None: ...


@receiver(post_save)  # E: signal-receiver[receiver-sender-type]
def book_saved_unfiltered(sender: type[Book], **kwargs: Any) -> None: ...


@receiver([post_save, deleted], sender=Book)
def book_changed(sender: type[Book], **kwargs: Any) -> None: ...


@receiver([post_save, deleted], sender=Author)  # E: signal-receiver[receiver-sender-type], signal-receiver[receiver-sender-type]
def book_changed_wrong(sender: type[Book], **kwargs: Any) -> None: ...


# -- object senders ----------------------------------------------------------------------------------
def on_big(sender: BigStore, **kwargs: Any) -> None: ...


big = BigStore()
maybe_big: BigStore | None = big
anything: Any = big
opened.connect(on_big, sender=big)
opened.connect(on_big, sender=maybe_big)
opened.connect(on_big, sender=anything)  # Any: not checked
opened.connect(on_big)  # E: signal-receiver[receiver-sender-type]
opened.connect(on_big, sender=Store())  # E: signal-receiver[receiver-sender-type]


@receiver(opened, sender=big)
def big_opened(sender: BigStore, **kwargs: Any) -> None: ...


# -- rule 6: a specific sender is of the signal's sender type ------------------------------------
def on_anything(sender: object, **kwargs: Any) -> None: ...


opened.connect(on_anything, sender=Book)  # E: signal-receiver[receiver-sender-argument]
opened.connect(on_anything, sender=Store)  # E: signal-receiver[receiver-sender-argument]
post_save.connect(on_anything, sender=Store)  # E: signal-receiver[receiver-sender-argument]
post_save.connect(on_anything, sender=Book())  # E: signal-receiver[receiver-sender-argument]
post_save.connect(on_anything, sender=Book)
opened.connect(on_anything, sender=big)


@receiver(opened, sender=Book())  # E: signal-receiver[receiver-sender-argument]
def opened_by_a_book(sender: object, **kwargs: Any) -> None: ...


@receiver(post_save, sender=Store)  # E: signal-receiver[receiver-sender-argument]
def saved_by_a_store(sender: object, **kwargs: Any) -> None: ...


@receiver([post_save, opened], sender=Book)  # E: signal-receiver[receiver-sender-argument]
def book_or_opened(sender: object, **kwargs: Any) -> None: ...


# static only: check=False skips the runtime validator; statically the argument's type is still checked.
opened.connect(on_anything, sender=Book, check=False)  # E: signal-receiver[receiver-sender-argument]
# static only: check=False skips the runtime validator; statically the argument's type is still checked.
receiver(opened, sender=Book, check=False)(on_anything)  # E: signal-receiver[receiver-sender-argument]
