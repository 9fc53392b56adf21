"""Django's own test suites, with typedsignals in place of django.dispatch.Signal.

For Django 5.2 (on CPython 3.11) and 6.1 (on 3.13), from their sdists: one
run of ``runtests.py`` on the labels below without the swap (the baseline)
and one with it (``typedsignals.django.swap.install()`` before Django loads,
as a project's manage.py does). ``dispatch`` and ``signals`` must pass
entirely; every other app must do with the swap as well as it does without.
"""

from __future__ import annotations

import pytest

from .django_runtests import SERIES, DjangoSuite, Run, django_suite, expect_no_regressions, once

pytestmark = [pytest.mark.compat, pytest.mark.timeout(1800)]

MUST_PASS = ["dispatch", "signals"]
# The apps whose tests connect, disconnect, send or inspect signals (grep for
# .connect(, @receiver, .receivers, .send( in Django's tests/), and those the
# issue names. override_settings sends setting_changed in nearly all of them.
APPS = [
    "admin_utils",
    "asgi",
    "auth_tests",
    "backends",
    "builtin_server",
    "contenttypes_tests",
    "defer_regress",
    "delete",
    "delete_regress",
    "fixtures",
    "fixtures_regress",
    "generic_relations_regress",
    "handlers",
    "httpwrappers",
    "invalid_models_tests",
    "m2m_signals",
    "migrate_signals",
    "model_fields",
    "multiple_database",
    "proxy_models",
    "servers",
    "settings_tests",
    "test_client_regress",
    "test_utils",
    "transaction_hooks",
    "update_only_fields",
    "wsgi",
]
# Two trims, for time (measured on 2 cores): auth_tests.test_hashers spends ~90 s
# hashing passwords and touches signals only through setting_changed (covered
# by settings_tests and test_utils); of cache's tests only CacheClosingTests
# send a signal (request_finished) — the rest sleep through expiry tests.
EXTRA_LABELS = ["cache.tests.CacheClosingTests"]


def _labels(suite: DjangoSuite) -> list[str]:
    auth = sorted(p.stem for p in (suite.tests / "auth_tests").glob("test_*.py"))
    labels = [*MUST_PASS, *APPS, *EXTRA_LABELS]
    labels.remove("auth_tests")
    return labels + [f"auth_tests.{m}" for m in auth if m != "test_hashers"]


@once
def _runs(series: str) -> tuple[Run, Run]:
    suite = django_suite(series)
    labels = _labels(suite)
    return suite.runtests(labels, swap=False), suite.runtests(labels, swap=True)


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize("app", MUST_PASS)
def test_dispatch_and_signals_pass_entirely_with_the_swap(series, app):
    baseline, swapped = _runs(series)
    expect_no_regressions(baseline, swapped, f"{app}.")
    assert not {i: o for i, o in baseline.problems.items() if i.startswith(f"{app}.")}, (
        f"Django {series}'s own {app} tests fail without the swap: fix the environment first"
    )


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize("app", [*APPS, "cache"])
def test_app_does_as_well_with_the_swap(series, app):
    baseline, swapped = _runs(series)
    expect_no_regressions(baseline, swapped, f"{app}.")
