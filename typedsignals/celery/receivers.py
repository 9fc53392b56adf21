"""``@task_receiver``: a receiver that runs in a Celery worker, and what it connects.

The decorated function is checked by the receiver rules as ``@receiver``
checks it, and is not connected itself: a ``TaskReceiver`` is, one per
signal, which at each send validates and serialises the sender and payload
(``serialisation.py``) and enqueues the task (``tasks.py``) that calls the
function in a worker. Its response in the send's list is the task's
``AsyncResult``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, overload

from celery import Celery, Task, uuid
from celery.exceptions import ImproperlyConfigured
from celery.result import AsyncResult

from typedsignals import Signal
from typedsignals.validation import check_receiver, signal_text

from .serialisation import SignalCodec
from .tasks import MissingRow, register_task

if TYPE_CHECKING:
    from typedsignals.protocols import ReceiverDecorator

__all__ = ["TaskReceiver", "task_receiver"]

SenderT = TypeVar("SenderT")
_FunctionT = TypeVar("_FunctionT", bound=Callable[..., Any])

#: Options given to each ``apply_async``; every other option is the task's (``app.task``).
#: Routing is here too: Celery 5.5+ deprecates routing attributes on tasks.
APPLY_OPTIONS = frozenset(
    {
        "countdown", "eta", "expires", "retry", "retry_policy", "link", "link_error",
        "headers", "shadow", "queue", "exchange", "exchange_type", "routing_key",
        "delivery_mode", "priority",
    }
)  # fmt: skip
_REFUSED_OPTIONS = {
    "bind": "a task receiver is called with signal, sender and the payload, never the task",
    "typing": "the task checks its message itself",
    "pydantic": "typedsignals validates the payload with pydantic itself",
}


class TaskReceiver:
    """What ``@task_receiver`` connects to a signal: it enqueues the task of a receiver.

    Called by the signal as any receiver, it validates and serialises the
    sender and payload (a ``PayloadError`` if they do not fit: nothing is
    enqueued) and enqueues the task, now or, with ``on_commit``, when the
    current database transaction commits. It returns the task's
    ``AsyncResult`` (with ``on_commit``, for the task id it will have).

    Attributes:
        function: the decorated receiver, which the worker calls.
        signal: the signal it is connected to.
        task: the Celery task.
        dispatch_uid: its lookup key on the signal,
            ``("typedsignals.celery", task name)``.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        codec: SignalCodec,
        task: Task[Any, Any],
        name: str,
        apply_options: dict[str, Any],
        on_commit: Callable[[Callable[[], object]], None] | None,
    ) -> None:
        self.function = function
        self.signal = codec.signal
        self.task = task
        self.dispatch_uid: Hashable = ("typedsignals.celery", name)
        self._codec = codec
        self._name = name
        self._apply_options = apply_options
        self._on_commit = on_commit

    def __repr__(self) -> str:
        return f"<TaskReceiver {self._name} for {self._codec.text}>"

    def __call__(self, signal: object, sender: object, **named: Any) -> AsyncResult[Any]:
        """Validate, serialise and enqueue a send (see the class)."""
        message = self._codec.encode(sender, named)
        if self._on_commit is None:
            return self.task.apply_async(kwargs=message, **self._apply_options)
        task_id = uuid()
        self._on_commit(
            partial(self.task.apply_async, kwargs=message, task_id=task_id, **self._apply_options)
        )
        return self.task.AsyncResult(task_id)


def _celery_app(app: Celery | None) -> Celery:
    """``app``, or the current Celery app; ImproperlyConfigured if there is none."""
    if app is not None:
        if not isinstance(app, Celery):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"task_receiver(app=...) takes a Celery app; got {app!r}.")
        return app
    # Celery's current_app would make a fallback app ("default", a broker on
    # localhost) when none exists: look without creating one.
    from celery import _state

    state: Any = _state  # celery-types omits these attributes
    current: Celery | None = state._tls.current_app
    if current is None:
        fallback: Any = state.default_app
        made_by_celery = fallback is not None and fallback.main == "default"
        if fallback is not None and not (made_by_celery and not fallback.set_as_current):
            current = fallback
    if current is None:
        raise ImproperlyConfigured(
            "task_receiver() found no Celery app: pass app=your_celery_app, or create the app "
            "(Celery('proj')) before the modules defining task receivers are imported (in "
            "Django, import proj/celery.py from proj/__init__.py, as Celery's guide does)."
        )
    return current


def _on_commit_hook() -> Callable[[Callable[[], object]], None]:
    try:
        from django.db import transaction
    except ImportError:
        raise ImportError(
            "task_receiver(on_commit=True) needs Django: pip install 'typedsignals[django]'."
        ) from None
    return transaction.on_commit


def _task_name(function: Callable[..., Any], given: str | None) -> str:
    if given is not None:
        return given
    qualname: str = getattr(function, "__qualname__", "")
    module: str = getattr(function, "__module__", "") or ""
    if not qualname or "<" in qualname or module == "__main__":
        raise ValueError(
            f"task_receiver() cannot name a task for {module}.{qualname}: a worker finds a "
            "task receiver by importing the module that defines it, so it must be a function "
            "at module level of an importable module (not __main__, a lambda or a local "
            "function), or be given a task name: @task_receiver(..., name='app.tasks.f')."
        )
    return f"{module}.{qualname}"


def _check_options(options: dict[str, Any], missing_row: object, signals: int) -> None:
    for option, why in _REFUSED_OPTIONS.items():
        if option in options:
            raise TypeError(f"task_receiver() does not take the Celery option {option}=: {why}.")
    serializer = options.pop("serializer", "json")
    if serializer != "json":
        raise ValueError(
            f"task_receiver(serializer={serializer!r}): only JSON crosses the broker; "
            "the task's serializer is always 'json'."
        )
    if missing_row not in ("skip", "raise"):
        raise ValueError(
            f"task_receiver(missing_row=...) is 'skip' or 'raise'; got {missing_row!r}."
        )
    if signals > 1 and "name" in options:
        raise TypeError("task_receiver(name=...) names one task: give it a single signal.")


@overload
def task_receiver(
    signal: Signal[SenderT, Any],
    *,
    sender: SenderT | None = None,
    app: Celery | None = None,
    on_commit: bool = False,
    missing_row: MissingRow = "skip",
    **celery_options: Any,
) -> ReceiverDecorator[SenderT]: ...
@overload
def task_receiver(
    signal: Sequence[Signal[Any, Any]],
    *,
    sender: Any = None,
    app: Celery | None = None,
    on_commit: bool = False,
    missing_row: MissingRow = "skip",
    **celery_options: Any,
) -> ReceiverDecorator[Any]: ...
def task_receiver(
    signal: Signal[Any, Any] | Sequence[Signal[Any, Any]],
    *,
    sender: Any = None,
    app: Celery | None = None,
    on_commit: bool = False,
    missing_row: MissingRow = "skip",
    **celery_options: Any,
) -> Callable[[_FunctionT], _FunctionT]:
    """A decorator making the decorated function a receiver that runs in a Celery worker.

    ::

        @task_receiver(book_published, sender=Publisher, queue="mail", autoretry_for=(OSError,))
        def mail_readers(sender: type[Publisher], book: Book, **kwargs: Any) -> None: ...

    The function is checked by the receiver rules now (``ReceiverError``) and
    returned unchanged; each send validates the payload, serialises it to JSON
    and enqueues a task that calls the function in a worker.

    Arguments:

        signal
            A signal, or a list of signals, whose payload types are known at run
            time (``Signal[S, P]()``); one task per signal.

        sender
            Receive only the sends of this sender, as with ``@receiver``.

        app
            The Celery app to register the task with; default: the current app
            (``ImproperlyConfigured`` if there is none).

        on_commit
            Enqueue when the current database transaction commits (Django's
            ``transaction.on_commit``), or never if it rolls back.

        missing_row
            What the worker does when a model instance sent by reference has
            been deleted: ``"skip"`` (log a warning, do not call the receiver)
            or ``"raise"`` (``ModelRowMissing``, for Celery's retry and failure
            handling).

        celery_options
            Celery's options: ``queue``, ``countdown``, ``eta``, ``expires``,
            ``priority``, ``link``... go to each ``apply_async``; the rest
            (``autoretry_for``, ``max_retries``, ``retry_backoff``,
            ``acks_late``, ``time_limit``, ``name``...) to ``app.task``. The
            serializer is always JSON.
    """
    signals: list[Any] = list(signal) if isinstance(signal, (list, tuple)) else [signal]
    for s in signals:
        if not isinstance(s, Signal):
            raise TypeError(
                "task_receiver() takes a Signal or a list of Signals; got "
                f"{type(s).__qualname__} {s!r}."
            )
    celery_app = _celery_app(app)
    _check_options(celery_options, missing_row, len(signals))
    hook = _on_commit_hook() if on_commit else None
    apply_options = {k: celery_options.pop(k) for k in list(celery_options) if k in APPLY_OPTIONS}
    given_name: str | None = celery_options.pop("name", None)

    def _decorator(func: _FunctionT) -> _FunctionT:
        if not callable(func):
            raise TypeError(f"Signal receivers must be callable. Got {func!r}.")
        for s in signals:
            check_receiver(s, func, sender)
        codecs = [SignalCodec(s) for s in signals]
        base = _task_name(func, given_name)
        names = [base] if len(signals) == 1 else [f"{base}[{c.label}]" for c in codecs]
        if len(set(names)) != len(names):
            raise ValueError(
                f"task_receiver(): the signals {', '.join(signal_text(s) for s in signals)} "
                "would share a task name: give each signal a name of its own, "
                "Signal(name='...')."
            )
        text = base if given_name is None else f"{func.__module__}.{func.__qualname__}"
        for codec, name in zip(codecs, names, strict=True):
            task = register_task(
                celery_app,
                name=name,
                function=func,
                receiver_text=text,
                codec=codec,
                missing_row=missing_row,
                options=dict(celery_options),
            )
            proxy = TaskReceiver(func, codec, task, name, apply_options, hook)
            # Checked above, against the function itself; the proxy takes anything.
            codec.signal.connect(
                proxy, sender=sender, weak=False, dispatch_uid=proxy.dispatch_uid, check=False
            )
        return func

    return _decorator
