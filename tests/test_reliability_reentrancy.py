"""Reentrancy: receivers that connect, disconnect or send the same signal mid-dispatch.

The rule, as in Django: a dispatch calls the receivers that were connected, and
alive, when it began. A receiver connected during the dispatch is first called
by the next send; one disconnected (or set aside by assigning ``receivers``)
during the dispatch is still called by it; a nested send of the same signal
sees the registry as it is when the nested send begins. No lock is held while
a receiver runs, so none of this can deadlock.
"""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from typedsignals import Signal

pytestmark = [pytest.mark.timeout(30), pytest.mark.parametrize("use_caching", [False, True])]

Log = list[str]


def _make(log: Log, name: str, action: Callable[[], Any] | None = None) -> Callable[..., str]:
    def receiver(sender: Any, **kwargs: Any) -> str:
        log.append(name)
        if action is not None:
            action()
        return name

    receiver.__name__ = receiver.__qualname__ = name
    return receiver


def _amake(log: Log, name: str, action: Callable[[], Any] | None = None) -> Callable[..., Any]:
    async def receiver(sender: Any, **kwargs: Any) -> str:
        log.append(name)
        if action is not None:
            action()
        return name

    receiver.__name__ = receiver.__qualname__ = name
    return receiver


def _names(responses: list[tuple[Any, Any]]) -> list[Any]:
    return [response for _, response in responses]


class _Sender:
    pass


SENDS: dict[str, Callable[[Signal[Any, Any], Any], list[tuple[Any, Any]]]] = {
    "send": lambda sig, sender: sig.send(sender),
    "send_robust": lambda sig, sender: sig.send_robust(sender),
    "asend": lambda sig, sender: asyncio.run(sig.asend(sender)),
    "asend_robust": lambda sig, sender: asyncio.run(sig.asend_robust(sender)),
}
send_methods = pytest.mark.parametrize("send", list(SENDS.values()), ids=list(SENDS))


@send_methods
def test_connect_during_dispatch_waits_for_next_send(use_caching: bool, send: Any) -> None:
    sig = Signal(use_caching)
    log: Log = []
    late = _make(log, "late")
    late_for_sender = _make(log, "late_for_sender")
    sender = _Sender()

    def connect_more() -> None:
        sig.connect(late)
        sig.connect(late_for_sender, sender=sender)

    first = _make(log, "first", connect_more)
    second = _make(log, "second")
    sig.connect(first)
    sig.connect(second)

    assert _names(send(sig, sender)) == ["first", "second"]
    assert log == ["first", "second"]
    log.clear()
    # Connecting again from `first` is a no-op (same lookup keys).
    assert _names(send(sig, sender)) == ["first", "second", "late", "late_for_sender"]
    assert log == ["first", "second", "late", "late_for_sender"]


@send_methods
def test_disconnect_during_dispatch_still_calls_the_disconnected(
    use_caching: bool, send: Any
) -> None:
    sig = Signal(use_caching)
    log: Log = []
    second = _make(log, "second")
    third = _make(log, "third")

    def disconnect_others() -> None:
        sig.disconnect(second)
        sig.disconnect(dispatch_uid="third")

    first = _make(log, "first", disconnect_others)
    sig.connect(first)
    sig.connect(second)
    sig.connect(third, dispatch_uid="third")

    assert _names(send(sig, None)) == ["first", "second", "third"]
    log.clear()
    assert _names(send(sig, None)) == ["first"]
    assert log == ["first"]


@send_methods
def test_disconnecting_itself_during_dispatch(use_caching: bool, send: Any) -> None:
    sig = Signal(use_caching)
    log: Log = []
    holder: dict[str, Any] = {}
    once = _make(log, "once", lambda: holder["result"].append(sig.disconnect(holder["once"])))
    holder.update(once=once, result=[])
    sig.connect(once)
    assert _names(send(sig, None)) == ["once"]
    assert _names(send(sig, None)) == []
    assert holder["result"] == [True]


@send_methods
def test_reassigning_receivers_during_dispatch(use_caching: bool, send: Any) -> None:
    """mute_signals-style ``sig.receivers = []`` mid-dispatch: this dispatch goes on."""
    sig = Signal(use_caching)
    log: Log = []
    saved: list[Any] = []

    def mute() -> None:
        saved.append(sig.receivers)
        sig.receivers = []

    first = _make(log, "first", mute)
    second = _make(log, "second")
    sig.connect(first)
    sig.connect(second)
    assert _names(send(sig, None)) == ["first", "second"]
    assert _names(send(sig, None)) == []
    sig.receivers = saved[0]
    sig.disconnect(first)
    assert _names(send(sig, None)) == ["second"]


@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_nested_send_sees_registry_as_it_is_then(use_caching: bool, method: str) -> None:
    sig = Signal(use_caching)
    log: Log = []
    depth = [0]
    nested_results: list[list[Any]] = []
    added = _make(log, "added")

    def recurse() -> None:
        if depth[0] >= 2:
            return
        depth[0] += 1
        if depth[0] == 1:
            sig.connect(added)
        nested_results.append(_names(getattr(sig, method)(None, level=depth[0])))

    outer = _make(log, "outer", recurse)
    sig.connect(outer)
    assert _names(getattr(sig, method)(None)) == ["outer"]
    # The nested sends began after `added` was connected, so they call it.
    assert nested_results == [["outer", "added"], ["outer", "added"]]
    assert log == ["outer", "outer", "outer", "added", "added"]


def test_nested_asend_sees_registry_as_it_is_then(use_caching: bool) -> None:
    sig = Signal(use_caching)
    log: Log = []
    nested: list[list[Any]] = []
    added = _amake(log, "added")

    async def outer(sender: Any, level: int = 0, **kwargs: Any) -> str:
        log.append("outer")
        if level == 0:
            sig.connect(added)
            nested.append(_names(await sig.asend(None, level=1)))
        return "outer"

    sig.connect(outer)
    assert _names(asyncio.run(sig.asend(None))) == ["outer"]
    assert nested == [["outer", "added"]]
    assert log == ["outer", "outer", "added"]


def test_has_listeners_inside_a_receiver(use_caching: bool) -> None:
    sig = Signal(use_caching)
    seen: list[bool] = []
    holder: dict[str, Any] = {}

    def only(sender: Any, **kwargs: Any) -> None:
        seen.append(sig.has_listeners(sender))
        sig.disconnect(holder["only"])
        seen.append(sig.has_listeners(sender))

    holder["only"] = only
    sig.connect(only)
    sig.send(None)
    assert seen == [True, False]
    assert not sig.has_listeners()


@send_methods
def test_async_receivers_connected_mid_dispatch_wait(use_caching: bool, send: Any) -> None:
    sig = Signal(use_caching)
    log: Log = []
    late = _amake(log, "late")
    first = _make(log, "first", lambda: sig.connect(late))
    other = _amake(log, "other", lambda: sig.disconnect(dispatch_uid="gone"))
    gone = _amake(log, "gone")
    sig.connect(first)
    sig.connect(other)
    sig.connect(gone, dispatch_uid="gone")
    assert sorted(_names(send(sig, None))) == ["first", "gone", "other"]
    assert sorted(_names(send(sig, None))) == ["first", "late", "other"]


class _Holder:
    """A receiver that lives on an object another receiver can let go of."""

    def __init__(self, log: Log) -> None:
        self.log = log

    def on_event(self, sender: Any, **kwargs: Any) -> str:
        self.log.append("holder")
        return "holder"

    async def on_event_async(self, sender: Any, **kwargs: Any) -> str:
        self.log.append("holder")
        return "holder"


@pytest.mark.parametrize(
    ("method", "is_async"),
    [
        pytest.param("send", False),
        pytest.param("send_robust", False),
        pytest.param("send", True),
        pytest.param("asend", False),
        pytest.param("asend", True),
    ],
)
def test_receiver_dying_mid_dispatch_is_still_called(
    use_caching: bool, method: str, is_async: bool
) -> None:
    """The receivers alive when a dispatch begins are all called (Django's behaviour)."""
    sig = Signal(use_caching)
    log: Log = []
    holders = [_Holder(log)]
    holder_alive = weakref.ref(holders[0])

    def let_go(sender: Any, **kwargs: Any) -> str:
        log.append("let_go")
        holders.clear()
        gc.collect()
        return "let_go"

    sig.connect(let_go)
    sig.connect(holders[0].on_event_async if is_async else holders[0].on_event)
    if method.startswith("a"):
        responses = asyncio.run(getattr(sig, method)(None))
    else:
        responses = getattr(sig, method)(None)
    # asend runs the sync hop and the async receivers concurrently: any order.
    assert sorted(log) == ["holder", "let_go"]
    assert _names(responses) == ["let_go", "holder"]
    del responses
    # asend's worker thread may hold its arguments a moment after the send returns.
    deadline = time.monotonic() + 5
    while holder_alive() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    # Gone for the next dispatch.
    assert _names(sig.send(None)) == ["let_go"]
    assert len(sig.receivers) == 1
