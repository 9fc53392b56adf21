"""A Django project's task receivers in a real worker: rows in a sqlite file both processes share.

The sender is a process of its own (django_project/send_books.py, as a web
request would be); the worker (``celery -A bookshop worker``) reads the book
row the reference names and writes a Delivery row; this test reads it with
sqlite3, without Django.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import Bookshop
from processes import wait_for


def _deliveries(db: Path, book: object) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db, timeout=30) as conn:
        rows = conn.execute(
            "SELECT title, sender, readers, receiver FROM books_delivery WHERE book_id = ?",
            (book,),
        ).fetchall()
    return [tuple(row) for row in rows]


def test_the_worker_reads_the_model_instance_and_writes_a_row(bookshop: Bookshop) -> None:
    sent = bookshop.send("publish")
    wait_for(lambda: _deliveries(bookshop.db, sent["book"]), "the worker's Delivery row",
             details=bookshop.worker.details)  # fmt: skip
    assert _deliveries(bookshop.db, sent["book"]) == [("Dune", "books.Book", "ann,bo", "deliver")]
    bookshop.worker.wait_for_log(f"Task books.tasks.deliver[{sent['task']}] succeeded",
                                 "Celery's success log")  # fmt: skip


def test_a_deleted_row_is_skipped_with_a_warning(bookshop: Bookshop) -> None:
    sent = bookshop.send("deleted")
    log = bookshop.worker.wait_for_log(
        f"Task books.tasks.deliver[{sent['task']}] succeeded", "the skipped task to end"
    )
    assert (
        "WARNING/MainProcess] Skipped task receiver books.tasks.deliver of signal "
        "'book_published' (Signal[type[Model], Published]) "
        f"(task books.tasks.deliver[{sent['task']}]): books.Book with pk={sent['book']} "
        "no longer exists (database 'default'); the receiver was not called."
    ) in log
    assert _deliveries(bookshop.db, sent["book"]) == []


def test_on_commit_enqueues_once_the_transaction_commits(bookshop: Bookshop) -> None:
    sent = bookshop.send("committed")
    wait_for(lambda: _deliveries(bookshop.db, sent["book"]), "the worker's Delivery row",
             details=bookshop.worker.details)  # fmt: skip
    assert _deliveries(bookshop.db, sent["book"]) == [
        ("Emma", "books.Book", "cy", "deliver_after_commit")
    ]
