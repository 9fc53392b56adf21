"""The test suites of packages built on django.dispatch, from their sdists.

django-reversion (``tests/manage.py test``) and factory_boy (its Django tests,
``python -m unittest tests.test_django`` as its Makefile runs them, with
``-b -X dev -Werror``), each run through ``driver.py`` with and without the
swap, in a copy of the sdist (their tests write databases and media files
beside themselves).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.sdists import sdist
from tests.support.venvs import python_in, venv

from .django_runtests import PYTHON_FOR, Run, run

# django-reversion's settings name PostgreSQL and MySQL databases beside SQLite,
# and its multi-database tests use all three; there are no servers here, so
# every alias is an SQLite database of its own (the same for both runs).
REVERSION_SETTINGS = """\
from test_project.settings import *  # noqa: F403

DATABASES = {
    alias: {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{alias}.sqlite3"}
    for alias in ("default", "postgres", "mysql")
}
"""


@dataclass(frozen=True)
class PackageSuite:
    """How to run one package's tests from a copy of its sdist."""

    requirement: str  # what to download, e.g. "django-reversion"
    tests_dir: str  # where to run, inside the sdist
    target: list[str]  # the driver's target
    env: dict[str, str]
    python_flags: tuple[str, ...] = ()
    prepare: Callable[[Path], None] | None = None  # writes extra files into the copy
    timeout: float = 120  # a baseline takes 5-15 s here; a hang is killed at this


def _reversion_settings(tests: Path) -> None:
    (tests / "compat_settings.py").write_text(REVERSION_SETTINGS, encoding="utf-8")


SUITES = {
    "django-reversion": PackageSuite(
        "django-reversion",
        "tests",
        ["manage.py", "test", "--noinput"],
        {"DJANGO_SETTINGS_MODULE": "compat_settings"},
        prepare=_reversion_settings,
    ),
    "factory_boy": PackageSuite(
        "factory_boy",
        ".",
        ["-m", "unittest", "tests.test_django"],
        {"DJANGO_SETTINGS_MODULE": "tests.djapp.settings"},
        python_flags=("-b", "-X", "dev", "-Werror"),
    ),
}


def package_runs(name: str, series: str, work: Path) -> tuple[Run, Run]:
    """The baseline and swapped runs of package ``name``'s tests on Django ``series``.

    Arguments:

        name
            A key of ``SUITES``.

        series
            The Django series, e.g. ``"6.1"``; its newest release is installed.

        work
            An empty directory for the copies of the sdist.
    """
    suite = SUITES[name]
    version = PYTHON_FOR[series]
    source = sdist(suite.requirement, python=version)
    env = venv(
        version,
        [f"django=={series}.*", str(source), "Pillow>=10.1"],
        name=f"compat-{name}-dj{series}",
    )
    runs = []
    for swap in (False, True):
        copy = work / f"{source.name}-{'swap' if swap else 'baseline'}"
        shutil.copytree(source, copy)
        cwd = copy / suite.tests_dir
        if suite.prepare:
            suite.prepare(cwd)
        mode = "with the swap" if swap else "baseline"
        runs.append(
            run(
                python_in(env),
                suite.target,
                cwd=cwd,
                swap=swap,
                label=f"{source.name} on Django {series} {mode}",
                timeout=suite.timeout,
                env=suite.env,
                python_flags=suite.python_flags,
            )
        )
    return runs[0], runs[1]
