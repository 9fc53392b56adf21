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

They run in ``parallel.py`` (``run_parallel``, Django's ``_run_parallel``).

``asend`` first runs the sync receivers in one ``sync_to_async`` hop, awaited
in the caller's task, then the async ones; ``send`` runs the async ones
through ``async_to_sync``. asgiref carries contextvars across both.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async

from .parallel import close_awaitable, run_parallel

__all__ = [
    "asend",
    "live_for_sync_send",
    "send_from_sync",
]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]
#: Logs a robust send's receiver error; None for a send that raises.
Log = Callable[[Receiver, Exception], None] | None


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
            close_awaitable(awaitable)
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


def _awaitables(
    receivers: Sequence[Receiver], signal: object, sender: object, named: dict[str, Any], log: Log
) -> list[Awaitable[Any]]:
    if log is None:
        return _call_all(receivers, signal, sender, named)
    return [_robust_call(r, signal, sender, named, log) for r in receivers]


async def _run_async_receivers(
    receivers: Sequence[Receiver], signal: object, sender: object, named: dict[str, Any], log: Log
) -> Pairs:
    awaitables = _awaitables(receivers, signal, sender, named, log)
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
    if async_receivers:  # inlined _run_async_receivers: one coroutine fewer
        awaitables = _awaitables(async_receivers, signal, sender, named, log)
        responses += zip(async_receivers, await run_parallel(awaitables), strict=True)
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
