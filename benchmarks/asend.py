"""Async scenarios: ``asend`` with async receivers (suspending or not) and with sync ones.

Floors: awaiting each receiver in turn (the least an async send can cost),
``asyncio.gather`` (what running receivers concurrently costs when done the
obvious way) and, for sync receivers, the send floor behind one
``sync_to_async`` hop (what Django and typedsignals do).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ._timing import Case, Config, Scenario, async_loop
from .peers import Peer, Sender, make_async_receivers, make_receivers
from .send import make_floor

__all__ = ["scenarios"]

SIZE = 10


def make_sequential_floor(receivers: list[Callable[..., Any]], sig: object) -> Callable[..., Any]:
    async def floor(sender: object, **named: Any) -> list[tuple[Callable[..., Any], Any]]:
        return [(r, await r(signal=sig, sender=sender, **named)) for r in receivers]

    return floor


def make_gather_floor(receivers: list[Callable[..., Any]], sig: object) -> Callable[..., Any]:
    async def floor(sender: object, **named: Any) -> list[tuple[Callable[..., Any], Any]]:
        results = await asyncio.gather(*(r(signal=sig, sender=sender, **named) for r in receivers))
        return list(zip(receivers, results, strict=True))

    return floor


def _async_scenario(
    config: Config,
    peers: dict[str, type[Peer]],
    key: str,
    title: str,
    make: Callable[[], list[Callable[..., Any]]],
    floors: Mapping[str, Callable[[list[Callable[..., Any]], object], Callable[..., Any]]],
    baseline: str,
    *,
    rounds: int,
    single: bool = False,
    note: str = "",
    skip: frozenset[str] = frozenset(),
) -> Scenario:
    loop = asyncio.new_event_loop()
    sender = Sender()
    keep: list[Any] = []
    limits: dict[str, Any] = {"max_number": 1} if single else {}
    cases: list[Case] = []
    for name, make_floor_fn in floors.items():
        receivers = make()
        keep.append(receivers)
        floor = make_floor_fn(receivers, object())
        cases.append(
            async_loop(
                name,
                "await floor(sender, value=1)",
                {"floor": floor, "sender": sender},
                config,
                loop,
                **limits,
            )
        )
    for name, cls in peers.items():
        if name in skip:
            continue
        peer = cls()
        sig = peer.signal()
        stmt = peer.asend_stmt(sig, sender)
        if stmt is None:
            continue
        receivers = make()
        keep.append(receivers)
        for r in receivers:
            peer.connect(sig, r)
        cases.append(async_loop(peer.label, *stmt, config, loop, **limits))

    def teardown() -> None:
        keep.clear()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    return Scenario(key, title, "ns", cases, (baseline,), rounds, note, teardown)


def scenarios(config: Config, peers: dict[str, type[Peer]]) -> Iterator[Scenario]:
    n = SIZE
    both = {
        "floor (sequential await)": make_sequential_floor,
        "floor (gather)": make_gather_floor,
    }
    yield _async_scenario(
        config,
        peers,
        f"asend/{n}-async",
        f"asend, {n} async receivers that do not suspend",
        lambda: make_async_receivers(n),
        both,
        "floor (sequential await)",
        rounds=config.rounds,
        note="blinker: send_async awaits receivers one after another",
    )
    yield _async_scenario(
        config,
        peers,
        f"asend/{n}-async-sleep(0)",
        f"asend, {n} async receivers each awaiting asyncio.sleep(0)",
        lambda: make_async_receivers(n, 0),
        both,
        "floor (gather)",
        rounds=config.rounds,
    )
    ms = config.sleep_s * 1000
    yield _async_scenario(
        config,
        peers,
        f"asend/{n}-async-sleep({ms:g}ms)",
        f"asend, {n} async receivers each sleeping {ms:g} ms",
        lambda: make_async_receivers(n, config.sleep_s),
        {"floor (gather)": make_gather_floor},
        "floor (gather)",
        rounds=config.sleep_rounds,
        single=True,
        note="concurrent receivers finish in about one sleep",
    )

    def hop_floor(receivers: list[Callable[..., Any]], sig: object) -> Callable[..., Any]:
        from asgiref.sync import sync_to_async

        floor = make_floor(receivers, sig)

        async def hop(sender: object, **named: Any) -> list[tuple[Callable[..., Any], Any]]:
            result: list[tuple[Callable[..., Any], Any]] = await sync_to_async(floor)(
                sender, **named
            )
            return result

        return hop

    yield _async_scenario(
        config,
        peers,
        f"asend/{n}-sync",
        f"asend, {n} sync receivers",
        lambda: make_receivers(n),
        {"floor (one sync_to_async hop)": hop_floor},
        "floor (one sync_to_async hop)",
        rounds=config.rounds,
        skip=frozenset({"blinker"}),
        note="blinker's send_async needs a _sync_wrapper for sync receivers: not measured",
    )
