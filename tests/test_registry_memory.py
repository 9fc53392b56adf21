"""What a connected receiver costs the registry, and that its entry is its weak reference.

A weakly connected function's entry is a ``weakref.ref`` subclass with four
slots: the same object is what ``receivers`` lists, what a snapshot calls and
what the death callback reports. Bytes are counted with tracemalloc (not
timed); the receivers are made before counting, and connected with
``check=False`` so that only the registry's own allocations are counted.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from typedsignals import Signal

#: Django 6.1's registry, for a weak function receiver of every sender: the
#: lookup key (a tuple of two new ints), a weakref, the bound method that is
#: its callback, and a 4-tuple in its list (its receivers' signature check,
#: with DEBUG on, costs more besides).
DJANGO_61_BYTES = 345


class Sender:
    pass


def _receivers(n: int) -> list[Callable[..., Any]]:
    def make() -> Callable[..., Any]:
        def receiver(**kwargs: Any) -> None:
            return None

        return receiver

    return [make() for _ in range(n)]


def _bytes_per_connect(sig: Signal, receivers: list[Callable[..., Any]], sender: object) -> float:
    for r in receivers:  # what the receivers gain anyway (a function's __dict__) is not counted
        r.__dict__
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for r in receivers:
            sig.connect(r, sender=sender, check=False)
        sig.send(sender)
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - before) / len(receivers)
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("specific", [False, True], ids=["every-sender", "one-sender"])
def test_a_weak_function_receiver_costs_less_than_in_django(specific: bool) -> None:
    sig = Signal()
    sender = Sender if specific else None
    receivers = _receivers(2000)
    per_receiver = _bytes_per_connect(sig, receivers, sender)
    assert per_receiver < DJANGO_61_BYTES * 0.8, per_receiver
    assert len(sig.send(sender)) == len(receivers)


def test_the_entry_is_the_weak_reference_listed_sent_and_restored() -> None:
    sig = Signal()
    (r,) = _receivers(1)
    sig.connect(r)
    [(key, ref, sender_ref, is_async)] = sig.receivers
    assert isinstance(ref, weakref.ReferenceType) and ref() is r
    assert key == (id(r), id(None)) and sender_ref is None and is_async is False
    assert sig._snapshot_for(None).sync == (ref,)
    saved = sig.receivers
    sig.receivers = []
    assert sig.send(None) == []
    sig.receivers = saved
    assert sig.receivers[0][1] is ref  # restored as it was, not re-made
    assert sig.send(None) == [(r, None)]
    del r, saved
    gc.collect()
    assert ref() is None and sig.receivers == [] and sig.send(None) == []


def test_connect_disconnect_cycles_of_one_receiver_hold_nothing() -> None:
    sig = Signal()
    (r,) = _receivers(1)
    for _ in range(10):
        sig.connect(r, sender=Sender)
        sig.disconnect(r, sender=Sender)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            sig.connect(r, sender=Sender)
            sig.send(Sender)
            sig.disconnect(r, sender=Sender)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 4096, held
    assert sig._entries == {} and sig._senders == {}
