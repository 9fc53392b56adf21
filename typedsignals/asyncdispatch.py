"""Calling async receivers, and sync receivers from async code.

Django gathers every async receiver with ``asyncio.gather``, which makes a
task per receiver even when the receiver never suspends; that costs some 25
times a plain ``await``. Here each receiver's coroutine is started eagerly,
in the sender's own frame: one that finishes without suspending costs a
function call, and only one that suspends gets a task, which resumes it. The
tasks still run concurrently, and cancelling the send cancels them.

The order of the results is Django's: sync receivers in connect order, then
async ones in connect order. A non-robust send lets every started receiver
finish, then raises the first error in that order: no task is left running.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping, Sequence
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async

from ._utils import log_robust_failure
from .registry import Snapshot

__all__ = ["asend", "send_async_receivers"]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]


@types.coroutine
def _resume(coro: Coroutine[Any, Any, Any], pending: Any) -> Generator[Any, Any, Any]:
    """Continue, inside a task, a coroutine that was started outside one.

    ``pending`` is what the coroutine yielded when it suspended (a future, or
    None for a bare ``sleep(0)``); the task waits on it as if the coroutine
    had yielded it itself, and what the task sends or throws is relayed.
    """
    while True:
        try:
            value = yield pending
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # cancellation, relayed to the receiver
            try:
                pending = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                pending = coro.send(value)
            except StopIteration as stop:
                return stop.value


async def _finish(coro: Coroutine[Any, Any, Any], pending: Any) -> Any:
    return await _resume(coro, pending)


_PENDING = object()


def _start(
    receiver: Receiver, kwargs: Mapping[str, Any]
) -> tuple[Any, BaseException | None, asyncio.Future[Any] | None]:
    """Call an async receiver and run it until it first suspends.

    Returns ``(result, error, task)``: the task is set only when the receiver
    suspended, and then owns the rest of it.
    """
    try:
        awaitable: Awaitable[Any] = receiver(**kwargs)
        if not isinstance(awaitable, types.CoroutineType):
            return _PENDING, None, asyncio.ensure_future(awaitable)
        try:
            pending = awaitable.send(None)
        except StopIteration as stop:
            return stop.value, None, None
        return _PENDING, None, asyncio.ensure_future(_finish(awaitable, pending))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return None, exc, None


def _settle(
    receiver: Receiver, result: Any, error: BaseException | None, robust: bool
) -> tuple[Receiver, Any]:
    if error is None:
        return (receiver, result)
    if robust and isinstance(error, Exception):
        log_robust_failure(receiver, error)
        return (receiver, error)
    raise error


async def send_async_receivers(
    receivers: Sequence[Receiver], kwargs: Mapping[str, Any], robust: bool
) -> Pairs:
    """Run async receivers concurrently; return ``[(receiver, response), ...]``."""
    started = [(r, *_start(r, kwargs)) for r in receivers]
    tasks = [task for *_, task in started if task is not None]
    if tasks:
        # gather cancels every task if this send is cancelled.
        done = iter(await asyncio.gather(*tasks, return_exceptions=True))
        settled = []
        for receiver, result, error, task in started:
            if task is not None:
                result = next(done)
                if isinstance(result, BaseException):
                    result, error = None, result
            settled.append((receiver, result, error))
    else:
        settled = [(r, result, error) for r, result, error, _ in started]
    return [_settle(r, result, error, robust) for r, result, error in settled]


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


def _live(derefs: Sequence[Callable[[], Receiver | None]]) -> list[Receiver]:
    return [r for deref in derefs if (r := deref()) is not None]


async def asend(snapshot: Snapshot, kwargs: Mapping[str, Any], robust: bool) -> Pairs:
    """The body of ``Signal.asend`` / ``asend_robust`` for one snapshot.

    All sync receivers run in one ``sync_to_async`` hop, concurrently with the
    async receivers, as in Django.
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


def send_async_receivers_from_sync(
    receivers: Sequence[Receiver], kwargs: Mapping[str, Any], robust: bool, signal_text: str
) -> Pairs:
    """Run async receivers from ``send()`` through asgiref's ``async_to_sync``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            f"{signal_text} has async receivers, and send() cannot run them from inside a "
            "running event loop (it would block the loop); use 'await signal.asend(...)'."
        )
    result: Pairs = async_to_sync(send_async_receivers)(receivers, kwargs, robust)
    return result
