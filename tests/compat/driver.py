"""Run a test script or module, with or without the swap, as its ``__main__``.

Run by a compat venv's interpreter (not by pytest)::

    python driver.py [--swap] --results FILE --hang-after SECONDS -- (SCRIPT | -m MODULE) ARGS...

``--swap`` calls ``typedsignals.django.swap.install()`` first, as a project's
``manage.py`` would; then SCRIPT (e.g. Django's ``tests/runtests.py``) runs
with its own directory first on ``sys.path``, as ``python SCRIPT`` would (or
MODULE, as ``python -m MODULE`` would). The one change to the tests
themselves, with the swap only: ``assertLogs("django.dispatch")`` is read as
``assertLogs("typedsignals")``, the logger our ``send_robust`` logs to.

Every test outcome that reaches unittest's ``TextTestResult`` (Django's
runner, also with ``--parallel``, and plain unittest use it) is written to
FILE as a JSON line ``{"id", "outcome", "detail"}`` (``{"started": id}``
before it); ``{"done": N}`` ends a finished run. ``--hang-after`` makes
faulthandler print every thread's stack (in forked workers too) and exit, so a
hang is reported with what was running.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import runpy
import sys
import time
import unittest
from pathlib import Path
from typing import Any


def _point_dispatch_logs_at_typedsignals() -> None:
    original = unittest.TestCase.assertLogs

    def assertLogs(self, logger=None, level=None):
        if logger == "django.dispatch":
            logger = "typedsignals"
        return original(self, logger, level)

    unittest.TestCase.assertLogs = assertLogs


def _record_outcomes(path: str) -> None:
    """Wrap TextTestResult's hooks to write the outermost run's outcomes to ``path``.

    Only the first result whose run starts is recorded: some tests run test
    cases of their own through another TextTestRunner (Django's test_utils
    does), and those outcomes are not the suite's.
    """
    out = open(path, "w", encoding="utf-8", buffering=1)
    result_class: Any = unittest.TextTestResult
    outermost: list[object] = []

    def write(**item: object) -> None:
        out.write(json.dumps(item) + "\n")

    def wrap(name: str, record) -> None:
        original = getattr(result_class, name)

        def wrapped(self, *args):
            if self in outermost:
                record(self, *args)
            return original(self, *args)

        setattr(result_class, name, wrapped)

    def outcome(name: str, kind: str) -> None:
        def record(self, test, *args):
            if kind in ("fail", "error"):
                detail = self._exc_info_to_string(args[0], test)
            else:
                detail = str(args[0]) if args else ""  # a skip's reason
            write(id=test.id(), outcome=kind, detail=detail)

        wrap(name, record)

    def subtest(self, test, subtest, err):
        if err is not None:
            kind = "fail" if issubclass(err[0], self.failureException) else "error"
            write(id=subtest.id(), outcome=kind, detail=self._exc_info_to_string(err, test))

    start_run = result_class.startTestRun

    def startTestRun(self):
        if not outermost:
            outermost.append(self)
        return start_run(self)

    result_class.startTestRun = startTestRun
    for name, kind in [
        ("addSuccess", "ok"),
        ("addFailure", "fail"),
        ("addError", "error"),
        ("addSkip", "skip"),
        ("addExpectedFailure", "xfail"),
        ("addUnexpectedSuccess", "xpass"),
    ]:
        outcome(name, kind)
    wrap("addSubTest", subtest)
    wrap("startTest", lambda self, test: write(started=test.id()))
    wrap("stopTestRun", lambda self: write(done=self.testsRun))


def _arm_hang_dump(seconds: float) -> None:
    deadline = time.monotonic() + seconds

    def arm() -> None:
        faulthandler.dump_traceback_later(max(1.0, deadline - time.monotonic()), exit=True)

    arm()
    # The watchdog is a thread: a forked worker (Django's --parallel) needs its own,
    # and the parent's must be stopped across the fork, or the child's would deadlock.
    os.register_at_fork(
        before=faulthandler.cancel_dump_traceback_later, after_in_parent=arm, after_in_child=arm
    )


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit(__doc__)
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="driver.py")
    parser.add_argument("--swap", action="store_true")
    parser.add_argument("--results", required=True)
    parser.add_argument("--hang-after", type=float, required=True)
    options = parser.parse_args(argv[:split])
    target = argv[split + 1 :]
    if not target:
        raise SystemExit(__doc__)
    _arm_hang_dump(options.hang_after)
    _record_outcomes(options.results)
    if options.swap:
        from typedsignals.django import swap

        swap.install()
        _point_dispatch_logs_at_typedsignals()
    import django.dispatch

    print(
        f"compat driver: django.dispatch.Signal is {django.dispatch.Signal.__module__}.Signal",
        file=sys.stderr,
        flush=True,
    )
    if target[0] == "-m":
        sys.argv = [target[1], *target[2:]]
        sys.path[0] = str(Path.cwd())  # as ``python -m`` does
        runpy.run_module(target[1], run_name="__main__", alter_sys=True)
    else:
        script = Path(target[0]).resolve()
        sys.argv = [str(script), *target[1:]]
        sys.path[0] = str(script.parent)
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
