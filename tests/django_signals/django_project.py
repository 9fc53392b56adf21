"""A Django project checked both ways, and what its marks expect.

Two projects: the test project (``project/``) and the example
(``examples/django_project/``), whose README output the tests confirm.

A line ending ``# E: rule-id, rule-id`` expects one error per rule named, from
both checkers on both Django versions; ``# E(static): ...``,
``# E(runtime): ...``, ``# E(5.2): ...`` (qualifiers combine: ``E(runtime,
6.1)``) restrict it; ``rule-id*2`` expects two; a line may hold several marks
(``# E(static): a  # E(runtime): a*2``). ``static`` is mypy with django-stubs'
plugin and ours; ``runtime`` is ``manage.py check``. Both report at the
``@receiver`` line; for ``connect()``, mypy reports the call and the check the ``def``.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from support.venvs import python_in, venv

from typedsignals.rules import ALL_RULES

VERSIONS = {"5.2": "3.11", "6.1": "3.13"}  # Django version: the CPython it is tested on
TOOLS = ("static", "runtime")

Error = tuple[str, int, str]  # (path relative to the project, line, rule id)

_MARK = re.compile(r"#\s*E(?:\((?P<qualifiers>[^)]*)\))?:\s*(?P<rules>[\w\-,* ]+?)\s*(?=#|$)")
_MYPY = re.compile(r"^(?P<path>[^:\s]+\.py):(?P<line>\d+): error: (?P<message>.*)$")
_RULE = re.compile(r"\[(receiver-[a-z-]+)\]")
_CHECK = re.compile(
    r"\(typedsignals\.E(?P<number>\d{3})\) Receiver \S+ \((?P<path>[^():]+\.py):(?P<line>\d+)\)"
)
_RULE_BY_NUMBER = {rule.number: rule.id for rule in ALL_RULES}


@dataclass(frozen=True)
class Project:
    """A Django project: its directory, settings module and what mypy checks there.

    Attributes:
        root: the directory of ``manage.py`` and ``mypy.ini``.
        settings: the settings module.
        files: what mypy checks, relative to ``root``.
        files_6: what mypy checks in addition from Django 6.0 on.
    """

    root: Path
    settings: str
    files: tuple[str, ...]
    files_6: tuple[str, ...] = ()


PROJECT = Project(
    Path(__file__).resolve().parent / "project",
    "testproject.settings",
    (
        "testproject",
        "shop/models.py",
        "shop/apps.py",
        "shop/signals.py",
        "shop/receivers.py",
        "shop/mistakes.py",
    ),
    ("shop/task_receivers.py",),
)
EXAMPLE = Project(
    Path(__file__).resolve().parents[2] / "examples" / "django_project",
    "bookshop.settings",
    ("manage.py", "bookshop", "shop"),
)


def expected(tool: str, version: str, project: Project = PROJECT) -> Counter[Error]:
    """What the marks in the project's modules expect from ``tool`` on Django ``version``."""
    found: Counter[Error] = Counter()
    for path in sorted(project.root.rglob("*.py")):
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            for mark in _MARK.finditer(text):
                _count(found, mark, tool, version, path.relative_to(project.root), number)
    return found


def _count(
    found: Counter[Error], mark: re.Match[str], tool: str, version: str, path: Path, number: int
) -> None:
    """Add what one mark expects from ``tool`` on ``version`` to ``found``."""
    qualifiers = {q.strip() for q in (mark["qualifiers"] or "").split(",") if q.strip()}
    assert qualifiers <= {*TOOLS, *VERSIONS}, f"{path}:{number}: {qualifiers}"
    if qualifiers & set(TOOLS) and tool not in qualifiers:
        return
    if qualifiers & set(VERSIONS) and version not in qualifiers:
        return
    for item in (r.strip() for r in mark["rules"].split(",")):
        rule, _, times = item.partition("*")  # "rule*2": two errors of that rule
        assert rule in _RULE_BY_NUMBER.values(), f"{path}:{number}: {rule}"
        found[(str(path), number, rule)] += int(times or 1)


@dataclass(frozen=True)
class Run:
    """One checker's run: its output, its reported errors and how long it took."""

    output: str
    returncode: int
    errors: Counter[Error]
    seconds: float


def environment(version: str) -> Path:
    """A venv with Django ``version``, its django-stubs, mypy and this typedsignals[django]."""
    requirements = [f"django=={version}.*", f"django-stubs[compatible-mypy]=={version}.*"]
    return venv(VERSIONS[version], requirements, extras="django", name=f"django{version}")


def installed_django(env: Path) -> Path:
    """The directory holding the ``django`` package installed in ``env``."""
    found = sorted(env.glob("lib/python3.*/site-packages/django"))
    assert len(found) == 1, found
    return found[0].parent


def _run(command: list[str], project: Project) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=project.root, capture_output=True, text=True, timeout=600, check=False
    )
    return done, time.perf_counter() - start


def run_mypy(env: Path, version: str, cache: Path, project: Project = PROJECT) -> Run:
    """mypy, with the project's ``mypy.ini``, on its files for Django ``version``."""
    files = [*project.files, *(project.files_6 if version >= "6" else ())]
    command = [str(python_in(env)), "-m", "mypy", "--config-file", "mypy.ini"]
    command += ["--cache-dir", str(cache), "--no-error-summary", *files]
    done, seconds = _run(command, project)
    errors: Counter[Error] = Counter()
    for line in done.stdout.splitlines():
        match = _MYPY.match(line)
        if match is None:
            continue
        rule = _RULE.search(match["message"])
        assert rule is not None and line.endswith("[signal-receiver]"), f"not ours: {line}"
        errors[(match["path"], int(match["line"]), rule.group(1))] += 1
    return Run(done.stdout + done.stderr, done.returncode, errors, seconds)


def run_check(
    env: Path, *args: str, settings: str | None = None, project: Project = PROJECT
) -> Run:
    """``manage.py check`` on the project (``settings``: instead of the project's own)."""
    command = [str(python_in(env)), "manage.py", "check"]
    command += [f"--settings={settings or project.settings}", *args]
    done, seconds = _run(command, project)
    output = done.stdout + done.stderr
    errors: Counter[Error] = Counter()
    for line in output.splitlines():
        match = _CHECK.search(line)
        if match is None:
            assert "typedsignals." not in line, f"not parsed: {line}"
            continue
        rule = _RULE_BY_NUMBER[int(match["number"])]
        assert f"[{rule}]" in line, line  # the id and the rule it names agree
        errors[(match["path"], int(match["line"]), rule)] += 1
    return Run(output, done.returncode, errors, seconds)
