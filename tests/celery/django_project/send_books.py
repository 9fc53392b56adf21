"""The sending process of the Django integration test: ``python send_books.py SCENARIO``.

Prints one JSON line: the ids the test then looks for in the worker's effects.
Scenarios: ``migrate`` (create the tables), ``publish`` (a book, sent as is),
``deleted`` (a book sent, then deleted before the transaction commits, so the
worker never sees it), ``committed`` (sent inside a transaction with a
receiver that waits for the commit).
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshop.settings")
django.setup()

from books.models import Book  # noqa: E402
from books.signals import book_committed, book_published  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402


def main(scenario: str) -> dict[str, object]:
    if scenario == "migrate":
        call_command("migrate", run_syncdb=True, verbosity=0)
        return {}
    if scenario == "publish":
        book = Book.objects.create(title="Dune")
        [(_, result)] = book_published.send(Book, book=book, readers=["ann", "bo"])
        return {"book": book.pk, "task": result.id}
    if scenario == "deleted":
        with transaction.atomic():
            book = Book.objects.create(title="Withdrawn")
            [(_, result)] = book_published.send(Book, book=book, readers=["ann"])
            book_pk = book.pk
            book.delete()
        return {"book": book_pk, "task": result.id}
    if scenario == "committed":
        with transaction.atomic():
            book = Book.objects.create(title="Emma")
            [(_, result)] = book_committed.send(Book, book=book, readers=["cy"])
        return {"book": book.pk, "task": result.id}
    raise SystemExit(f"unknown scenario {scenario!r}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
