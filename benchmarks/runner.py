"""Running the scenarios and reporting: the command line of ``python -m benchmarks``."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import asend, connect, imports, observe, peers, send
from ._timing import PRESETS, Config, Result, Scenario, run_scenario
from .report import (
    check_targets,
    format_table,
    format_targets,
    load_average,
    machine,
    write_json,
)

__all__ = ["DEFAULT_JSON", "main", "run"]

DEFAULT_JSON = Path(__file__).parent / "results" / "latest.json"

_GROUPS: list[Callable[[Config, dict[str, type[peers.Peer]]], Iterator[Scenario]]] = [
    send.scenarios,
    connect.scenarios,
    asend.scenarios,
    observe.scenarios,
    imports.scenarios,
]


def run(
    config: Config,
    only: set[str] | None = None,
    select: Sequence[str] = (),
    progress: TextIO | None = None,
) -> dict[str, Any]:
    """Run the scenarios (those whose key starts with one of ``select``, if any).

    Returns the JSON record: machine, config, versions, skipped peers,
    results (medians, ratios, samples) and targets.
    """
    found = peers.available(only)
    load_before = load_average()
    results: list[Result] = []
    started = time.perf_counter()
    for group in _GROUPS:
        for scenario in group(config, found):
            if select and not any(scenario.key.startswith(s) for s in select):
                if scenario.teardown is not None:
                    scenario.teardown()
                continue
            if progress is not None:
                print(f"  {scenario.key} ...", file=progress, flush=True)
            results += run_scenario(scenario, config)
            del scenario
            gc.collect()
    targets = check_targets(results, config)
    info = machine()
    info["load_average"] = [load_before, info["load_average"]]
    return {
        "command": "python -m benchmarks",
        "config": config.name,
        "clock": "process CPU time" if config.cpu_clock else "wall time",
        "seconds": round(time.perf_counter() - started, 1),
        "machine": info,
        "versions": peers.versions(list(found)),
        "skipped": peers.missing(only),
        "results": [r.as_json() for r in results],
        "targets": [t.as_json() for t in targets],
        "_results": results,
        "_targets": targets,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="typedsignals side by side with django.dispatch, blinker, psygnal and "
        "pydispatcher; medians of interleaved rounds, ratios to a floor.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer rounds and smaller counts")
    size.add_argument(
        "--smoke", action="store_true", help="tiny counts: checks it runs, not how fast"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="PATH",
        help=f"where to write the JSON record (default: {DEFAULT_JSON})",
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help=f"comma-separated implementations among {','.join(peers.PEERS)}",
    )
    parser.add_argument(
        "-k",
        "--scenario",
        action="append",
        default=[],
        metavar="PREFIX",
        help="run the scenarios whose key starts with PREFIX (repeatable), e.g. send/10",
    )
    parser.add_argument(
        "--wall",
        action="store_true",
        help="time synchronous scenarios in wall time (default: process CPU time, which"
        " other processes on a shared machine do not inflate)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 if a target is missed"
    )
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    config = PRESETS["smoke" if args.smoke else "quick" if args.quick else "full"]
    if args.wall:
        config = dataclasses.replace(config, cpu_clock=False)
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    if only is not None and only - set(peers.PEERS):
        print(
            f"unknown implementation(s): {', '.join(sorted(only - set(peers.PEERS)))}",
            file=sys.stderr,
        )
        return 2
    print(
        f"typedsignals benchmarks ({config.name}); peers installed: "
        f"{', '.join(peers.available(only)) or 'none'}",
        file=sys.stderr,
    )
    record = run(config, only, args.scenario, progress=sys.stderr)
    results: list[Result] = record.pop("_results")
    targets = record.pop("_targets")
    info = record["machine"]
    load = "/".join(str(x) for x in info["load_average"])
    print(
        f"{info['cpu']}, {info['cpus']} CPUs, {info['implementation']} {info['python']}, "
        f"{info['platform']}; load average {load} (start/end); "
        f"{record['seconds']} s ({config.name}, sync scenarios in {record['clock']})",
        file=out,
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in record["versions"].items()), file=out)
    if record["skipped"]:
        print(
            f"not installed (skipped): {', '.join(record['skipped'])}; "
            "install with: uv run --extra benchmark python -m benchmarks",
            file=out,
        )
    print(file=out)
    if results:
        print(format_table(results), file=out)
        print(file=out)
    print(format_targets(targets), file=out)
    if args.json:
        write_json(args.json, record)
        print(f"\nJSON written to {args.json}", file=out)
    return 1 if args.check and any(t.ok is False for t in targets) else 0
