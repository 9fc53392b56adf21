"""The shop's typed signals: model instances in the payload, model classes as senders."""

from django.db.models import Model
from typing_extensions import NotRequired, TypedDict

from typedsignals import Signal

from .models import Book


class Published(TypedDict):
    book: Book
    readers: list[str]
    editor: NotRequired[Book | None]


#: Sent by the Book model class (as Django's model signals are) for one book.
book_published = Signal[type[Model], Published](name="book_published")
#: The same payload, for a receiver that waits for the transaction to commit.
book_committed = Signal[type[Model], Published](name="book_committed")
#: The same payload, for a receiver that raises when its row is gone.
book_checked = Signal[type[Model], Published](name="book_checked")
