"""The test project checked both ways, on Django 5.2 (CPython 3.11) and 6.1 (CPython 3.13).

mypy runs with ``plugins = mypy_django_plugin.main, typedsignals.mypy`` and
django-stubs of the same Django version; ``manage.py check`` runs the system
check of ``typedsignals.django``. Each must report exactly the marked
receivers (see ``django_project.py``): every bad one, each rule at its line,
and none of the good ones in ``shop/receivers.py``, nor Django's own.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django_project import EXAMPLE, expected, run_check, run_mypy
from support.venvs import venv

from typedsignals.rules import ALL_RULES


def test_the_marks_cover_every_rule_and_differ_by_version() -> None:
    for tool in ("static", "runtime"):
        rules = {rule for _, _, rule in expected(tool, "6.1")}
        assert len(rules) == len(ALL_RULES), (tool, rules)
    # m2m_changed sends 'raw' from 6.1 on; the tasks framework exists from 6.0 on.
    only_52 = expected("runtime", "5.2") - expected("runtime", "6.1")
    only_61 = expected("runtime", "6.1") - expected("runtime", "5.2")
    assert [path for path, _, _ in only_52] == ["shop/mistakes.py"]
    assert [path for path, _, _ in only_61] == ["shop/task_receivers.py"]


def test_mypy_reports_exactly_the_marked_receivers(
    django_env: tuple[str, Path], tmp_path: Path
) -> None:
    version, env = django_env
    run = run_mypy(env, version, tmp_path / "cache")
    assert run.errors == expected("static", version), run.output
    assert run.returncode == 1, run.output
    cached = run_mypy(env, version, tmp_path / "cache")  # the same errors from mypy's cache
    assert cached.errors == run.errors, cached.output


def test_system_check_reports_exactly_the_marked_receivers(django_env: tuple[str, Path]) -> None:
    version, env = django_env
    run = run_check(env)
    want = expected("runtime", version)
    assert run.errors == want, run.output
    assert run.returncode == 1, run.output
    assert f"System check identified {sum(want.values())} issues (0 silenced)." in run.output


def test_silenced_system_checks_silence_one_rule(django_env: tuple[str, Path]) -> None:
    version, env = django_env
    run = run_check(env, settings="testproject.silenced")
    want = expected("runtime", version)
    kept = Counter({e: n for e, n in want.items() if e[2] != "receiver-unknown-parameter"})
    silenced = sum(want.values()) - sum(kept.values())
    assert silenced > 0
    assert run.errors == kept, run.output
    assert f"({silenced} silenced)" in run.output


def test_checking_one_app_checks_only_its_receivers(django_env: tuple[str, Path]) -> None:
    version, env = django_env
    other = run_check(env, "auth")
    assert other.returncode == 0, other.output
    assert other.errors == Counter(), other.output
    shop = run_check(env, "shop")
    assert shop.errors == expected("runtime", version), shop.output


def test_the_example_project_reports_what_the_readme_shows(
    django_env: tuple[str, Path], tmp_path: Path
) -> None:
    version, env = django_env
    static = run_mypy(env, version, tmp_path / "cache", EXAMPLE)
    assert static.errors == expected("static", version, EXAMPLE), static.output
    runtime = run_check(env, project=EXAMPLE)
    assert runtime.errors == expected("runtime", version, EXAMPLE), runtime.output
    assert len(static.errors) == 4


def test_system_check_on_the_oldest_python() -> None:
    """CPython 3.10 (the oldest supported) with Django 5.2: the same errors."""
    env = venv("3.10", ["django==5.2.*"], extras="django", name="django5.2")
    run = run_check(env)
    assert run.errors == expected("runtime", "5.2"), run.output
