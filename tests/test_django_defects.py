"""Regression tests for five defects of Django 5.2's dispatcher; each fails on Django.

They check behaviour and operation counts, not time: speed is the benchmark's job.
"""

from __future__ import annotations

import gc
import tracemalloc

from typedsignals import Signal
from typedsignals._utils import sender_key


def module_level_receiver(**kwargs):
    return "called"


class Sender:
    pass


def test_connect_disconnect_cycles_retain_nothing():
    # Django: a weakref.finalize per weak connect, alive as long as the receiver
    # (a module-level function: forever): ~33 MB for 100,000 cycles.
    sig = Signal()
    for _ in range(1000):  # warm up caches and free lists
        sig.connect(module_level_receiver)
        sig.disconnect(module_level_receiver)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(100_000):
            sig.connect(module_level_receiver)
            sig.disconnect(module_level_receiver)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown < 20 * 1024, f"{grown} bytes retained"


def test_receiver_never_fires_for_another_object_with_a_reused_id():
    # Django keys senders by id(): a new object at a dead sender's address
    # receives the dead sender's receivers.
    sig = Signal()
    fired = []

    def for_that_sender(sender, **kwargs):
        fired.append(sender)

    senders = [Sender() for _ in range(200)]
    old_ids = {id(s) for s in senders}
    for s in senders:
        sig.connect(for_that_sender, sender=s)
    del senders, s
    gc.collect()
    # CPython hands freed blocks out again: some new senders get old addresses.
    candidates = [Sender() for _ in range(2000)]
    reused = [c for c in candidates if id(c) in old_ids]
    assert reused, "could not provoke id reuse"
    for sender in reused:
        assert sig.send(sender) == []
        assert not sig.has_listeners(sender)
    assert fired == []
    assert sig.receivers == []


def test_caching_works_with_every_sender():
    # Django's cache is a WeakKeyDictionary: TypeError for None, int, str, tuple.
    sig = Signal(use_caching=True)
    sig.connect(module_level_receiver)
    for sender in (None, 7, "name", (1, 2), [1, 2], {"k": 1}, Sender(), Sender):
        assert sig.send(sender) == [(module_level_receiver, "called")]
        assert sig.send_robust(sender) == [(module_level_receiver, "called")]


class CountingUid:
    """A dispatch_uid that counts how often it is compared."""

    comparisons = 0

    def __init__(self, n: int) -> None:
        self.n = n

    def __hash__(self) -> int:
        return hash(self.n)

    def __eq__(self, other: object) -> bool:
        CountingUid.comparisons += 1
        return isinstance(other, CountingUid) and other.n == self.n


def test_connect_and_disconnect_do_not_scan_receivers():
    # Django compares the new lookup key with every connected one: quadratic.
    sig = Signal()
    n = 2000
    CountingUid.comparisons = 0
    for i in range(n):
        sig.connect(module_level_receiver, dispatch_uid=CountingUid(i))
    for i in range(n):
        assert sig.disconnect(dispatch_uid=CountingUid(i))
    # A dict compares only on hash collisions (a few); a scan makes ~n²/2 = 2,000,000.
    assert CountingUid.comparisons < 4 * n
    assert sig.receivers == []


def test_send_touches_only_the_receivers_of_its_sender(monkeypatch):
    # Django without caching scans every receiver of every sender on each send.
    for use_caching in (False, True):
        sig = Signal(use_caching=use_caching)
        senders = [Sender() for _ in range(1000)]
        receivers = []
        for s in senders:
            def r(sender, **kwargs):
                return sender

            receivers.append(r)
            sig.connect(r, sender=s)
        target = senders[500]
        assert sig.send(target) == [(receivers[500], target)]
        snapshot = sig._snapshots[sender_key(target)]
        assert snapshot is not None and len(snapshot.sync) == 1
        rebuilt: list[object] = []

        def counting(self, key, rebuilt=rebuilt, original=Signal._load_snapshot):
            rebuilt.append(key)
            return original(self, key)

        monkeypatch.setattr(Signal, "_load_snapshot", counting)
        for _ in range(10):
            assert sig.send(target) == [(receivers[500], target)]
        assert rebuilt == []  # no rebuild: each send used its sender's snapshot only
        monkeypatch.undo()
