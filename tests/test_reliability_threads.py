"""Threads: connect / disconnect / send / has_listeners on shared signals while receivers die.

Eight threads share two signals. Each thread owns its receivers, its
``dispatch_uid``\\ s and some senders of its own, and keeps a small model of
what it connected, so that although the threads interleave freely, each one
can check exactly:

* every send it makes calls exactly its own receivers that match the sender
  (and are connected and alive), in connect order;
* ``disconnect`` returns True exactly when its entry is connected;
* at the end, the registry holds exactly the union of the threads' entries,
  each thread's in its own connect order.

No exception may escape, and every join is bounded (no deadlock).
"""

from __future__ import annotations

import asyncio
import gc
import random
import sys
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from typedsignals import NONE_ID, Signal
from typedsignals._utils import make_id

pytestmark = pytest.mark.timeout(120)

THREADS = 8
OPS = 300
JOIN_TIMEOUT = 60.0
DEATH_TIMEOUT = 20.0


class _Sender:
    def __init__(self, cyclic: bool = False) -> None:
        self.cycle = self if cyclic else None


class _Listener:
    """A receiver object: sync or async bound method, maybe in a reference cycle."""

    def __init__(self, name: str, calls: dict[Any, list[str]], cyclic: bool) -> None:
        self.name = name
        self.calls = calls
        self.cycle = self if cyclic else None

    def on_sync(self, sender: Any, token: Any = None, **kwargs: Any) -> str:
        self.calls[token].append(self.name)
        return self.name

    async def on_async(self, sender: Any, token: Any = None, **kwargs: Any) -> str:
        self.calls[token].append(self.name)
        return self.name


def _function(name: str, calls: dict[Any, list[str]]) -> Callable[..., str]:
    def receiver(sender: Any, token: Any = None, **kwargs: Any) -> str:
        calls[token].append(name)
        return name

    return receiver


@dataclass
class _Entry:
    key: tuple[Any, Any]
    receiver: str
    sender: str
    weak: bool
    is_async: bool
    uid: Any


@dataclass
class _Worker:
    """One thread's receivers, senders and model."""

    index: int
    signals: list[Signal[Any, Any]]
    shared_senders: dict[str, Any]
    calls: dict[Any, list[str]]
    rng: random.Random = field(init=False)
    receivers: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    senders: dict[str, Any] = field(default_factory=dict)
    model: list[list[_Entry]] = field(default_factory=list)
    counter: int = 0
    sends: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(1000 + self.index)
        self.model = [[] for _ in self.signals]

    # -- helpers -----------------------------------------------------------------------

    def _name(self, prefix: str) -> str:
        self.counter += 1
        return f"t{self.index}-{prefix}{self.counter}"

    def _target(self, name: str) -> Any:
        obj, kind = self.receivers[name], self.kinds[name]
        if kind == "method":
            return obj.on_sync
        if kind == "async_method":
            return obj.on_async
        return obj

    def _all_senders(self) -> dict[str, Any]:
        return {**self.shared_senders, **self.senders}

    def _strong(self, name: str) -> bool:
        return any(e.receiver == name and not e.weak for m in self.model for e in m)

    # -- operations ---------------------------------------------------------------------

    def new_receiver(self) -> None:
        name = self._name("r")
        kind = self.rng.choice(["function", "method", "method", "async_method"])
        cyclic = self.rng.random() < 0.3
        obj = (
            _function(name, self.calls)
            if kind == "function"
            else _Listener(name, self.calls, cyclic)
        )
        self.receivers[name], self.kinds[name] = obj, kind

    def new_sender(self) -> None:
        self.senders[self._name("s")] = _Sender(cyclic=self.rng.random() < 0.3)

    def connect(self) -> None:
        if not self.receivers:
            return self.new_receiver()
        s = self.rng.randrange(len(self.signals))
        name = self.rng.choice(sorted(self.receivers))
        sender_name = self.rng.choice(sorted(self._all_senders()))
        weak = self.rng.random() < 0.7
        uid = (self.index, self.rng.randrange(3)) if self.rng.random() < 0.3 else None
        target = self._target(name)
        sender = self._all_senders()[sender_name]
        self.signals[s].connect(target, sender=sender, weak=weak, dispatch_uid=uid)
        key = (uid or make_id(target), make_id(sender))
        if all(e.key != key for e in self.model[s]):
            is_async = self.kinds[name] == "async_method"
            self.model[s].append(_Entry(key, name, sender_name, weak, is_async, uid))

    def disconnect(self) -> None:
        s = self.rng.randrange(len(self.signals))
        entries = self.model[s]
        if entries and self.rng.random() < 0.8:
            entry = self.rng.choice(entries)
            sender = self._all_senders()[entry.sender]
            if entry.uid:
                result = self.signals[s].disconnect(sender=sender, dispatch_uid=entry.uid)
            else:
                result = self.signals[s].disconnect(self._target(entry.receiver), sender=sender)
            assert result is True, entry
            entries.remove(entry)
        else:
            # Something this thread never connected (its own uid space): False.
            uid = (self.index, "never")
            assert self.signals[s].disconnect(dispatch_uid=uid) is False

    def drop_receiver(self) -> None:
        candidates = sorted(n for n in self.receivers if not self._strong(n))
        if not candidates:
            return
        name = self.rng.choice(candidates)
        ref = weakref.ref(self.receivers.pop(name))
        self._wait_dead(ref, name)
        for entries in self.model:
            entries[:] = [e for e in entries if e.receiver != name]

    def drop_sender(self) -> None:
        if not self.senders:
            return
        name = self.rng.choice(sorted(self.senders))
        ref = weakref.ref(self.senders.pop(name))
        self._wait_dead(ref, name)
        for entries in self.model:
            entries[:] = [e for e in entries if e.sender != name]

    def _wait_dead(self, ref: weakref.ref[Any], name: str) -> None:
        # Another thread's send may hold it for a moment; cycles need gc.
        deadline = time.monotonic() + DEATH_TIMEOUT
        delay = 0.0005
        while ref() is not None:
            assert time.monotonic() < deadline, f"{name} never died"
            gc.collect()
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def _expected(self, s: int, sender_name: str) -> list[str]:
        sender_id = make_id(self._all_senders()[sender_name])
        own = [e for e in self.model[s] if e.key[1] in (NONE_ID, sender_id)]
        return [e.receiver for e in own if not e.is_async] + [e.receiver for e in own if e.is_async]

    def send(self) -> None:
        s = self.rng.randrange(len(self.signals))
        sender_name = self.rng.choice(sorted(self._all_senders()))
        sender = self._all_senders()[sender_name]
        expected = self._expected(s, sender_name)
        has_async = any(n.startswith(f"t{self.index}-") for n in expected) and any(
            self.kinds.get(n) == "async_method" for n in expected
        )
        self.sends += 1
        token = (self.index, self.sends)
        method = self.rng.choice(["send", "send_robust", "send", "asend"])
        if method == "asend":
            responses = asyncio.run(self.signals[s].asend(sender, token=token))
        else:
            responses = getattr(self.signals[s], method)(sender, token=token)
        own = set(self.receivers) | {e.receiver for m in self.model for e in m}
        got = [r for _, r in responses if r in own]
        del responses
        called = [n for n in self.calls.pop(token, []) if n in own]
        assert got == expected, (method, sender_name, got, expected)
        if method == "asend" or has_async:
            assert sorted(called) == sorted(expected)
        else:
            assert called == expected

    def has_listeners(self) -> None:
        s = self.rng.randrange(len(self.signals))
        sender_name = self.rng.choice(sorted(self._all_senders()))
        if self._expected(s, sender_name):
            assert self.signals[s].has_listeners(self._all_senders()[sender_name])
        else:
            self.signals[s].has_listeners(self._all_senders()[sender_name])

    def collect(self) -> None:
        gc.collect()

    def run(self, ops: int, start: threading.Barrier) -> None:
        for _ in range(3):
            self.new_receiver()
        self.new_sender()
        start.wait(timeout=JOIN_TIMEOUT)
        actions: list[tuple[Callable[[], None], int]] = [
            (self.connect, 30),
            (self.disconnect, 15),
            (self.send, 25),
            (self.has_listeners, 10),
            (self.new_receiver, 6),
            (self.drop_receiver, 6),
            (self.new_sender, 3),
            (self.drop_sender, 3),
            (self.collect, 2),
        ]
        funcs, weights = zip(*actions, strict=True)
        for _ in range(ops):
            self.rng.choices(funcs, weights)[0]()


def _run_threads(workers: list[_Worker], ops: int) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def target(worker: _Worker) -> None:
        try:
            worker.run(ops, start)
        except BaseException as exc:
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=target, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    assert not alive, f"deadlock or livelock: {alive} still running after {JOIN_TIMEOUT}s"
    if errors:
        raise errors[0]


@pytest.fixture
def fast_switching() -> Any:
    """Switch threads often, to interleave the registry's steps finely."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(old)


@pytest.mark.usefixtures("fast_switching")
def test_eight_threads_share_two_signals() -> None:
    signals: list[Signal[Any, Any]] = [
        Signal(name="plain"),
        Signal(use_caching=True, name="cached"),
    ]
    shared = {
        "none": None,
        "shared-object": _Sender(),
        "shared-str": "shared-sender",
        "class": _Sender,
    }
    calls: dict[Any, list[str]] = defaultdict(list)
    workers = [_Worker(i, signals, shared, calls) for i in range(THREADS)]
    _run_threads(workers, OPS)

    gc.collect()
    for s, sig in enumerate(signals):
        keys = [key for key, _, _, _ in sig.receivers]
        expected: list[tuple[Any, Any]] = [e.key for w in workers for e in w.model[s]]
        assert sorted(map(repr, keys)) == sorted(map(repr, expected)), sig
        assert len(keys) == len(set(keys))
        for w in workers:
            own = {e.key for e in w.model[s]}
            assert [k for k in keys if k in own] == [e.key for e in w.model[s]]
        # And sends agree with the final registry, for every sender.
        for w in workers:
            for sender_name in w._all_senders():
                expected_names = w._expected(s, sender_name)
                responses = sig.send_robust(w._all_senders()[sender_name], token="final")
                own_names = set(w.receivers) | {e.receiver for e in w.model[s]}
                assert [r for _, r in responses if r in own_names] == expected_names
                del responses
    # Every receiver a thread let go of is gone: the registry keeps nothing alive.
    for w in workers:
        w.model = [[] for _ in signals]
        w.receivers.clear()
        w.senders.clear()
    for sig in signals:
        sig.receivers = []
    gc.collect()
    leftovers = [o for o in gc.get_objects() if isinstance(o, _Listener)]
    assert leftovers == []


# -- deaths inside the lock ----------------------------------------------------------------


def _bounded(fn: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Run fn in a thread; fail (instead of hanging) if it deadlocks."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "deadlock: a weakref callback ran while the lock was held"
    if errors:
        raise errors[0]
    return result[0] if result else None


@pytest.mark.parametrize("how", ["disconnect", "assign-receivers"])
@pytest.mark.parametrize("cyclic", [False, True])
def test_receiver_dying_under_the_lock_does_not_deadlock(cyclic: bool, how: str) -> None:
    """Removing the last strong entry frees the receiver while the registry holds
    its lock; the weak entry's callback then runs under that lock."""
    sig = Signal()
    calls: dict[Any, list[str]] = defaultdict(list)
    listener = _Listener("x", calls, cyclic)
    sender = _Sender()
    sig.connect(listener.on_sync)  # weak, every sender
    sig.connect(listener.on_sync, sender=sender, weak=False, dispatch_uid="strong")
    alive = weakref.ref(listener)
    del listener
    gc.collect()
    assert len(sig.receivers) == 2 and alive() is not None

    def drop_strong_entry() -> list[Any]:
        if how == "disconnect":
            assert sig.disconnect(sender=sender, dispatch_uid="strong") is True
        else:
            sig.receivers = [t for t in sig.receivers if t[0][0] != "strong"]
        gc.collect()
        return sig.receivers

    assert _bounded(drop_strong_entry) == []
    assert alive() is None
    assert _bounded(lambda: sig.send(None)) == []
    assert _bounded(lambda: sig.send(sender)) == []


def test_sender_dying_under_the_lock_does_not_deadlock() -> None:
    sig = Signal()
    sender = _Sender(cyclic=True)

    def receiver(sender: Any, **kwargs: Any) -> None:  # pragma: no cover
        pass

    # The only reference to the sender is a receiver held by the registry.
    holder = _Listener("holder", defaultdict(list), cyclic=False)
    holder.cycle = sender  # type: ignore[assignment]
    sig.connect(receiver, sender=sender)
    sig.connect(holder.on_sync, weak=False, dispatch_uid="holder")
    del sender, holder
    assert len(sig.receivers) == 2
    # Dropping the holder under the lock drops the last reference to the sender.
    assert _bounded(lambda: sig.disconnect(dispatch_uid="holder")) is True
    gc.collect()
    assert _bounded(lambda: sig.receivers) == []


@pytest.mark.usefixtures("fast_switching")
def test_gc_in_other_threads_while_sending() -> None:
    """Weakref callbacks fire in whichever thread runs the collection."""
    sig = Signal()
    stop = threading.Event()
    calls: dict[Any, list[str]] = defaultdict(list)
    errors: list[BaseException] = []

    def churn(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                listeners = [_Listener(f"{seed}-{i}", calls, cyclic=True) for i in range(5)]
                sender = _Sender(cyclic=True)
                for listener in listeners:
                    sig.connect(listener.on_sync, sender=rng.choice([None, sender]))
                sig.send(sender)
                sig.has_listeners(sender)
                del listeners, sender
                if rng.random() < 0.3:
                    gc.collect()
                calls.clear()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=churn, args=(i,), daemon=True) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    gc.collect()
    assert sig.receivers == []
    assert not sig.has_listeners(None)
