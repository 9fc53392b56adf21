"""django-reversion's and factory_boy's test suites, with typedsignals swapped in.

Each package's tests run from its sdist twice, on Django 5.2 (CPython 3.11)
and 6.1 (3.13): without the swap (the baseline) and with it. Every test
must do as well with the swap as without it; a hang is killed and reported
with the stacks it was stuck in.
"""

from __future__ import annotations

import pytest

from .django_runtests import SERIES, expect_no_regressions
from .packages import SUITES, package_runs

pytestmark = [pytest.mark.compat, pytest.mark.timeout(900)]


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize("package", sorted(SUITES))
def test_package_suite_does_as_well_with_the_swap(package, series, tmp_path):
    baseline, swapped = package_runs(package, series, tmp_path)
    expect_no_regressions(baseline, swapped)
