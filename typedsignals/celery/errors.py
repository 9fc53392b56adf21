"""What the worker side raises when a task cannot run its receiver.

Both carry their whole message as their only argument, so that Celery's JSON
result backend can store them and recreate them (it calls ``cls(*args)``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MessageRefused", "ModelRowMissing"]


class MessageRefused(Exception):
    """A task's message does not fit its signal; the receiver was not called.

    Raised in the worker for a message that is not JSON data, is not a
    typedsignals message, or whose sender or payload does not validate against
    the signal's types (tampered with, or sent by an older version of the
    signal). Never retried: the same message would be refused again.

    Attributes:
        problems: one line per problem found.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class ModelRowMissing(LookupError):
    """A Django model instance sent by reference no longer exists in the worker's database.

    Raised in the worker when ``@task_receiver(..., missing_row="raise")``;
    with the default ``missing_row="skip"`` the task logs a warning and does
    not call the receiver. Celery's ``autoretry_for=(ModelRowMissing,)``
    retries it.

    Attributes:
        model: the model's label, e.g. ``"books.Book"``.
        pk: the primary key that was looked up.
    """

    def __init__(self, message: str, model: str = "", pk: object = None) -> None:
        super().__init__(message)
        self.model = model
        self.pk = pk
