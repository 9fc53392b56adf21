"""Async receivers and async sends, with Django 6.1's ordering and asgiref's adaptation."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from typedsignals import Signal


def run(coro):
    return asyncio.run(coro)


def make_signal():
    sig = Signal()
    log = []

    async def async_first(**kwargs):
        log.append("async_first")
        return "A1"

    def sync_one(**kwargs):
        log.append("sync_one")
        return "S1"

    async def async_second(**kwargs):
        await asyncio.sleep(0)
        log.append("async_second")
        return "A2"

    def sync_two(**kwargs):
        log.append("sync_two")
        return "S2"

    for r in (async_first, sync_one, async_second, sync_two):
        sig.connect(r, weak=False)
    return sig, log


def test_send_orders_sync_then_async():
    sig, log = make_signal()
    result = sig.send(None)
    assert [resp for _, resp in result] == ["S1", "S2", "A1", "A2"]
    assert log[:2] == ["sync_one", "sync_two"]
    assert sorted(log[2:]) == ["async_first", "async_second"]


def test_asend_orders_sync_then_async():
    sig, log = make_signal()
    result = run(sig.asend(None))
    assert [resp for _, resp in result] == ["S1", "S2", "A1", "A2"]
    # The sync hop is over before any async receiver starts.
    assert log == ["sync_one", "sync_two", "async_first", "async_second"]


def test_asend_runs_sync_receivers_in_one_thread_hop():
    sig = Signal()
    threads = []

    def s1(**kwargs):
        threads.append(threading.get_ident())

    def s2(**kwargs):
        threads.append(threading.get_ident())

    sig.connect(s1)
    sig.connect(s2)

    async def main():
        await sig.asend(None)
        return threading.get_ident()

    loop_thread = run(main())
    assert len(set(threads)) == 1 and threads[0] != loop_thread


def test_async_receivers_run_concurrently():
    sig = Signal()
    started, finished = [], []

    def make(i):
        async def sleeper(**kwargs):
            started.append(i)
            await asyncio.sleep(0.05)
            finished.append(i)
            return i

        return sleeper

    receivers = [make(i) for i in range(5)]
    for r in receivers:
        sig.connect(r)

    async def main():
        task = asyncio.ensure_future(sig.asend(None))
        await asyncio.sleep(0.01)
        # All five have started before any finished: they overlap.
        assert sorted(started) == list(range(5)) and finished == []
        return await task

    assert [resp for _, resp in run(main())] == list(range(5))


def test_send_calls_async_receivers_through_async_to_sync():
    sig = Signal()

    async def waits(sender, **kwargs):
        await asyncio.sleep(0.001)
        return ("waited", sender)

    sig.connect(waits)
    assert sig.send("s") == [(waits, ("waited", "s"))]


def test_asend_first_error_cancels_the_others():
    # Django 6.1's TaskGroup: the first failure cancels the other receivers.
    sig = Signal()
    ended = []

    async def fails(**kwargs):
        raise ValueError("bad")

    async def slow(**kwargs):
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        ended.append("finished")  # pragma: no cover - cancelled first

    sig.connect(fails)
    sig.connect(slow)
    with pytest.raises(ValueError, match="bad"):
        run(sig.asend(None))
    assert ended == ["cancelled"]


def test_asend_sync_error_stops_before_async_receivers():
    # Django 6.1 awaits the sync hop before it calls any async receiver.
    sig = Signal()
    called = []

    def sync_fails(**kwargs):
        raise KeyError("sync")

    async def async_receiver(**kwargs):  # pragma: no cover - never called
        called.append("async")

    sig.connect(sync_fails)
    sig.connect(async_receiver)
    with pytest.raises(KeyError):
        run(sig.asend(None))
    assert called == []


def test_robust_variants_return_exceptions(caplog):
    sig = Signal()

    def sync_fails(**kwargs):
        raise KeyError("sync")

    async def async_fails(**kwargs):
        await asyncio.sleep(0)
        raise ValueError("async")

    async def fine(**kwargs):
        return "fine"

    for r in (sync_fails, async_fails, fine):
        sig.connect(r)
    with caplog.at_level(logging.ERROR, logger="typedsignals"):
        for result in (sig.send_robust(None), run(sig.asend_robust(None))):
            kinds = [type(resp).__name__ if isinstance(resp, Exception) else resp
                     for _, resp in result]
            assert kinds == ["KeyError", "ValueError", "fine"]
            assert all(resp.__traceback__ is not None for _, resp in result[:2])
    messages = [r.getMessage() for r in caplog.records]
    assert sum("async_fails in Signal.send_robust() (async)" in m for m in messages) == 2


def test_asend_with_no_receivers_and_dead_ones():
    sig = Signal()
    assert run(sig.asend(None)) == []

    def factory():
        async def local(**kwargs):
            return 1

        return local

    sig.connect(factory())  # dies at once: weak
    assert run(sig.asend_robust(None)) == []


def test_async_callable_instance_and_partial():
    import functools

    sig = Signal()

    async def base(sender, extra, **kwargs):
        return extra

    part = functools.partial(base, extra="partial")
    sig.connect(part, weak=False)
    assert run(sig.asend(None)) == [(part, "partial")]
    assert sig.send(None) == [(part, "partial")]
