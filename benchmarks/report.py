"""The table, the targets of the performance issue, and the JSON record."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._timing import Config, Result
from .peers import django_label

__all__ = ["Target", "check_targets", "format_table", "format_targets", "machine", "write_json"]


def _time(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def _bytes(n: float) -> str:
    if abs(n) >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if abs(n) >= 10 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n:.0f} B"


def show(value: float, unit: str) -> str:
    return _bytes(value) if unit == "B" else _time(value)


def format_table(results: list[Result]) -> str:
    """One row per implementation; a scenario's title heads its group."""
    width = max(len(r.impl) for r in results) + 2
    lines = [f"{'implementation':<{width}}{'median':>12}{'ratio':>10}", "-" * (width + 22)]
    current = None
    for r in results:
        if r.scenario != current:
            current = r.scenario
            base = f" (ratio: x {r.baseline})" if r.baseline else ""
            lines += ["", f"[{r.scenario}] {r.title}{base}"]
            if r.note:
                lines.append(f"  note: {r.note}")
        if r.ratio is None:
            ratio = f"{'-':>10}"
        else:
            ratio = f"{r.ratio:9.2f}x" if r.ratio < 1000 else f"{r.ratio:9.3g}x"
        lines.append(f"{r.impl:<{width}}{show(r.median, r.unit):>12}{ratio}")
    return "\n".join(lines)


@dataclass
class Target:
    """A target of the issue, checked against one run's medians."""

    text: str
    value: float | None = None  # what was measured (a ratio, or ns / bytes)
    limit: float | None = None
    unit: str = "x"
    ok: bool | None = None  # None: not measured (a peer or scenario missing)

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.text,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "ok": self.ok,
        }


def _find(results: list[Result], key: str) -> dict[str, float]:
    """The medians of scenario ``key`` by implementation; ``key*`` matches a prefix."""
    if key.endswith("*"):
        return {r.impl: r.median for r in results if r.scenario.startswith(key[:-1])}
    return {r.impl: r.median for r in results if r.scenario == key}


def check_targets(results: list[Result], config: Config) -> list[Target]:
    targets: list[Target] = []

    def ratio(
        text: str, key: str, impl: str, base: str, limit: float, *, strict: bool = False
    ) -> None:
        found = _find(results, key)
        target = Target(text, limit=limit)
        if impl in found and base in found and found[base] > 0:
            target.value = found[impl] / found[base]
            target.ok = target.value < limit if strict else target.value <= limit
        targets.append(target)

    # Issue 10's targets: untyped send against the untyped floor, typed send and
    # send_robust against the typed floors (benchmarks/send.py).
    for n, limit in ((1, 1.5), (10, 1.10), (100, 1.10)):
        ratio(
            f"send of an untyped signal, {n} receivers: <= {limit:.2f}x the untyped floor",
            f"send/{n}",
            "typedsignals",
            "floor",
            limit,
        )
    for n in (1, 10, 100):
        ratio(
            f"send of a typed signal, {n} receivers: <= 1.15x the typed floor",
            f"send-typed/{n}",
            "typedsignals",
            "floor (typed)",
            1.15,
        )
    for n in (1, 10, 100):
        ratio(
            f"send_robust, {n} receivers: <= 1.45x the robust floor",
            f"send_robust/{n}",
            "typedsignals",
            "floor (robust)",
            1.45,
        )
    for n in (0, 1, 10, 100):
        ratio(
            f"send, {n} receivers: typedsignals faster than {django_label(cached=True)}",
            f"send/{n}",
            "typedsignals",
            django_label(cached=True),
            1.0,
            strict=True,
        )
    ratio(
        "1,000 senders: a send <= 1.2x a send on a signal holding only that sender's receiver",
        "send/1-of-*",
        "typedsignals",
        "typedsignals (1 sender)",
        1.2,
    )
    big = max(config.connect_sizes)
    ratio(
        f"{big} validated connects: <= 1.0x blinker's unvalidated ones",
        f"connect/{big}",
        "typedsignals",
        "blinker",
        1.0,
    )
    ratio(
        f"{big} validated connects: no slower than psygnal's",
        f"connect/{big}",
        "typedsignals",
        "psygnal",
        1.0,
    )
    # Python 3.11 has no eager tasks: a task per receiver costs a scheduling round.
    asend_limit = 3.0 if sys.version_info >= (3, 12) else 8.0
    ratio(
        f"asend, 10 async receivers that do not suspend: <= {asend_limit:g}x the"
        " sequential-await floor",
        "asend/10-async",
        "typedsignals",
        "floor (sequential await)",
        asend_limit,
    )

    ms = config.sleep_s * 1000
    limit_ns = 2 * config.sleep_s * 1e9
    sleepers = _find(results, f"asend/10-async-sleep({ms:g}ms)").get("typedsignals")
    targets.append(
        Target(
            f"asend, 10 receivers each sleeping {ms:g} ms: finish in < {2 * ms:g} ms",
            sleepers,
            limit_ns,
            "ns",
            None if sleepers is None else sleepers < limit_ns,
        )
    )

    retained = _find(results, f"memory/{config.memory_cycles}-cycles").get("typedsignals")
    targets.append(
        Target(
            f"memory: {config.memory_cycles} connect/disconnect cycles retain < 100 KiB",
            retained,
            100 * 1024,
            "B",
            None if retained is None else retained < 100 * 1024,
        )
    )
    ratio(
        f"memory per weak function receiver <= {django_label()}'s",
        "memory/per-receiver",
        "typedsignals",
        django_label(),
        1.0,
    )
    ratio(
        "import: <= 1.3x blinker (a whole process, bytecode cached)",
        "import",
        "typedsignals",
        "blinker",
        1.3,
    )
    ratio(
        "validated payload send: <= 1.3x pydantic validate_python + the send",
        "send/validated-payload",
        "typedsignals (validate=True)",
        "pydantic validate_python + send",
        1.3,
    )
    return targets


def format_targets(targets: list[Target]) -> str:
    lines = ["targets:"]
    for t in targets:
        mark = {True: "PASS", False: "MISS", None: "n/a "}[t.ok]
        if t.value is None:
            got = "not measured"
        elif t.unit == "x":
            got = f"{t.value:.2f}x (limit {t.limit:g}x)"
        else:
            assert t.limit is not None
            got = f"{show(t.value, t.unit)} (limit {show(t.limit, t.unit)})"
        lines.append(f"  [{mark}] {t.text}: {got}")
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> float | None:
    """The 1-minute load average (other processes share the CPUs), where known."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "load_average": load_average(),
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
