"""The worker side: the Celery task that runs a task receiver.

``register_task`` makes one task per (receiver, signal), named after the
receiver (``module.qualname``), when the module defining the receiver is
imported: in the worker that is Celery's own import of the project's task
modules (``autodiscover_tasks()``, ``include=[...]``, ``imports``), so the
worker needs no process of ours. The task holds the signal and the receiver
themselves; a worker that never imported the receiver's module does not know
the task, and Celery logs "Received unregistered task of type ..." and drops
the message.

The task body decodes the message (``SignalCodec.decode``): a message that
does not fit is refused (``MessageRefused``, logged at ERROR, never retried)
and a deleted row is skipped or raised (``missing_row``) before the receiver
is called, so a receiver never runs on half a message. A receiver's error is
logged with the signal and receiver names and re-raised into Celery's retry
and failure handling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from asgiref.sync import async_to_sync, iscoroutinefunction
from celery.exceptions import Retry

from .errors import MessageRefused, ModelRowMissing

if TYPE_CHECKING:
    from celery import Celery, Task

    from .serialisation import SignalCodec

__all__ = ["MissingRow", "logger", "register_task"]

logger = logging.getLogger("typedsignals.celery")

#: What the worker does when a model row sent by reference is gone.
MissingRow = Literal["skip", "raise"]


def _outcome(task: Task[Any, Any], exc: Exception) -> str:
    """What Celery does next with a task that raised ``exc``, as far as the task's options say."""
    retry_for: Any = tuple(getattr(task, "autoretry_for", ()))
    never: Any = tuple(getattr(task, "dont_autoretry_for", ()))
    if retry_for and isinstance(exc, retry_for) and not isinstance(exc, never):
        retries: int = task.request.retries
        limit: int | None = task.max_retries
        if limit is None or retries < limit:
            total = "unlimited" if limit is None else str(limit + 1)
            return f"Celery retries it (attempt {retries + 1} of {total})"
    return "the task fails"


def register_task(
    app: Celery,
    *,
    name: str,
    function: Callable[..., Any],
    receiver_text: str,
    codec: SignalCodec,
    missing_row: MissingRow,
    options: dict[str, Any],
) -> Task[Any, Any]:
    """Register the task that runs ``function`` for ``codec.signal`` in a worker.

    Arguments:

        app
            The Celery app to register it with.

        name
            The task's name.

        function
            The receiver.

        receiver_text
            The receiver as messages name it (``module.qualname``).

        codec
            The signal's codec: validates the message and reads it back.

        missing_row
            ``"skip"``: log a warning and do not call the receiver;
            ``"raise"``: raise ``ModelRowMissing`` into Celery's handling.

        options
            Celery task options (``queue``, ``autoretry_for``, ``max_retries``...).
    """
    signal = codec.signal
    call = async_to_sync(function) if iscoroutinefunction(function) else function

    def run(task: Task[Any, Any], *args: object, **message: Any) -> Any:
        where = f"task receiver {receiver_text} of {codec.text} (task {name}[{task.request.id}])"
        try:
            if args:
                raise MessageRefused(
                    f"Message refused for {codec.text}:\n  - positional arguments {args!r}; "
                    "a typedsignals task takes keyword arguments only",
                    ["positional arguments"],
                )
            sender, payload = codec.decode(message)
        except MessageRefused as exc:
            logger.error("Refused a message for %s: the receiver was not called.\n%s", where, exc)
            raise
        except ModelRowMissing as exc:
            if missing_row == "skip":
                logger.warning("Skipped %s: %s; the receiver was not called.", where, exc)
                return None
            logger.error("Cannot run %s: %s.", where, exc)
            raise
        try:
            return call(signal=signal, sender=sender, **payload)
        except Retry:
            raise  # the receiver asked Celery for a retry itself
        except Exception as exc:
            outcome = _outcome(task, exc)
            logger.error("%s raised %r: %s.", where[0].upper() + where[1:], exc, outcome)
            raise

    # Celery compiles a header from the name: it must be an identifier (no <lambda>).
    given: str = getattr(function, "__name__", "")
    run.__name__ = given if given.isidentifier() else "task_receiver"
    run.__qualname__ = getattr(function, "__qualname__", run.__name__)
    run.__module__ = function.__module__
    run.__doc__ = function.__doc__
    never_retried = (MessageRefused, *options.pop("dont_autoretry_for", ()))
    expected = (MessageRefused, *options.pop("throws", ()))
    # celery-types' overloads of app.task() know no **options beside a function.
    make_task: Any = app.task
    task: Task[Any, Any] = make_task(
        run,
        name=name,
        bind=True,
        serializer="json",
        typing=False,  # the body checks its arguments itself, and logs what it refuses
        dont_autoretry_for=never_retried,
        throws=expected,  # Celery logs these at INFO, without a traceback: ours names them
        **options,
    )
    return task
