"""Run test suites with and without the swap, and compare their outcomes test by test.

``run(...)`` runs a test command through ``driver.py`` in a compat venv, once
per mode (``swap=False`` is the baseline: Django as it ships); ``regressions``
names every test that passes in the baseline but not with the swap, with its
traceback. ``django_suite(series)`` is Django's own ``tests/runtests.py``
from the sdist of the latest Django of a series, in a venv of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import TypeVar

import pytest

from tests.support.sdists import sdist
from tests.support.venvs import python_in, venv

DRIVER = Path(__file__).with_name("driver.py")
SWAPPED = "compat driver: django.dispatch.Signal is typedsignals.dispatcher.Signal"
NOT_SWAPPED = "compat driver: django.dispatch.Signal is django.dispatch.dispatcher.Signal"

# Django series -> the CPython it runs on here (Django 6 needs 3.12+).
PYTHON_FOR = {"5.2": "3.11", "6.1": "3.13"}
SERIES = sorted(PYTHON_FOR)
# The optional packages of Django's tests/requirements/py3.txt that the apps of
# test_django_suites.py use (fixtures_regress: YAML, model_fields: ImageField);
# tblib carries tracebacks out of --parallel workers.
DJANGO_TEST_REQUIREMENTS = ["tblib>=3.0", "PyYAML>=6.0.2", "Pillow>=10.1"]
PROBLEMS = ("fail", "error", "xpass")
_SHOWN = 15  # regressions spelled out in a message; the rest are counted
_TRACEBACK_LINES = 40
T = TypeVar("T")


def once(make: Callable[[str], T]) -> Callable[[str], T]:
    """Call ``make(key)`` once per key; later calls get its result or raise its error again.

    The runs behind a module's test cases are made by the first case that needs
    them; a failure (no interpreter, no network) fails every case alike, at once.
    """
    made: dict[str, T | BaseException] = {}

    @wraps(make)
    def get(key: str) -> T:
        if key not in made:
            try:
                made[key] = make(key)
            except Exception as error:
                made[key] = error
        value = made[key]
        if isinstance(value, BaseException):
            raise value
        return value

    return get


@dataclass
class Run:
    """One run of a test command: each test id's outcome, and how the run ended."""

    label: str
    command: list[str]
    seconds: float
    returncode: int | None  # None: killed at the timeout
    output: str
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (outcome, detail)
    total: int | None = None  # the runner's count, if the run finished
    last_started: str = ""  # the last test the runner started

    @property
    def problems(self) -> dict[str, tuple[str, str]]:
        return {k: v for k, v in self.outcomes.items() if v[0] in PROBLEMS}

    def summary(self) -> str:
        ran = "did not finish" if self.total is None else f"{self.total} tests"
        return f"{self.label}: {ran}, {len(self.problems)} failed, {self.seconds:.0f} s"

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def run(
    python: Path,
    target: list[str],
    *,
    cwd: Path,
    swap: bool,
    label: str,
    timeout: float,
    env: dict[str, str] | None = None,
    python_flags: tuple[str, ...] = (),
) -> Run:
    """Run ``target`` (a script and its arguments, or ``-m module ...``) under the driver.

    Arguments:

        python
            The venv's interpreter.

        target
            What ``python`` would be given after the driver's own options.

        cwd
            The working directory.

        swap
            Install the swap first (False: the baseline).

        label
            Names the run in messages.

        timeout
            Seconds before the run is killed with its process group; the driver
            dumps every thread's stack 20 s (or 10%) before that.

        env
            Extra environment variables.

        python_flags
            Interpreter options, e.g. ``("-X", "dev", "-Werror")``.
    """
    fd, results = tempfile.mkstemp(prefix="compat-", suffix=".jsonl")
    os.close(fd)
    hang_after = timeout - min(20.0, timeout / 10)
    command = [str(python), *python_flags, str(DRIVER), *(["--swap"] if swap else [])]
    command += ["--results", results, "--hang-after", str(hang_after), "--", *target]
    environment = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    environment.pop("PYTHONPATH", None)
    start = time.monotonic()
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: a timeout kills the workers too
        )
        try:
            returncode: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # leftover workers, if any
            except ProcessLookupError:
                pass
            process.wait()
        output.seek(0)
        text = output.read()
    finished = Run(label, command, time.monotonic() - start, returncode, text)
    try:
        for line in Path(results).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if "done" in item:
                finished.total = item["done"]
            elif "started" in item:
                finished.last_started = item["started"]
            else:
                finished.outcomes[item["id"]] = (item["outcome"], item["detail"])
    finally:
        os.unlink(results)
    marker = SWAPPED if swap else NOT_SWAPPED
    if marker not in text:
        raise AssertionError(f"{label}: the driver did not report {marker!r}:\n{finished.tail()}")
    failing = "".join(f"\n  {i} [{o.upper()}]" for i, (o, _) in sorted(finished.problems.items()))
    print(finished.summary() + failing, file=sys.stderr)
    return finished


def _not_finished(run_: Run) -> str:
    running = f" in {run_.last_started}" if run_.last_started else ""
    if run_.returncode is None or "Timeout (" in run_.output:
        # faulthandler's dump, most recent call first, and what the run printed before it
        before, _, dump = run_.output.partition("Timeout (")
        shown = "\n".join(before.splitlines()[-15:] + ("Timeout (" + dump).splitlines()[:150])
        why = f"hung{running} and was stopped after {run_.seconds:.0f} s; every thread's stack:"
    else:
        shown = run_.tail(120)
        why = f"exited with {run_.returncode}{running}, before its test runner finished:"
    return f"{run_.label} {why}\n{shown}"


def _shorten(detail: str) -> str:
    lines = detail.rstrip().splitlines()
    if len(lines) > _TRACEBACK_LINES:
        lines = ["    ...", *lines[-_TRACEBACK_LINES:]]
    return "\n".join("    " + line for line in lines)


def regressions(baseline: Run, swapped: Run, prefix: str = "") -> str | None:
    """What ``swapped`` does worse than ``baseline`` among test ids starting with ``prefix``.

    None if nothing: every test that passed (or was skipped) in the baseline
    ran and did as well with the swap, and both runs finished.
    """
    for run_ in (baseline, swapped):
        if run_.total is None:
            return _not_finished(run_)
    ids = {i for i in baseline.outcomes if i.startswith(prefix)}
    if not ids:
        return f"{baseline.label} ran no test starting with {prefix!r}:\n{baseline.tail()}"
    worse = sorted(i for i in ids if i not in baseline.problems and i in swapped.problems)
    worse += sorted(
        i for i in swapped.problems if i.startswith(prefix) and i not in baseline.outcomes
    )
    missing = sorted(i for i in ids if i not in swapped.outcomes)
    if not worse and not missing:
        return None
    text = [
        f"{len(worse)} of {len(ids)} tests under {prefix or 'every label'!r} fail with "
        "typedsignals in place of django.dispatch.Signal but not without it "
        f"({baseline.summary()}; {swapped.summary()}):"
    ]
    for test_id in worse[:_SHOWN]:
        outcome, detail = swapped.problems[test_id]
        text.append(f"- {test_id} [{outcome.upper()}]\n{_shorten(detail)}")
    if len(worse) > _SHOWN:
        text.append(f"... and {len(worse) - _SHOWN} more: {', '.join(worse[_SHOWN:])}")
    if missing:
        text.append(
            f"{len(missing)} tests ran in the baseline but not with the swap: "
            + ", ".join(missing[:_SHOWN])
            + (" ..." if len(missing) > _SHOWN else "")
        )
    own = sorted(i for i in baseline.problems if i.startswith(prefix))
    if own:
        text.append(f"Failing without the swap too (Django's own, not counted): {', '.join(own)}")
    return "\n".join(text)


def expect_no_regressions(baseline: Run, swapped: Run, prefix: str = "") -> None:
    """Fail the calling test with ``regressions``' message, if it has one."""
    problem = regressions(baseline, swapped, prefix)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


@dataclass(frozen=True)
class DjangoSuite:
    """Django's test suite of one release, with the venv that runs it."""

    version: str  # e.g. "6.1.3"
    tests: Path  # the sdist's tests/ directory (runtests.py)
    python: Path

    def runtests(self, labels: list[str], *, swap: bool, timeout: float = 900) -> Run:
        """Run ``runtests.py`` on ``labels`` with every core (``--parallel auto``)."""
        return run(
            self.python,
            ["runtests.py", "--parallel", "auto", "--noinput", *labels],
            cwd=self.tests,
            swap=swap,
            label=f"Django {self.version} {'with the swap' if swap else 'baseline'}",
            timeout=timeout,
        )


@once
def django_suite(series: str) -> DjangoSuite:
    """The newest Django ``series`` (e.g. ``"6.1"``): its sdist, and a venv with it.

    Made once per test session (pip asks PyPI which release is newest; the venv
    gets this checkout's typedsignals).
    """
    version = PYTHON_FOR[series]
    source = sdist(f"django=={series}.*", python=version)
    release = source.name.split("-", 1)[1]
    env = venv(
        version, [f"django=={release}", *DJANGO_TEST_REQUIREMENTS], name=f"compat-dj{series}"
    )
    return DjangoSuite(release, source / "tests", python_in(env))
