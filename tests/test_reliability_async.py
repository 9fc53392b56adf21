"""asyncio: cancellation, robust sends, sends from inside a running loop.

Plain ``asyncio.run`` in every test (no pytest-asyncio); every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from typedsignals import Signal

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup

pytestmark = pytest.mark.timeout(30)

STEP = 5.0  # the longest any single wait in these tests may take


_OWN_TASKS: set[Any] = set()


def _run(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """asyncio.run with a time limit; the tasks it makes are not counted as orphans."""

    async def root() -> Any:
        _OWN_TASKS.add(asyncio.current_task())
        return await asyncio.wait_for(main(), timeout=20)

    _OWN_TASKS.clear()
    return asyncio.run(root())


def _others() -> set[asyncio.Task[Any]]:
    """Tasks still alive other than the test's own (and wait_for's)."""
    own = {*_OWN_TASKS, asyncio.current_task()}
    return {t for t in asyncio.all_tasks() if t not in own and not t.done()}


def _run_interrupted(main: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Run main() as asyncio.run does, for a run that a KeyboardInterrupt ends.

    The interrupt escapes the loop from the receiver's task, and again from the
    sender's task while what is left is cancelled (as with TaskGroup, which
    re-raises it), so the sender's task ends with an exception nobody else
    retrieves. Retrieve it here: its finalizer would log a traceback at some
    later collection, and on CPython 3.11 a traceback formatted by a collection
    that runs inside ``ast.parse`` (pytest's assertion rewriting) breaks that
    parse ("AST constructor recursion depth mismatch").
    """
    loop = asyncio.new_event_loop()
    task = loop.create_task(main())
    try:
        loop.run_until_complete(task)
    finally:
        try:
            left = asyncio.all_tasks(loop)
            for t in left:
                t.cancel()
            if left:
                with contextlib.suppress(KeyboardInterrupt):
                    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            if task.done() and not task.cancelled():
                task.exception()
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


class _Blocker:
    """Async receivers that suspend until released, and record how they ended."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.ended: dict[str, str] = {}
        self.release = asyncio.Event()

    def make(self, name: str, *, suspend_first: bool = True) -> Callable[..., Any]:
        async def receiver(sender: Any, **kwargs: Any) -> str:
            self.started.append(name)
            try:
                if suspend_first:
                    await asyncio.sleep(0)
                await self.release.wait()
            except asyncio.CancelledError:
                self.ended[name] = "cancelled"
                raise
            self.ended[name] = "finished"
            return name

        receiver.__qualname__ = name
        return receiver

    async def all_started(self, count: int) -> None:
        deadline = time.monotonic() + STEP
        while len(self.started) < count:
            assert time.monotonic() < deadline, self.started
            await asyncio.sleep(0.001)


# -- cancellation -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["asend", "asend_robust"])
@pytest.mark.parametrize("suspend_first", [True, False], ids=["sleep0-first", "wait-first"])
def test_cancelling_asend_cancels_outstanding_receivers(method: str, suspend_first: bool) -> None:
    sig = Signal()
    finished_quickly: list[str] = []

    async def quick(sender: Any, **kwargs: Any) -> str:
        finished_quickly.append("quick")
        return "quick"

    async def main() -> None:
        blocker = _Blocker()
        receivers = [blocker.make(f"r{i}", suspend_first=suspend_first) for i in range(3)]
        sig.connect(quick)
        for r in receivers:
            sig.connect(r)
        send = asyncio.ensure_future(getattr(sig, method)(None))
        await blocker.all_started(3)
        send.cancel()
        with pytest.raises(asyncio.CancelledError):
            await send
        assert blocker.ended == {"r0": "cancelled", "r1": "cancelled", "r2": "cancelled"}
        assert finished_quickly == ["quick"]
        assert _others() == set()  # no orphan task

    _run(main)


@pytest.mark.parametrize("method", ["asend", "asend_robust"])
def test_cancelling_asend_waits_for_the_sync_hop(method: str) -> None:
    """Sync receivers run in a thread that cannot be stopped: the cancelled send
    returns only once they are done, and starts no async receiver."""
    sig = Signal()
    release = threading.Event()
    sync_started = threading.Event()
    sync_done = threading.Event()

    def slow_sync(sender: Any, **kwargs: Any) -> str:
        sync_started.set()
        release.wait(STEP)
        sync_done.set()
        return "sync"

    async def main() -> None:
        blocker = _Blocker()
        sig.connect(slow_sync)
        sig.connect(blocker.make("r"))
        send = asyncio.ensure_future(getattr(sig, method)(None))
        assert await asyncio.to_thread(sync_started.wait, STEP)
        send.cancel()
        await asyncio.sleep(0.01)
        assert not send.done()  # it waits for the thread...
        send.cancel()  # ...even when cancelled again
        await asyncio.sleep(0.01)
        assert not send.done()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await send
        assert sync_done.is_set()  # the hop finished before the send gave up
        assert blocker.started == []  # the async receivers come after the hop
        assert _others() == set()

    _run(main)


@pytest.mark.parametrize("method", ["asend", "asend_robust"])
def test_cancelling_asend_before_the_hop_starts_runs_no_receiver(method: str) -> None:
    sig = Signal()
    called: list[str] = []

    def sync_receiver(sender: Any, **kwargs: Any) -> None:  # pragma: no cover
        called.append("sync")

    sig.connect(sync_receiver)

    async def main() -> None:
        send = asyncio.ensure_future(getattr(sig, method)(None))
        await asyncio.sleep(0)  # the send has asked for its hop
        send.cancel()
        with pytest.raises(asyncio.CancelledError):
            await send

    _run(main)
    # Either the hop had started (and the send waited for it) or it never runs.
    assert called in ([], ["sync"])


def test_cancelled_asend_then_sends_again() -> None:
    """A cancelled send leaves the signal as it was: the next send calls everyone."""
    sig = Signal()

    async def main() -> None:
        blocker = _Blocker()
        r = blocker.make("r")
        sig.connect(r)
        before = sig.receivers
        send = asyncio.ensure_future(sig.asend(None))
        await blocker.all_started(1)
        send.cancel()
        with pytest.raises(asyncio.CancelledError):
            await send
        assert sig.receivers == before
        blocker.release.set()
        assert [resp for _, resp in await sig.asend(None)] == ["r"]

    _run(main)


# -- errors in asend / asend_robust --------------------------------------------------------


def test_asend_first_error_cancels_the_other_receivers() -> None:
    """As Django 6.1's TaskGroup: one failure raises itself; the others are cancelled."""
    sig = Signal()
    ended: list[str] = []

    def sync_ok(sender: Any, **kwargs: Any) -> str:
        return "sync"

    async def fails_late(sender: Any, **kwargs: Any) -> None:
        try:
            await asyncio.sleep(STEP)
        except asyncio.CancelledError:
            ended.append("fails_late cancelled")
            raise

    async def fails_early(sender: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        ended.append("fails_early")
        raise LookupError("early")

    async def slow_ok(sender: Any, **kwargs: Any) -> str:
        try:
            await asyncio.sleep(STEP)
        except asyncio.CancelledError:
            ended.append("slow_ok cancelled")
            raise
        return "slow"  # pragma: no cover

    for r in (sync_ok, fails_late, fails_early, slow_ok):
        sig.connect(r)

    async def main() -> None:
        with pytest.raises(LookupError, match="early") as info:
            await sig.asend(None)
        assert not isinstance(info.value, BaseExceptionGroup)
        assert sorted(ended) == ["fails_early", "fails_late cancelled", "slow_ok cancelled"]
        assert _others() == set()

    _run(main)


def test_asend_errors_in_the_same_step_raise_an_exception_group() -> None:
    sig = Signal()

    async def fails_a(sender: Any, **kwargs: Any) -> None:
        raise ValueError("a")

    async def fails_b(sender: Any, **kwargs: Any) -> None:
        raise KeyError("b")

    sig.connect(fails_a)
    sig.connect(fails_b)

    async def main() -> None:
        with pytest.raises(BaseExceptionGroup) as info:
            await sig.asend(None)
        group = info.value
        assert isinstance(group, ExceptionGroup)
        assert str(group).startswith("unhandled errors in a TaskGroup")
        assert [type(e) for e in group.exceptions] == [ValueError, KeyError]

    _run(main)
    with pytest.raises(ExceptionGroup):
        sig.send(None)  # send() runs them the same way


def test_asend_robust_returns_exceptions_in_order() -> None:
    sig = Signal()

    def sync_fails(sender: Any, **kwargs: Any) -> None:
        raise KeyError("sync")

    async def fails_eagerly(sender: Any, **kwargs: Any) -> None:
        raise ValueError("eager")

    async def fails_after_suspending(sender: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("suspended")

    async def ok(sender: Any, **kwargs: Any) -> str:
        await asyncio.sleep(0)
        return "ok"

    for r in (sync_fails, fails_eagerly, fails_after_suspending, ok):
        sig.connect(r)

    async def main() -> list[tuple[Any, Any]]:
        return await sig.asend_robust(None)

    responses = _run(main)
    assert [r for r, _ in responses] == [sync_fails, fails_eagerly, fails_after_suspending, ok]
    kinds = [type(resp) for _, resp in responses]
    assert kinds == [KeyError, ValueError, RuntimeError, str]
    for _, resp in responses[:3]:
        assert resp.__traceback__ is not None


@pytest.mark.parametrize("suspend", [False, True], ids=["eager", "after-suspending"])
@pytest.mark.parametrize("method", ["asend", "asend_robust"])
def test_a_receiver_raising_cancelled_error_responds_none(suspend: bool, method: str) -> None:
    """Django 6.1's TaskGroup ignores a task that ends cancelled: its result stays None."""
    sig = Signal()
    ended: list[str] = []

    async def cancels(sender: Any, **kwargs: Any) -> None:
        if suspend:
            await asyncio.sleep(0)
        raise asyncio.CancelledError

    async def ok(sender: Any, **kwargs: Any) -> str:
        await asyncio.sleep(0.01)
        ended.append("ok")
        return "ok"

    sig.connect(cancels)
    sig.connect(ok)

    async def main() -> list[tuple[Any, Any]]:
        responses = await getattr(sig, method)(None)
        assert _others() == set()
        return responses

    assert _run(main) == [(cancels, None), (ok, "ok")]
    assert ended == ["ok"]


def test_caller_cancelled_while_a_receiver_fails_gets_the_error_then_cancellation() -> None:
    """TaskGroup's rule: errors have priority, and the cancellation comes at the next await."""
    sig = Signal()
    started = asyncio.Event()

    async def fails_when_cancelled(sender: Any, **kwargs: Any) -> None:
        started.set()
        try:
            await asyncio.sleep(STEP)
        except asyncio.CancelledError:
            raise ValueError("while cancelled") from None

    sig.connect(fails_when_cancelled)
    seen: list[str] = []

    async def sender_task() -> None:
        try:
            await sig.asend(None)
        except ValueError:
            seen.append("ValueError")
        try:
            await asyncio.sleep(STEP)
        except asyncio.CancelledError:
            seen.append("cancelled at the next await")
            raise

    async def main() -> None:
        task = asyncio.ensure_future(sender_task())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    _run(main)
    assert seen == ["ValueError", "cancelled at the next await"]


def test_send_robust_lets_base_exceptions_through() -> None:
    sig = Signal()

    def interrupts(sender: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    sig.connect(interrupts)
    with pytest.raises(KeyboardInterrupt):
        sig.send_robust(None)


@pytest.mark.parametrize(
    "where",
    [
        "sync-receiver",
        pytest.param(
            "async-eager",
        ),
        "async-after-suspending",
    ],
)
def test_asend_robust_lets_keyboard_interrupt_through(where: str) -> None:
    sig = Signal()
    finished: list[str] = []

    def sync_interrupts(sender: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    async def async_interrupts(sender: Any, **kwargs: Any) -> None:
        if where == "async-after-suspending":
            await asyncio.sleep(0)
        raise KeyboardInterrupt

    async def ok(sender: Any, **kwargs: Any) -> str:
        finished.append("started")
        try:
            await asyncio.sleep(0.05)
        finally:
            finished.append("ended")
        return "ok"

    sig.connect(ok)
    sig.connect(sync_interrupts if where == "sync-receiver" else async_interrupts)

    async def main() -> None:
        await sig.asend_robust(None)

    with pytest.raises(KeyboardInterrupt):
        _run_interrupted(main)
    # Nothing is left suspended: a receiver that started has ended.
    assert finished in ([], ["started", "ended"])


def test_keyboard_interrupt_while_starting_leaves_no_orphan() -> None:
    sig = Signal()
    seen: dict[str, Any] = {}

    async def suspends(sender: Any, **kwargs: Any) -> str:
        await asyncio.sleep(0.05)
        return "ok"

    async def interrupts(sender: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    sig.connect(suspends)
    sig.connect(interrupts)

    async def main() -> None:
        try:
            await sig.asend_robust(None)
        except KeyboardInterrupt:
            for _ in range(3):  # time enough for a cancelled task to end
                await asyncio.sleep(0)
            seen["orphans"] = _others()
            raise

    with pytest.raises(KeyboardInterrupt):
        _run_interrupted(main)
    # Either the interrupt escaped the event loop from a receiver's own task (as
    # with a TaskGroup), or the send saw it and left no task behind.
    assert seen.get("orphans", set()) == set()


# -- asyncio semantics inside receivers (as with Django 6.1's TaskGroup) ---------------------

_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("_VAR", default="unset")


def test_async_receivers_share_one_copy_of_the_callers_context() -> None:
    """Django 6.1: what one receiver sets, the ones after it see, and so does the caller."""
    sig = Signal()
    seen: list[str] = []

    async def sets(sender: Any, **kwargs: Any) -> None:
        _VAR.set("set by receiver")

    async def reads(sender: Any, **kwargs: Any) -> None:
        seen.append(_VAR.get())

    sig.connect(sets)
    sig.connect(reads)

    async def main() -> str:
        await sig.asend(None)
        return _VAR.get()

    assert _run(main) == "set by receiver"
    assert seen == ["set by receiver"]


def test_each_async_receiver_has_a_task_of_its_own() -> None:
    sig = Signal()
    tasks: list[Any] = []

    def make(suspend: bool) -> Callable[..., Any]:
        async def records(sender: Any, **kwargs: Any) -> None:
            if suspend:
                await asyncio.sleep(0)
            tasks.append(asyncio.current_task())

        return records

    receivers = [make(False), make(True), make(False)]
    for r in receivers:
        sig.connect(r)

    async def main() -> Any:
        await sig.asend(None)
        return asyncio.current_task()

    sender_task = _run(main)
    assert len(tasks) == 3 and len(set(map(id, tasks))) == 3
    assert sender_task not in tasks


def test_asyncio_timeout_inside_a_receiver() -> None:
    sig = Signal()

    async def times_out(sender: Any, **kwargs: Any) -> str:
        try:
            async with asyncio.timeout(0.01):  # type: ignore[attr-defined,unused-ignore]
                await asyncio.sleep(STEP)
        except TimeoutError:
            return "timed out"
        return "not timed out"

    sig.connect(times_out)

    async def main() -> list[Any]:
        return [resp for _, resp in await sig.asend_robust(None)]

    if not hasattr(asyncio, "timeout"):
        pytest.skip("asyncio.timeout is Python 3.11+")
    assert _run(main) == ["timed out"]


def test_asyncio_timeout_in_one_receiver_cancels_only_that_one() -> None:
    sig = Signal()

    async def times_out(sender: Any, **kwargs: Any) -> str:
        try:
            await asyncio.wait_for(asyncio.sleep(STEP), timeout=0.01)
        except asyncio.TimeoutError:
            return "timed out"
        return "not timed out"  # pragma: no cover

    async def sibling(sender: Any, **kwargs: Any) -> str:
        await asyncio.sleep(0.05)
        return "sibling finished"

    sig.connect(times_out)
    sig.connect(sibling)

    async def main() -> list[Any]:
        return [resp for _, resp in await sig.asend(None)]

    assert _run(main) == ["timed out", "sibling finished"]


# -- send() from inside a running event loop ----------------------------------------------


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_with_async_receivers_inside_running_loop_raises(method: str) -> None:
    sig = Signal(name="inside_loop")
    called: list[str] = []

    async def async_receiver(sender: Any, **kwargs: Any) -> None:  # pragma: no cover
        called.append("async")

    sig.connect(async_receiver)

    async def main() -> None:
        with pytest.raises(RuntimeError) as info:
            getattr(sig, method)(None)
        message = str(info.value)
        assert "inside_loop" in message
        assert "running event loop" in message
        assert "asend" in message
        # It still works the right way.
        await sig.asend(None)

    _run(main)
    assert called == ["async"]


def test_send_with_only_sync_receivers_inside_running_loop_works() -> None:
    sig = Signal()

    def sync_receiver(sender: Any, **kwargs: Any) -> str:
        return "sync"

    async def dead_async(sender: Any, **kwargs: Any) -> None:  # pragma: no cover
        pass

    sig.connect(sync_receiver)
    sig.connect(dead_async)
    del dead_async  # a dead weak async receiver does not count

    async def main() -> list[Any]:
        return [resp for _, resp in sig.send(None)]

    import gc

    gc.collect()
    assert _run(main) == ["sync"]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_send_refused_inside_running_loop_calls_no_receiver(method: str) -> None:
    sig = Signal()
    called: list[str] = []

    def sync_receiver(sender: Any, **kwargs: Any) -> None:
        called.append("sync")

    async def async_receiver(sender: Any, **kwargs: Any) -> None:  # pragma: no cover
        called.append("async")

    sig.connect(sync_receiver)
    sig.connect(async_receiver)

    async def main() -> None:
        with pytest.raises(RuntimeError, match="running event loop"):
            getattr(sig, method)(None)

    _run(main)
    assert called == []


def test_send_with_async_receivers_from_a_thread_while_a_loop_runs_elsewhere() -> None:
    """Only the calling thread's loop matters: a worker thread may send()."""
    sig = Signal()

    async def async_receiver(sender: Any, **kwargs: Any) -> str:
        await asyncio.sleep(0)
        return "async"

    sig.connect(async_receiver)

    async def main() -> list[Any]:
        responses = await asyncio.to_thread(sig.send, None)
        return [resp for _, resp in responses]

    assert _run(main) == ["async"]


# -- ordering ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["send", "send_robust", "asend", "asend_robust"])
def test_results_are_sync_receivers_then_async_in_connect_order(method: str) -> None:
    sig = Signal()
    receivers: list[Any] = []
    for i in range(6):
        if i % 2:

            async def r(sender: Any, _i: int = i, **kwargs: Any) -> int:
                await asyncio.sleep(0.001 * (6 - _i))  # finish in reverse order
                return _i

        else:

            def r(sender: Any, _i: int = i, **kwargs: Any) -> int:  # type: ignore[misc]
                return _i

        receivers.append(r)
        sig.connect(r)
    call = getattr(sig, method)
    responses = asyncio.run(call(None)) if method.startswith("a") else call(None)
    assert [resp for _, resp in responses] == [0, 2, 4, 1, 3, 5]
    assert [r for r, _ in responses] == [receivers[i] for i in (0, 2, 4, 1, 3, 5)]


def test_a_loops_task_factory_makes_the_receivers_tasks() -> None:
    """Receivers' tasks start eagerly only on a loop without a task factory of its own."""
    sig = Signal()
    made: list[Any] = []
    ran_in: list[Any] = []

    async def receiver(sender: Any, **kwargs: Any) -> str:
        ran_in.append(asyncio.current_task())
        return "done"

    sig.connect(receiver)

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    async def main() -> list[Any]:
        asyncio.get_running_loop().set_task_factory(factory)
        return await sig.asend(None)

    assert _run(main) == [(receiver, "done")]
    assert len(ran_in) == 1 and ran_in[0] in made
