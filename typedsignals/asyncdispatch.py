"""Calling async receivers, and sync receivers from async code, as Django 6.1 does.

Django 6.1 runs the async receivers of a dispatch with ``_run_parallel``: an
``asyncio.TaskGroup`` whose tasks all share one copy of the caller's context,
copied back into the caller's context afterwards (``_restore_context``). So:

* each receiver has a task of its own (``asyncio.current_task()`` differs, and
  ``asyncio.timeout()`` inside one cancels only that one);
* what receivers set in contextvars is seen by the receivers that run after
  them and by the caller once the dispatch is over;
* the first receiver to fail cancels the others; one failure raises that
  exception itself, several raise an ``ExceptionGroup``; a receiver whose task
  ends cancelled (it raised ``CancelledError``) responds None;
* cancelling the dispatch cancels its receivers and waits for them.

``_Group`` is the part of ``TaskGroup`` that ``_run_parallel`` relies on, so
that the same code runs on Python 3.10 (no TaskGroup, no ``context=`` for
tasks: ``_InContext`` steps a receiver inside the shared context) and starts
tasks eagerly on 3.12+ (a receiver that does not suspend finishes inside
``Task()`` and is never scheduled).

``asend`` first runs the sync receivers in one ``sync_to_async`` hop, awaited
in the caller's task, then the async ones; ``send`` runs the async ones
through ``async_to_sync``. asgiref carries contextvars across both.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from types import CoroutineType
from typing import Any, cast

from asgiref.sync import async_to_sync, sync_to_async

if sys.version_info >= (3, 11):
    _BaseExceptionGroup = BaseExceptionGroup  # noqa: F821 - a builtin from 3.11
else:  # pragma: no cover - Python 3.10
    from exceptiongroup import BaseExceptionGroup as _BaseExceptionGroup

__all__ = [
    "asend",
    "live_for_sync_send",
    "restore_context",
    "run_parallel",
    "send_from_sync",
]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]
#: Logs a robust send's receiver error; None for a send that raises.
Log = Callable[[Receiver, Exception], None] | None

_EAGER = sys.version_info >= (3, 12)
_TASK_CONTEXT = sys.version_info >= (3, 11)


def restore_context(context: contextvars.Context) -> None:
    """Django's ``_restore_context``: copy ``context``'s changes into the current context."""
    for cvar in context:
        cvalue = context.get(cvar)
        try:
            if cvar.get() != cvalue:
                cvar.set(cvalue)
        except LookupError:
            cvar.set(cvalue)


class _InContext:
    """Run an awaitable's steps inside ``context`` (Python 3.10: tasks cannot share one)."""

    __slots__ = ("awaitable", "context")

    def __init__(self, context: contextvars.Context, awaitable: Awaitable[Any]) -> None:
        self.context = context
        self.awaitable = awaitable

    def __await__(self) -> Generator[Any, None, Any]:
        steps: Any = self.awaitable.__await__()
        run = self.context.run
        error: BaseException | None = None
        while True:
            try:
                yielded = run(steps.send, None) if error is None else run(steps.throw, error)
            except StopIteration as stop:
                return stop.value
            try:
                yield yielded
                error = None
            except GeneratorExit:
                run(steps.close)
                raise
            except BaseException as exc:  # cancellation, thrown in by the task
                error = exc


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _task(
    loop: asyncio.AbstractEventLoop, awaitable: Awaitable[Any], context: contextvars.Context
) -> asyncio.Future[Any]:
    coro: Coroutine[Any, Any, Any] = (
        cast("Coroutine[Any, Any, Any]", awaitable)
        if type(awaitable) is CoroutineType
        else _await(awaitable)
    )
    if not _TASK_CONTEXT:  # pragma: no cover - Python 3.10
        return loop.create_task(_await(_InContext(context, coro)))
    if _EAGER and loop.get_task_factory() is None:
        return asyncio.Task(coro, loop=loop, context=context, eager_start=True)  # type: ignore[call-arg,unused-ignore]
    return loop.create_task(coro, context=context)  # type: ignore[call-arg,unused-ignore]


class _Group:
    """What ``asyncio.TaskGroup`` does for Django's ``_run_parallel``.

    Errors are kept in the order the tasks end; the first one cancels every
    task still running. ``wait()`` returns once every task has ended, even if
    the caller is cancelled meanwhile (it then cancels them all).
    """

    __slots__ = ("_aborting", "_base_error", "_errors", "_pending", "_wakeup", "tasks")

    def __init__(self) -> None:
        self.tasks: list[asyncio.Future[Any]] = []
        self._pending: set[asyncio.Future[Any]] = set()
        self._errors: list[BaseException] = []
        self._base_error: BaseException | None = None
        self._aborting = False
        self._wakeup: asyncio.Future[None] | None = None

    def add(self, task: asyncio.Future[Any]) -> None:
        self.tasks.append(task)
        if task.done():  # it ran eagerly to its end
            self._ended(task)
            return
        self._pending.add(task)
        task.add_done_callback(self._ended)
        if self._aborting:
            task.cancel()

    def fail(self, error: BaseException) -> None:
        """The dispatch itself failed (KeyboardInterrupt while starting tasks)."""
        if self._base_error is None:
            self._base_error = error
        self._abort()

    def _abort(self) -> None:
        self._aborting = True
        for task in self._pending:
            task.cancel()

    def _ended(self, task: asyncio.Future[Any]) -> None:
        self._pending.discard(task)
        if not self._pending and self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        self._errors.append(error)
        if isinstance(error, (KeyboardInterrupt, SystemExit)) and self._base_error is None:
            self._base_error = error
        self._abort()

    async def wait(self) -> list[Any]:
        """Every task's result (None for a cancelled one), or the errors raised."""
        cancelled: asyncio.CancelledError | None = None
        while self._pending:
            self._wakeup = asyncio.get_running_loop().create_future()
            try:
                await self._wakeup
            except asyncio.CancelledError as exc:  # the caller is being cancelled
                if cancelled is None:
                    cancelled = exc
                self._abort()
            self._wakeup = None
        if self._base_error is not None:
            raise self._base_error
        errors, self._errors = self._errors, []
        if errors:
            if cancelled is not None:
                # Errors have priority, but the caller's cancellation is not
                # lost: it is delivered again at its next await (as TaskGroup).
                task: Any = asyncio.current_task()
                if hasattr(task, "uncancel"):
                    task.uncancel()
                task.cancel()
            if len(errors) == 1:
                raise errors[0]
            raise _BaseExceptionGroup("unhandled errors in a TaskGroup", errors)
        if cancelled is not None:
            raise cancelled
        return [None if t.cancelled() else t.result() for t in self.tasks]


async def run_parallel(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    """Django 6.1's ``_run_parallel``: await all concurrently, in one shared context.

    Arguments:

        awaitables
            What the receivers returned, in receiver order.

    Return their results in the same order.
    """
    if not awaitables:
        return []
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    group = _Group()
    try:
        started = 0
        try:
            for awaitable in awaitables:
                group.add(_task(loop, awaitable, context))
                started += 1
        except BaseException as exc:  # KeyboardInterrupt from an eager first step
            for awaitable in awaitables[started:]:
                _close(awaitable)
            group.fail(exc)
        return await group.wait()
    finally:
        if not _TASK_CONTEXT:  # pragma: no cover - Python 3.10
            # A task cancelled before its first step never awaited its
            # receiver's coroutine: close it rather than warn.
            for awaitable in awaitables:
                _close(awaitable)
        restore_context(context)


def _close(awaitable: object) -> None:
    if type(awaitable) is CoroutineType:
        awaitable.close()


def _call_all(
    receivers: Sequence[Receiver], signal: object, sender: object, named: dict[str, Any]
) -> list[Awaitable[Any]]:
    """Call every async receiver, as Django does before ``_run_parallel`` starts.

    A call that raises (``signal=`` in the payload) raises before any
    receiver runs; the coroutines made so far are closed, not leaked.
    """
    awaitables: list[Awaitable[Any]] = []
    try:
        for receiver in receivers:
            awaitables.append(receiver(signal=signal, sender=sender, **named))
    except BaseException:
        for awaitable in awaitables:
            _close(awaitable)
        raise
    return awaitables


async def _robust_call(
    receiver: Receiver, signal: object, sender: object, named: dict[str, Any], log: Any
) -> Any:
    # Django's asend_and_wrap_exception: an Exception is the receiver's response.
    try:
        return await receiver(signal=signal, sender=sender, **named)
    except Exception as err:
        log(receiver, err)
        return err


async def _run_async_receivers(
    receivers: Sequence[Receiver], signal: object, sender: object, named: dict[str, Any], log: Log
) -> Pairs:
    if log is None:
        awaitables = _call_all(receivers, signal, sender, named)
    else:
        awaitables = [_robust_call(r, signal, sender, named, log) for r in receivers]
    return list(zip(receivers, await run_parallel(awaitables), strict=True))


class _SyncHop:
    """The sync receivers of an ``asend``, for one ``sync_to_async`` call.

    asgiref stops waiting when the send is cancelled, although the thread
    cannot be stopped. ``finished()`` waits for it: a send that is cancelled
    returns only when its sync receivers are done (or will never start).
    """

    __slots__ = ("_abandoned", "_finished", "_lock", "_started", "_waiter", "call")

    def __init__(self, call: Callable[[], Pairs]) -> None:
        self.call = call
        self._lock = threading.Lock()
        self._started = self._finished = self._abandoned = False
        self._waiter: asyncio.Future[None] | None = None

    def run(self) -> Pairs:
        with self._lock:
            if self._abandoned:
                return []
            self._started = True
        try:
            return self.call()
        finally:
            with self._lock:
                self._finished = True
                waiter = self._waiter
            if waiter is not None:
                waiter.get_loop().call_soon_threadsafe(_resolve, waiter)

    async def finished(self) -> None:
        with self._lock:
            if not self._started:
                self._abandoned = True  # it will not start now
                return
            if self._finished:
                return
            waiter = self._waiter = asyncio.get_running_loop().create_future()
        while not waiter.done():
            try:
                await asyncio.shield(waiter)
            except asyncio.CancelledError:
                continue  # cancelled again: still wait, the first cancellation goes on


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _call_sync(
    receivers: Sequence[Receiver], signal: object, sender: object, named: dict[str, Any], log: Log
) -> Pairs:
    responses: Pairs = []
    for receiver in receivers:
        if log is None:
            response = receiver(signal=signal, sender=sender, **named)
        else:
            try:
                response = receiver(signal=signal, sender=sender, **named)
            except Exception as err:
                log(receiver, err)
                response = err
        responses.append((receiver, response))
    return responses


async def asend(
    sync_receivers: Sequence[Receiver],
    async_receivers: Sequence[Receiver],
    signal: object,
    sender: object,
    named: dict[str, Any],
    log: Log,
) -> Pairs:
    """The body of ``Signal.asend`` (``log`` None) and ``asend_robust``.

    The sync receivers run first, in one ``sync_to_async`` hop awaited in the
    caller's task; then the async ones, concurrently.
    """
    responses: Pairs = []
    if sync_receivers:
        hop = _SyncHop(lambda: _call_sync(sync_receivers, signal, sender, named, log))
        try:
            responses = await sync_to_async(hop.run)()
        except asyncio.CancelledError:
            await hop.finished()
            raise
    if async_receivers:
        responses += await _run_async_receivers(async_receivers, signal, sender, named, log)
    return responses


def send_from_sync(
    receivers: Sequence[Receiver], signal: object, sender: object, named: dict[str, Any], log: Log
) -> Pairs:
    """Run the async receivers of ``send()`` / ``send_robust()`` through ``async_to_sync``."""
    result: Pairs = async_to_sync(_run_async_receivers)(receivers, signal, sender, named, log)
    return result


def live_for_sync_send(
    derefs: Sequence[Callable[[], Receiver | None]], signal: object
) -> list[Receiver]:
    """The live async receivers of a ``send()``, resolved when it begins.

    Inside a running event loop they cannot run: asgiref would raise the same
    ``RuntimeError`` once the sync receivers had run; raising before any
    receiver is called leaves the dispatch undone rather than half done.
    """
    receivers = [r for deref in derefs if (r := deref()) is not None]
    if not receivers:
        return receivers
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return receivers
    raise RuntimeError(
        "You cannot use AsyncToSync in the same thread as an async event loop - just "
        f"await the async function directly. {signal!r} has async receivers, which "
        "send() cannot run from inside a running event loop (it would block the loop); "
        "use 'await signal.asend(...)'. No receiver was called."
    )
