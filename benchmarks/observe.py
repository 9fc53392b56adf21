"""The test helpers and tracing cost nothing once they end: sends with none active.

Each scenario sends on signals with the same receivers: one never touched
(the baseline), one on which ``capture``, ``muted``, per-signal and
process-wide tracing were all used and ended, and one never touched while
another signal is captured, muted and traced. With interception gone, the
last two must cost what the baseline costs (ratio ~1.00). For information,
the same send while this signal is captured, muted, and traced (log level
above DEBUG, no OpenTelemetry: the tracer's cheapest path).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ._timing import Case, Config, Scenario, sync_loop
from .peers import Peer, Sender, make_receivers

__all__ = ["scenarios"]

SIZES = (0, 1)


def _signal(n: int) -> tuple[Any, list[Any]]:
    from typedsignals import Signal

    sig = Signal()
    receivers = make_receivers(n)
    for receiver in receivers:
        sig.connect(receiver)
    return sig, receivers


def _used_and_ended(sig: Any) -> None:
    from typedsignals import tracing
    from typedsignals.testing import capture, muted

    with capture(sig), muted(sig), tracing.traced(sig, spans=False):
        sig.send(None, value=1)
    with tracing.traced(spans=False):  # process-wide
        sig.send(None, value=1)


def _scenario(config: Config, n: int) -> Scenario:
    from typedsignals import tracing
    from typedsignals.testing import capture, muted

    sender = Sender()
    # Looked up at each send, as callers do: the instance dict is part of the cost.
    stmt = "sig.send(sender, value=1)"
    keep: list[Any] = []
    cases: list[Case] = []
    active = contextlib.ExitStack()

    def case(label: str, sig: Any) -> None:
        cases.append(sync_loop(label, stmt, {"sig": sig, "sender": sender}, config))

    untouched, receivers = _signal(n)
    keep += [untouched, receivers]
    case("never touched", untouched)
    ended, receivers = _signal(n)
    _used_and_ended(ended)
    keep += [ended, receivers]
    case("after capture, muted, tracing ended", ended)
    bystander, receivers = _signal(n)
    other, other_receivers = _signal(n)
    keep += [bystander, receivers, other, other_receivers]
    active.enter_context(capture(other))
    active.enter_context(muted(other))
    active.enter_context(tracing.traced(other, spans=False))
    case("another signal captured, muted, traced", bystander)
    for label, enter in (
        ("(while captured)", capture),
        ("(while muted)", muted),
        ("(while traced, log off)", lambda s: tracing.traced(s, spans=False)),
    ):
        sig, receivers = _signal(n)
        keep += [sig, receivers]
        active.enter_context(enter(sig))
        case(label, sig)

    def teardown() -> None:
        active.close()
        keep.clear()

    return Scenario(
        f"observe/{n}",
        f"send, {n} receiver{'s' if n != 1 else ''}, helpers ended vs never used",
        "ns",
        cases,
        ("never touched",),
        config.rounds,
        "'(while ...)': this signal intercepted during the loop, for information",
        teardown,
    )


def scenarios(config: Config, peers: dict[str, type[Peer]]) -> Iterator[Scenario]:
    if "typedsignals" not in peers:
        return
    for n in SIZES:
        yield _scenario(config, n)
