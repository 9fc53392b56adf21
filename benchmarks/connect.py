"""Connect and disconnect scenarios, and memory.

Connect: ``n`` distinct receivers (closures of one ``def``, so typedsignals'
validator reads the signature once and reuses it, as it would for the
instances of a class) connected to a fresh signal, with each library's
validation on: typedsignals' connect-time checks, psygnal's argument-count
check, Django's ``**kwargs`` check (DEBUG=True); blinker and pydispatcher
check nothing. Disconnect: the same receivers, in a shuffled order.

Memory (tracemalloc, after ``gc.collect()``): bytes per connected receiver
(connected and sent once, so send caches count), and bytes still held after
connecting and disconnecting one receiver many times.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from ._timing import Case, Config, Scenario
from .peers import Peer, Sender, make_positional_receivers, make_receivers

__all__ = ["scenarios"]


def _receivers(peer: Peer, n: int) -> list[Callable[..., Any]]:
    return make_positional_receivers(n) if peer.positional else make_receivers(n)


def _send_once(peer: Peer, sig: Any, sender: object) -> None:
    stmt, names = peer.send_stmt(sig, sender)
    exec(stmt, {}, names)


class _ConnectCase:
    """Times connecting ``n`` receivers, then disconnecting them (recorded aside)."""

    def __init__(self, peer: Peer, n: int, seed: int, config: Config) -> None:
        self.clock = config.clock
        self.peer = peer
        self.receivers = _receivers(peer, n)
        self.order = self.receivers[:]
        random.Random(seed).shuffle(self.order)
        self.disconnects: list[float] = []

    def sample(self) -> float:
        peer, receivers, clock = self.peer, self.receivers, self.clock
        sig = peer.signal()
        connect, disconnect = peer.connector(sig), peer.disconnector(sig)
        enabled = gc.isenabled()
        gc.disable()
        try:
            t0 = clock()
            for r in receivers:
                connect(r)
            t1 = clock()
            for r in self.order:
                disconnect(r)
            t2 = clock()
        finally:
            peer.release(sig)
            if enabled:
                gc.enable()
        self.disconnects.append((t2 - t1) / len(receivers))
        return (t1 - t0) / len(receivers)


def connect_scenarios(config: Config, peers: dict[str, type[Peer]], n: int) -> Iterator[Scenario]:
    measured = [_ConnectCase(cls(), n, n, config) for cls in peers.values()]
    cases = [Case(m.peer.label, m.sample) for m in measured]
    yield Scenario(
        f"connect/{n}",
        f"connect {n} distinct receivers (validation on)",
        "ns",
        cases,
        ("blinker", "typedsignals"),
        config.connect_rounds,
        "validation: typedsignals (signature rules), psygnal (nargs), Django (DEBUG=True);"
        " blinker, pydispatcher: none",
    )
    # The disconnect samples were taken alongside: report them as their own scenario.
    yield Scenario(
        f"disconnect/{n}",
        f"disconnect {n} receivers (shuffled order)",
        "ns",
        [Case(m.peer.label, lambda: 0.0, samples=m.disconnects) for m in measured],
        ("blinker", "typedsignals"),
        0,
    )


def _traced(action: Callable[[], None]) -> int:
    """Bytes allocated by ``action`` and still held after a full collection."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def _per_receiver(peer: Peer | None, n: int) -> Callable[[], float]:
    def sample() -> float:
        receivers = _receivers(peer, n) if peer is not None else make_receivers(n)
        sender = Sender()
        held: list[Any] = []
        if peer is None:
            return _traced(lambda: held.append(list(receivers))) / n
        sig = peer.signal()

        def connect_all() -> None:
            connect = peer.connector(sig)
            for r in receivers:
                connect(r)
            _send_once(peer, sig, sender)

        try:
            return _traced(connect_all) / n
        finally:
            peer.release(sig)

    return sample


def _cycles(peer: Peer, cycles: int) -> Callable[[], float]:
    def sample() -> float:
        sig = peer.signal()
        (receiver,) = _receivers(peer, 1)
        for _ in range(10):  # first-use allocations (caches) are not retention
            peer.connect(sig, receiver)
            peer.disconnect(sig, receiver)

        def cycle() -> None:
            connect, disconnect = peer.connector(sig), peer.disconnector(sig)
            for _ in range(cycles):
                connect(receiver)
                disconnect(receiver)

        try:
            return float(_traced(cycle))
        finally:
            peer.release(sig)

    return sample


def memory_scenarios(config: Config, peers: dict[str, type[Peer]]) -> Iterator[Scenario]:
    n = config.memory_receivers
    cases = [Case("floor (a list)", _per_receiver(None, n))]
    cases += [Case(cls().label, _per_receiver(cls(), n)) for cls in peers.values()]
    yield Scenario(
        "memory/per-receiver",
        f"memory per connected receiver ({n} connected, sent once)",
        "B",
        cases,
        ("typedsignals",),
        1,
    )
    cycles = config.memory_cycles
    yield Scenario(
        f"memory/{cycles}-cycles",
        f"memory retained after {cycles} connect/disconnect cycles",
        "B",
        [Case(cls().label, _cycles(cls(), cycles)) for cls in peers.values()],
        ("typedsignals",),
        1,
        "one live receiver connected and disconnected again and again (weak=True)",
    )


def scenarios(config: Config, peers: dict[str, type[Peer]]) -> Iterator[Scenario]:
    for n in config.connect_sizes:
        yield from connect_scenarios(config, peers, n)
    yield from memory_scenarios(config, peers)
