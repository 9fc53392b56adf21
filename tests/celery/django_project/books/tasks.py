"""The task receivers: they run in the Celery worker and write a Delivery row."""

from typing import Any

from typedsignals.celery import task_receiver

from .models import Book, Delivery
from .signals import book_checked, book_committed, book_published


def _deliver(receiver: str, sender: type[Book], book: Book, readers: list[str]) -> int:
    delivery = Delivery.objects.create(
        book=book,
        title=book.title,
        sender=sender._meta.label,
        readers=",".join(readers),
        receiver=receiver,
    )
    return delivery.pk


@task_receiver(book_published, sender=Book)
def deliver(sender: type[Book], book: Book, readers: list[str], **kwargs: Any) -> int:
    editor = kwargs.get("editor")
    name = "deliver" if editor is None else f"deliver:{editor.title}"
    return _deliver(name, sender, book, readers)


@task_receiver(book_committed, sender=Book, on_commit=True)
def deliver_after_commit(sender: type[Book], book: Book, readers: list[str], **kwargs: Any) -> int:
    return _deliver("deliver_after_commit", sender, book, readers)


@task_receiver(book_checked, sender=Book, missing_row="raise")
def deliver_or_fail(sender: type[Book], book: Book, readers: list[str], **kwargs: Any) -> int:
    return _deliver("deliver_or_fail", sender, book, readers)
