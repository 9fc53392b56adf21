"""Benchmarks: typedsignals side by side with django.dispatch, blinker, psygnal, pydispatcher.

Run every scenario in one process, implementations interleaved round by
round, and print a table of medians and ratios (also written as JSON)::

    uv run --extra benchmark python -m benchmarks            # about 3 minutes
    uv run --extra benchmark python -m benchmarks --quick    # about 30 seconds

Peers that are not installed are skipped. The benchmarks are not part of the
test run; ``tests/test_benchmark_smoke.py`` runs them with tiny counts.
"""

from .runner import main, run

__all__ = ["main", "run"]
