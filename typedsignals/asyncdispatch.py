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
from collections.abc import (
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
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


_CoroutineType: type[Coroutine[Any, Any, Any]] = types.CoroutineType
_ensure_future = asyncio.ensure_future

Tasks = list[tuple[int, "asyncio.Future[Any]"]]
Errors = list[tuple[int, BaseException]]
Deref = Callable[[], Receiver | None]


def _start_all(
    derefs: Iterable[Deref], kwargs: Mapping[str, Any]
) -> tuple[Pairs, Tasks | None, Errors | None]:
    """Call each live async receiver and run it until it first suspends.

    Returns ``(pairs, tasks, errors)``: ``pairs`` holds ``(receiver, response)``
    in order, with None where the response is still to come; ``tasks`` the
    ``(index, task)`` of the receivers that suspended, each task owning the
    rest of its receiver; ``errors`` the ``(index, error)`` of those that
    raised. Both are None when empty, the common case kept cheap: a receiver
    that returns at once costs its call and one ``StopIteration``.
    """
    pairs: Pairs = []
    tasks: Tasks | None = None
    errors: Errors | None = None
    for deref in derefs:
        receiver = deref()
        if receiver is None:
            continue
        try:
            awaitable: Awaitable[Any] = receiver(**kwargs)
            if type(awaitable) is _CoroutineType:
                try:
                    pending = awaitable.send(None)
                except StopIteration as stop:
                    pairs.append((receiver, stop.value))
                    continue
                awaitable = _finish(awaitable, pending)
            if tasks is None:
                tasks = []
            tasks.append((len(pairs), _ensure_future(awaitable)))
        except (KeyboardInterrupt, SystemExit):
            # The traceback keeps this frame alive: it must not keep the tasks
            # (and their receivers) alive too, or asyncio could not close them.
            if tasks:
                tasks.clear()
            pending = None
            raise
        except BaseException as exc:
            if errors is None:
                errors = []
            errors.append((len(pairs), exc))
        pairs.append((receiver, None))
    return pairs, tasks, errors


async def _wait(pairs: Pairs, tasks: Tasks, errors: Errors | None) -> Errors | None:
    """Wait for the tasks of suspended receivers; fill in ``pairs``; return the errors."""
    # gather cancels every task if this send is cancelled, and waits for them.
    done = await asyncio.gather(*[task for _, task in tasks], return_exceptions=True)
    for (index, _), outcome in zip(tasks, done, strict=True):
        if isinstance(outcome, BaseException):
            if errors is None:
                errors = []
            errors.append((index, outcome))
        else:
            pairs[index] = (pairs[index][0], outcome)
    return errors


def _settle(pairs: Pairs, errors: Errors, robust: bool) -> Pairs:
    """Errors in receiver order: robust sends log an ``Exception`` and keep it as the
    response; anything else (and every error of a non-robust send) is raised."""
    for index, error in sorted(errors, key=lambda item: item[0]):
        receiver = pairs[index][0]
        if robust and isinstance(error, Exception):
            log_robust_failure(receiver, error)
            pairs[index] = (receiver, error)
        else:
            raise error
    return pairs


async def _send_async(derefs: Iterable[Deref], kwargs: Mapping[str, Any], robust: bool) -> Pairs:
    pairs, tasks, errors = _start_all(derefs, kwargs)
    if tasks is not None:
        errors = await _wait(pairs, tasks, errors)
    return pairs if errors is None else _settle(pairs, errors, robust)


def _constant(receiver: Receiver) -> Callable[[], Receiver]:
    return lambda: receiver


async def send_async_receivers(
    receivers: Sequence[Receiver], kwargs: Mapping[str, Any], robust: bool
) -> Pairs:
    """Run async receivers concurrently; return ``[(receiver, response), ...]``."""
    return await _send_async([_constant(r) for r in receivers], kwargs, robust)


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

    All sync receivers run in one ``sync_to_async`` hop, concurrently with the
    async receivers, as in Django.
    """
    sync_receivers = _live(snapshot.sync) if snapshot.sync else None
    if not sync_receivers:
        # The common case, inlined: no coroutine between the sender and its receivers.
        pairs, tasks, errors = _start_all(snapshot.async_, kwargs)
        if tasks is not None:
            errors = await _wait(pairs, tasks, errors)
        return pairs if errors is None else _settle(pairs, errors, robust)
    hop = asyncio.ensure_future(sync_to_async(_call_sync)(sync_receivers, kwargs, robust))
    try:
        async_responses = await _send_async(snapshot.async_, kwargs, robust)
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
