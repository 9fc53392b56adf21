"""Measuring: generated timing loops, interleaved rounds, medians.

A *case* is one implementation in one scenario; it knows how to take one
*sample* (a per-operation figure: nanoseconds, or bytes for memory cases).
A scenario's cases are sampled round by round, each round visiting every
case once in a rotated order, so that drift (frequency scaling, a noisy
neighbour) is spread evenly over the implementations. The reported figure is
the median of a case's samples.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CPU",
    "WALL",
    "Case",
    "Config",
    "Result",
    "Scenario",
    "async_loop",
    "run_scenario",
    "sync_loop",
]

Clock = Callable[[], int]

#: Wall time: what an async send costs, waits included.
WALL: Clock = time.perf_counter_ns
#: CPU time of the process (every thread): what a synchronous operation costs,
#: without the time other processes of a shared machine take from it.
CPU: Clock = time.process_time_ns


@dataclass(frozen=True)
class Config:
    """How long and how hard to measure; ``PRESETS`` has the named ones."""

    name: str
    rounds: int  # samples per case for the fast (loop) scenarios
    sample_ns: int  # target duration of one sample of a loop case
    budget_s: float  # a case stops being sampled past this, once it has one sample
    connect_sizes: tuple[int, ...]
    connect_rounds: int
    sleep_s: float  # how long the sleeping async receivers sleep
    sleep_rounds: int
    memory_receivers: int
    memory_cycles: int
    #: Synchronous scenarios are timed in CPU time unless False (then wall time).
    cpu_clock: bool = True

    @property
    def clock(self) -> Clock:
        return CPU if self.cpu_clock else WALL


PRESETS: dict[str, Config] = {
    "full": Config(
        "full",
        rounds=31,
        sample_ns=2_000_000,
        budget_s=4.0,
        connect_sizes=(1_000, 16_000),
        connect_rounds=7,
        sleep_s=0.05,
        sleep_rounds=7,
        memory_receivers=10_000,
        memory_cycles=100_000,
    ),
    "quick": Config(
        "quick",
        rounds=7,
        sample_ns=1_000_000,
        budget_s=1.0,
        connect_sizes=(1_000, 4_000),
        connect_rounds=3,
        sleep_s=0.01,
        sleep_rounds=3,
        memory_receivers=2_000,
        memory_cycles=10_000,
    ),
    # Tiny counts: checks that every scenario runs, not how fast (the tests use it).
    "smoke": Config(
        "smoke",
        rounds=2,
        sample_ns=20_000,
        budget_s=0.2,
        connect_sizes=(20, 50),
        connect_rounds=1,
        sleep_s=0.001,
        sleep_rounds=1,
        memory_receivers=50,
        memory_cycles=200,
    ),
}


@dataclass
class Case:
    """One implementation in a scenario.

    ``sample`` returns one per-operation figure. ``calibrate``, when given,
    is called once before the rounds (warm-up, choosing a loop count).
    """

    impl: str
    sample: Callable[[], float]
    calibrate: Callable[[], None] | None = None
    samples: list[float] = field(default_factory=list)
    spent_s: float = 0.0


@dataclass
class Scenario:
    """A named measurement: its cases are sampled interleaved.

    ``baseline`` lists implementation names by preference: the first one
    present is the denominator of the ratio column. ``teardown`` runs after.
    """

    key: str
    title: str
    unit: str  # "ns" or "B"
    cases: list[Case]
    baseline: tuple[str, ...]
    rounds: int
    note: str = ""
    teardown: Callable[[], None] | None = None


@dataclass
class Result:
    scenario: str
    title: str
    impl: str
    unit: str
    median: float
    samples: list[float]
    baseline: str | None
    ratio: float | None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "implementation": self.impl,
            "unit": self.unit,
            "median": self.median,
            "ratio": self.ratio,
            "baseline": self.baseline,
            "min": min(self.samples),
            "samples": self.samples,
            "note": self.note,
        }


def run_scenario(scenario: Scenario, config: Config) -> list[Result]:
    """Sample every case ``scenario.rounds`` times, interleaved; return medians and ratios."""
    cases = scenario.cases
    try:
        for case in cases:
            if case.calibrate is not None:
                case.calibrate()
        for round_no in range(scenario.rounds):
            shift = round_no % len(cases)
            for case in cases[shift:] + cases[:shift]:
                if case.samples and case.spent_s > config.budget_s:
                    continue
                started = time.perf_counter()
                case.samples.append(case.sample())
                case.spent_s += time.perf_counter() - started
    finally:
        if scenario.teardown is not None:
            scenario.teardown()
    medians = {case.impl: statistics.median(case.samples) for case in cases}
    base = next((name for name in scenario.baseline if name in medians), None)
    base_value = medians[base] if base is not None else None
    return [
        Result(
            scenario.key,
            scenario.title,
            case.impl,
            scenario.unit,
            medians[case.impl],
            case.samples,
            base,
            medians[case.impl] / base_value if base_value else None,
            scenario.note,
        )
        for case in cases
    ]


# -- generated loops -----------------------------------------------------------------
#
# Like timeit, the statement is compiled into a loop; its names are bound as
# default arguments (fast locals), so every implementation pays the same
# loop overhead, a few nanoseconds. The garbage collector is off while a
# sample runs, as in timeit.

_SYNC = """
def _loop(_n, _clock=_clock, _repeat=_repeat, {params}):
    _it = _repeat(None, _n)
    _t0 = _clock()
    for _ in _it:
        {stmt}
    return _clock() - _t0
"""

_ASYNC = """
async def _loop(_n, _clock=_clock, _repeat=_repeat, {params}):
    _it = _repeat(None, _n)
    _t0 = _clock()
    for _ in _it:
        {stmt}
    return _clock() - _t0
"""


def _compile(
    template: str, stmt: str, names: Mapping[str, Any], clock: Clock
) -> Callable[..., Any]:
    params = ", ".join(f"{name}={name}" for name in names)
    namespace: dict[str, Any] = {"_clock": clock, "_repeat": itertools.repeat, **names}
    exec(template.format(params=params, stmt=stmt), namespace)
    loop: Callable[..., Any] = namespace["_loop"]
    return loop


class _Loop:
    """A compiled loop with its iteration count, chosen by ``calibrate``."""

    def __init__(self, run: Callable[[int], int], sample_ns: int, max_number: int) -> None:
        self.run = run
        self.sample_ns = sample_ns
        self.max_number = max_number
        self.number = 1

    def _timed(self, number: int) -> int:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self.run(number)
        finally:
            if enabled:
                gc.enable()

    def calibrate(self) -> None:
        # A first call may build caches (a payload validator, a snapshot): it
        # must not pass for the cost of every call.
        self._timed(1)
        number = 1
        while True:
            elapsed = self._timed(number)
            if elapsed * 10 >= self.sample_ns or number >= self.max_number:
                break
            number *= 2 if elapsed * 100 >= self.sample_ns else 10
        per_op = max(elapsed / number, 1.0)
        self.number = int(min(self.max_number, max(1, self.sample_ns / per_op)))
        self._timed(self.number)  # warm-up at full length

    def sample(self) -> float:
        return self._timed(self.number) / self.number


def sync_loop(
    impl: str, stmt: str, names: Mapping[str, Any], config: Config, max_number: int = 10**7
) -> Case:
    """A case timing ``stmt`` (one operation) in a loop; ns per operation (``config.clock``)."""
    loop = _Loop(_compile(_SYNC, stmt, names, config.clock), config.sample_ns, max_number)
    return Case(impl, loop.sample, loop.calibrate)


def async_loop(
    impl: str,
    stmt: str,
    names: Mapping[str, Any],
    config: Config,
    loop: asyncio.AbstractEventLoop,
    max_number: int = 10**7,
    sample_ns: int | None = None,
) -> Case:
    """A case timing ``stmt`` (containing ``await``) in a coroutine run on ``loop``.

    Always in wall time: an async send's cost includes its waits (a thread hop,
    sleeping receivers), which CPU time would leave out.
    """
    coro_fn = _compile(_ASYNC, stmt, names, WALL)

    def run(number: int) -> int:
        elapsed: int = loop.run_until_complete(coro_fn(number))
        return elapsed

    timed = _Loop(run, sample_ns or config.sample_ns, max_number)
    return Case(impl, timed.sample, timed.calibrate)
