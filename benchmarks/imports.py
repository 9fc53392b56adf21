"""Import time: a whole interpreter process that imports the library, bytecode cached.

Each case runs ``python -c <statement>`` as a subprocess (this interpreter,
this environment) and takes its wall time; the rounds interleave the cases.
Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` (warmed by a first
run of each statement), with ``PYTHONDONTWRITEBYTECODE`` unset, so that no
run pays for compiling. ``python -c pass`` is the interpreter's own start-up,
for scale.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from ._timing import Case, Config, Scenario
from .peers import Peer

__all__ = ["STATEMENTS", "scenarios"]

#: What each case runs, by implementation.
STATEMENTS = {
    "typedsignals": "from typedsignals import Signal, receiver",
    "blinker": "import blinker",
    "python -c pass": "pass",
}


def _environment(cache: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _case(impl: str, statement: str, env: dict[str, str]) -> Case:
    command = [sys.executable, "-c", statement]

    def run() -> float:
        started = time.perf_counter_ns()
        subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL)
        return float(time.perf_counter_ns() - started)

    def warm() -> None:
        run()  # writes the bytecode the timed runs read

    return Case(impl, run, warm)


def scenarios(config: Config, peers: dict[str, type[Peer]]) -> Iterator[Scenario]:
    cache = tempfile.mkdtemp(prefix="typedsignals-bench-pyc-")
    env = _environment(cache)
    names = [name for name in STATEMENTS if name in peers or name == "python -c pass"]
    yield Scenario(
        "import",
        "a process importing the library, bytecode cached (wall time)",
        "ns",
        [_case(name, STATEMENTS[name], env) for name in names],
        ("blinker", "typedsignals"),
        config.rounds,
        "; ".join(f"{name}: python -c {STATEMENTS[name]!r}" for name in names),
        teardown=lambda: shutil.rmtree(cache, ignore_errors=True),
    )
