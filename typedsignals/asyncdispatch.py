"""Calling async receivers, and sync receivers from async code.

Each async receiver runs in a task of its own, as with Django's
``asyncio.gather``: it has its own context, ``asyncio.current_task()`` is
its task, so ``asyncio.timeout()``, ``TaskGroup`` and anyio's cancel scopes
inside a receiver cancel that receiver and nothing else. On Python 3.12 and
later the tasks start eagerly: a receiver that returns without suspending
finishes inside ``Task()``, is never scheduled, and costs a fraction of a
scheduled task. (Running receivers eagerly *without* a task would be cheaper
still, but then those APIs would cancel the sender.)

The order of the results is Django's: sync receivers in connect order, then
async ones in connect order. A non-robust send lets every started receiver
finish, then raises the first error in that order: no task is left running.
Cancelling the send cancels its outstanding receivers and waits for them.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async

from ._utils import log_robust_failure
from .registry import Snapshot

__all__ = [
    "asend",
    "refuse_inside_running_loop",
    "send_async_receivers",
    "send_async_receivers_from_sync",
]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]
Deref = Callable[[], Receiver | None]

_EAGER = sys.version_info >= (3, 12)


def _task(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[Any]) -> asyncio.Future[Any]:
    if not asyncio.iscoroutine(awaitable):
        return asyncio.ensure_future(awaitable, loop=loop)
    if _EAGER:
        return asyncio.Task(awaitable, loop=loop, eager_start=True)  # type: ignore[call-arg,unused-ignore]
    return loop.create_task(awaitable)


def _start_all(
    receivers: Iterable[Receiver], kwargs: Mapping[str, Any]
) -> tuple[list[Receiver], list[asyncio.Future[Any] | BaseException]]:
    """Start every receiver in a task; a call that raises at once gives its error."""
    loop = asyncio.get_running_loop()
    started: list[Receiver] = []
    tasks: list[asyncio.Future[Any] | BaseException] = []
    try:
        for receiver in receivers:
            started.append(receiver)
            try:
                tasks.append(_task(loop, receiver(**kwargs)))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                tasks.append(exc)
    except BaseException:
        # KeyboardInterrupt or SystemExit while starting: the tasks already
        # running must not be left behind.
        for task in tasks:
            if isinstance(task, asyncio.Future):
                task.cancel()
        raise
    return started, tasks


async def _outcomes(
    tasks: Sequence[asyncio.Future[Any] | BaseException],
) -> list[Any]:
    """Each task's result or exception, once all have finished."""
    pending = [t for t in tasks if isinstance(t, asyncio.Future) and not t.done()]
    if pending:
        # gather cancels every pending task if this send is cancelled.
        await asyncio.gather(*pending, return_exceptions=True)
    outcomes: list[Any] = []
    for task in tasks:
        if not isinstance(task, asyncio.Future):
            outcomes.append(task)
        elif task.cancelled():
            outcomes.append(asyncio.CancelledError())
        else:
            outcomes.append(task.exception() or task.result())
    return outcomes


def _settle(receivers: Sequence[Receiver], outcomes: Sequence[Any], robust: bool) -> Pairs:
    """Pair receivers with responses; errors in receiver order.

    A robust send logs an ``Exception`` and keeps it as the response; any
    other error (and every error of a non-robust send) is raised.
    """
    pairs: Pairs = []
    for receiver, outcome in zip(receivers, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if not (robust and isinstance(outcome, Exception)):
                raise outcome
            log_robust_failure(receiver, outcome)
        pairs.append((receiver, outcome))
    return pairs


async def send_async_receivers(
    receivers: Iterable[Receiver], kwargs: Mapping[str, Any], robust: bool
) -> Pairs:
    """Run async receivers concurrently; return ``[(receiver, response), ...]``."""
    started, tasks = _start_all(receivers, kwargs)
    return _settle(started, await _outcomes(tasks), robust)


def _call_sync(receivers: Sequence[Receiver], kwargs: Mapping[str, Any], robust: bool) -> Pairs:
    responses: Pairs = []
    for receiver in receivers:
        if robust:
            try:
                response = receiver(**kwargs)
            except Exception as err:
                log_robust_failure(receiver, err)
                response = err
        else:
            response = receiver(**kwargs)
        responses.append((receiver, response))
    return responses


def _live(derefs: Sequence[Deref]) -> list[Receiver]:
    return [r for deref in derefs if (r := deref()) is not None]


async def asend(snapshot: Snapshot, kwargs: Mapping[str, Any], robust: bool) -> Pairs:
    """The body of ``Signal.asend`` / ``asend_robust`` for one snapshot.

    Receivers are resolved when the send begins. All sync receivers run in
    one ``sync_to_async`` hop, concurrently with the async receivers, as in
    Django.
    """
    sync_receivers = _live(snapshot.sync)
    async_receivers = _live(snapshot.async_)
    if not sync_receivers:
        return await send_async_receivers(async_receivers, kwargs, robust)
    hop = asyncio.ensure_future(sync_to_async(_call_sync)(sync_receivers, kwargs, robust))
    try:
        async_responses = await send_async_receivers(async_receivers, kwargs, robust)
    except Exception:
        # An async receiver failed: the sync hop finishes too, and its error,
        # if any, goes first, as sync receivers come first.
        (hop_result,) = await asyncio.gather(hop, return_exceptions=True)
        if isinstance(hop_result, Exception):
            raise hop_result from None
        raise
    except BaseException:
        # Cancelled: the hop is a thread, which cannot be stopped; wait for it
        # so that nothing outlives this send.
        await asyncio.gather(hop, return_exceptions=True)
        raise
    responses: Pairs = await hop
    responses.extend(async_responses)
    return responses


def refuse_inside_running_loop(signal_text: str) -> None:
    """Raise if a sync send would have to run async receivers inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"{signal_text} has async receivers, and send() cannot run them from inside a "
        "running event loop (it would block the loop); use 'await signal.asend(...)'."
    )


def send_async_receivers_from_sync(
    receivers: Sequence[Receiver], kwargs: Mapping[str, Any], robust: bool
) -> Pairs:
    """Run async receivers from ``send()`` through asgiref's ``async_to_sync``."""
    result: Pairs = async_to_sync(send_async_receivers)(receivers, kwargs, robust)
    return result
