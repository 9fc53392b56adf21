"""Task receivers in a Django project, in one process (run by test_celery_django.py).

Run by a pytest of its own, in a subprocess, so that Django's settings (the
bookshop project, a sqlite file given as BOOKSHOP_DB) never leak into the
main test process. Eager mode runs a task's body here after a JSON round
trip; kombu's in-memory transport shows what would cross the broker.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import django
import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.settings")
django.setup()

from books.models import Book, Delivery, Novel  # noqa: E402
from books.signals import book_checked, book_committed, book_published  # noqa: E402
from bookshop.celery import app  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from queues import take_messages  # noqa: E402 (tests/celery, beside conftest.py)

from typedsignals import PayloadError  # noqa: E402
from typedsignals.celery import MessageRefused, ModelRowMissing  # noqa: E402

call_command("migrate", run_syncdb=True, verbosity=0)


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    app.conf.task_always_eager = True
    yield
    Delivery.objects.all().delete()
    Book.objects.all().delete()
    assert queued() == []


def queued() -> list[dict[str, Any]]:
    """The task kwargs waiting in the in-memory broker (taken off it), with the task id."""
    found = []
    for message in take_messages(app):
        assert message.content_type == "application/json"
        found.append({"id": message.headers["id"], **message.payload[1]})
    return found


def test_model_instances_and_model_class_senders_travel_by_reference() -> None:
    book = Book.objects.create(title="Dune")
    editor = Novel.objects.create(title="Emma", genre="novel")
    app.conf.task_always_eager = False
    [(_, result)] = book_published.send(Book, book=book, readers=["ann", "bo"], editor=editor)
    [message] = queued()
    assert message["id"] == result.id
    assert message["sender"] == {"model": "books.Book"}
    assert message["payload"] == {
        "book": {"model": "books.Book", "pk": book.pk},
        "readers": ["ann", "bo"],
        "editor": {"model": "books.Novel", "pk": editor.pk},  # a Novel is a Book
    }
    app.conf.task_always_eager = True
    [(_, result)] = book_published.send(Book, book=book, readers=["ann", "bo"], editor=editor)
    delivery = Delivery.objects.get(pk=result.get())
    assert (delivery.book_id, delivery.title, delivery.sender, delivery.readers) == (
        book.pk,
        "Dune",
        "books.Book",
        "ann,bo",
    )
    assert delivery.receiver == "deliver:Emma"  # the editor came back as the Novel row
    [(_, result)] = book_published.send(Book, book=book, readers=[], editor=None)
    assert Delivery.objects.get(pk=result.get()).receiver == "deliver"  # Book | None: None


def test_an_unsaved_instance_is_the_senders_error() -> None:
    with pytest.raises(PayloadError, match=r"'book': cannot be serialised to JSON: .*is not saved"):
        book_published.send(Book, book=Book(title="draft"), readers=[])
    assert Delivery.objects.count() == 0


def _message_for_deleted_book(signal: Any) -> dict[str, Any]:
    book = Book.objects.create(title="Gone")
    app.conf.task_always_eager = False
    signal.send(Book, book=book, readers=["ann"])
    [message] = queued()
    book.delete()
    del message["id"]
    return message


def test_a_deleted_row_skips_the_receiver_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    message = _message_for_deleted_book(book_published)
    with caplog.at_level(logging.WARNING, "typedsignals.celery"):
        result = app.tasks["books.tasks.deliver"].apply(kwargs=message)
    assert result.state == "SUCCESS" and result.result is None
    assert Delivery.objects.count() == 0
    [record] = [r for r in caplog.records if r.name == "typedsignals.celery"]
    assert record.levelno == logging.WARNING
    pk = message["payload"]["book"]["pk"]
    assert record.getMessage().startswith(
        "Skipped task receiver books.tasks.deliver of signal 'book_published' "
        "(Signal[type[Model], Published]) (task books.tasks.deliver["
    )
    assert f"books.Book with pk={pk} no longer exists (database 'default')" in record.getMessage()


def test_a_deleted_row_raises_when_asked(caplog: pytest.LogCaptureFixture) -> None:
    message = _message_for_deleted_book(book_checked)
    with caplog.at_level(logging.ERROR, "typedsignals.celery"):
        result = app.tasks["books.tasks.deliver_or_fail"].apply(kwargs=message)
    assert result.state == "FAILURE"
    assert isinstance(result.result, ModelRowMissing)
    assert result.result.model == "books.Book"
    assert Delivery.objects.count() == 0
    logged = [r.getMessage() for r in caplog.records]
    assert any("Cannot run task receiver books.tasks.deliver_or_fail" in m for m in logged)


def test_on_commit_enqueues_after_the_commit_and_never_after_a_rollback() -> None:
    app.conf.task_always_eager = False
    book = Book.objects.create(title="Later")
    with transaction.atomic():
        [(_, result)] = book_committed.send(Book, book=book, readers=[])
        assert queued() == []  # not before the commit
    [message] = queued()
    assert message["id"] == result.id  # the AsyncResult returned at send time is this task's

    class Abandon(Exception): ...

    with pytest.raises(Abandon), transaction.atomic():
        book_committed.send(Book, book=book, readers=[])
        raise Abandon
    assert queued() == []
    # Outside a transaction (autocommit) Django runs it at once.
    book_committed.send(Book, book=book, readers=[])
    assert len(queued()) == 1


def test_an_invalid_payload_under_on_commit_raises_at_send_time() -> None:
    with pytest.raises(PayloadError), transaction.atomic():
        book_committed.send(Book, book=Book(title="unsaved"), readers=[])


@pytest.mark.parametrize(
    ("book", "problem"),
    [
        ({"model": "books.Nope", "pk": 1}, "no model 'books.Nope' is installed in this worker"),
        ({"model": "books.Delivery", "pk": 1}, "the model books.Delivery is not a Book"),
        ({"model": "books.Book", "pk": True}, "expected a primary key (an int or a str)"),
        ({"model": "books.Book"}, "expected a model reference {'model': ..., 'pk': ...}"),
        ({"model": "books.Book", "pk": 1, "sql": "DROP"}, "expected a model reference"),
    ],
)
def test_a_tampered_model_reference_is_refused(book: dict[str, Any], problem: str) -> None:
    message = {
        "typedsignals": 1,
        "signal": "book_published",
        "sender": {"model": "books.Book"},
        "payload": {"book": book, "readers": []},
    }
    result = app.tasks["books.tasks.deliver"].apply(kwargs=message)
    assert isinstance(result.result, MessageRefused)
    assert problem in str(result.result)
    assert Delivery.objects.count() == 0
