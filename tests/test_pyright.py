"""No plugin: mypy and basedpyright (strict), from typedsignals' annotations alone.

tests/typing_cases/no_plugin.py marks each line that must get an error: ``# E``
from both checkers, ``# E: mypy`` or ``# E: pyright`` from one. No other line
may get one, so every accepted receiver shape is accepted by both.
"""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from test_mypy_plugin import ROOT, run_mypy

CASE = ROOT / "tests" / "typing_cases" / "no_plugin.py"


def expected_lines(checker: str) -> set[int]:
    lines: set[int] = set()
    with CASE.open() as source:
        for token in tokenize.generate_tokens(source.readline):
            if token.type != tokenize.COMMENT or not token.string.startswith("# E"):
                continue
            only = token.string.partition(":")[2].strip()
            assert only in ("", "mypy", "pyright"), token.string
            if only in ("", checker):
                lines.add(token.start[0])
    return lines


def _basedpyright() -> str:
    found = Path(sys.executable).with_name("basedpyright")
    if found.exists():
        return str(found)
    which = shutil.which("basedpyright")
    if which is None:
        pytest.fail("basedpyright is not installed (it is in the dev dependency group)")
    return which


def run_basedpyright(files: list[Path], config: Path) -> list[dict[str, object]]:
    command = [_basedpyright(), "--outputjson", "--project", str(config)]
    command += ["--pythonpath", sys.executable, *map(str, files)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    diagnostics: list[dict[str, object]] = report["generalDiagnostics"]
    return diagnostics


def _line(diagnostic: dict[str, object]) -> int:
    where = diagnostic["range"]
    assert isinstance(where, dict)
    return int(where["start"]["line"]) + 1


def test_basedpyright_strict_refuses_exactly_the_marked_lines(tmp_path: Path) -> None:
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10"}))
    diagnostics = run_basedpyright([CASE], config)
    errors = [d for d in diagnostics if d["severity"] == "error"]
    got = {_line(d) for d in errors}
    shown = "\n".join(f"{_line(d)}: {d['message']}" for d in errors)
    assert got == expected_lines("pyright"), shown


def test_mypy_without_the_plugin_refuses_exactly_the_marked_lines(tmp_path: Path) -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "mypy.ini")
    config.remove_option("mypy", "plugins")
    ini = tmp_path / "mypy.ini"
    with ini.open("w") as out:
        config.write(out)
    stdout, errors = run_mypy(["--config-file", str(ini), "--cache-dir", str(tmp_path), str(CASE)])
    assert {e.line for e in errors} == expected_lines("mypy"), stdout


def test_the_project_is_clean_under_basedpyright_strict() -> None:
    """`basedpyright` with the project's pyrightconfig.json: typedsignals and examples."""
    diagnostics = run_basedpyright([], ROOT / "pyrightconfig.json")
    errors = [f"{d['file']}:{_line(d)}: {d['message']}" for d in diagnostics]
    assert not errors, "\n".join(errors)
