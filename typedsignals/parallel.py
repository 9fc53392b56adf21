"""Django 6.1's ``_run_parallel``: a dispatch's async receivers, a task each, in one context.

``asyncio.TaskGroup`` semantics (the first failure cancels the others; one
failure raises itself, several an ``ExceptionGroup``; a task that ends
cancelled gives None; cancelling the dispatch cancels the tasks and waits for
them), and Django's ``_restore_context``. ``_Group`` is the part of
``TaskGroup`` that ``_run_parallel`` relies on, so that the same code runs on
Python 3.10 (no TaskGroup, no ``context=`` for tasks: ``_InContext`` steps a
receiver inside the shared context) and starts tasks eagerly on 3.12+ (a
receiver that does not suspend finishes inside ``Task()`` and is never
scheduled).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import types
from collections.abc import Awaitable, Coroutine, Generator, Sequence
from types import CoroutineType
from typing import Any, cast

if sys.version_info >= (3, 11):
    _BaseExceptionGroup = BaseExceptionGroup  # noqa: F821 - a builtin from 3.11
else:  # pragma: no cover - Python 3.10
    from exceptiongroup import BaseExceptionGroup as _BaseExceptionGroup

__all__ = ["close_awaitable", "restore_context", "run_parallel"]

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
    loop: asyncio.AbstractEventLoop,
    awaitable: Awaitable[Any],
    context: contextvars.Context,
    eager: bool,
) -> asyncio.Future[Any]:
    coro: Coroutine[Any, Any, Any] = (
        cast("Coroutine[Any, Any, Any]", awaitable)
        if type(awaitable) is CoroutineType
        else _await(awaitable)
    )
    if not _TASK_CONTEXT:  # pragma: no cover - Python 3.10
        return loop.create_task(_await(_InContext(context, coro)))
    if eager:
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

    async def wait(self, cancelled: asyncio.CancelledError | None = None) -> list[Any]:
        """Every task's result (None for a cancelled one), or the errors raised.

        Arguments:

            cancelled
                The caller's cancellation, if it was cancelled already: every
                task is cancelled, waited for, and the cancellation raised.
        """
        if cancelled is not None:
            self._abort()
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


@types.coroutine
def _yield_once() -> Generator[None, None, None]:
    """Let every task scheduled so far take a step (``asyncio.sleep(0)``, without a frame)."""
    yield


async def run_parallel(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    """Django 6.1's ``_run_parallel``: await all concurrently, in one shared context.

    Arguments:

        awaitables
            What the receivers returned, in receiver order.

    Return their results in the same order.

    The common case costs no more than a task per receiver: when every task
    has ended by the time they have all been started (eagerly, 3.12+) or
    after one step of the loop (3.10, 3.11: tasks that do not suspend end in
    their first step), the results are read off the tasks; ``_Group`` (with
    its callbacks) watches only a dispatch whose tasks are still running or
    that failed.
    """
    if not awaitables:
        return []
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    eager = _EAGER and loop.get_task_factory() is None
    tasks: list[asyncio.Future[Any]] = []
    cancelled: asyncio.CancelledError | None = None
    try:
        try:
            if eager:  # _task's eager case, inlined: this loop is the whole cost
                task_type: Any = asyncio.Task
                append = tasks.append
                for awaitable in awaitables:
                    append(
                        task_type(
                            awaitable if type(awaitable) is CoroutineType else _await(awaitable),
                            loop=loop,
                            context=context,
                            eager_start=True,
                        )
                    )
            else:
                for awaitable in awaitables:
                    tasks.append(_task(loop, awaitable, context, eager))
        except BaseException as exc:  # KeyboardInterrupt from an eager first step
            for awaitable in awaitables[len(tasks) :]:
                close_awaitable(awaitable)
            group = _Group()
            for task in tasks:
                group.add(task)
            group.fail(exc)
            return await group.wait()
        if not eager and not tasks[-1].done():
            try:
                await _yield_once()  # the tasks' first steps were scheduled before us
            except asyncio.CancelledError as exc:
                cancelled = exc
        if cancelled is None:
            try:
                # Each result, if every task ended well; else the group sorts it out.
                return [task.result() for task in tasks]
            except (KeyboardInterrupt, SystemExit):
                # A task re-raises these as they happen, never from result(): this
                # one is the process's own (a signal handler), not a receiver's.
                raise
            except BaseException:  # still running, cancelled or failed
                pass
        group = _Group()
        for task in tasks:
            group.add(task)
        return await group.wait(cancelled)
    finally:
        if not _TASK_CONTEXT:  # pragma: no cover - Python 3.10
            # A task cancelled before its first step never awaited its
            # receiver's coroutine: close it rather than warn.
            for awaitable in awaitables:
                close_awaitable(awaitable)
        restore_context(context)


def close_awaitable(awaitable: object) -> None:
    """Close ``awaitable`` if it is a coroutine that will not be awaited.

    Arguments:

        awaitable
            What a receiver returned.
    """
    if type(awaitable) is CoroutineType:
        awaitable.close()
