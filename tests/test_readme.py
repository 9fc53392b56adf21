"""Every Python example in README.md passes the checkers README tells its reader to use.

Each ```python block is a module of its own: it must run, and be clean under mypy
--strict with the plugin (the project's mypy.ini), under mypy --strict without it,
and under basedpyright strict (README: "No false positives by design").

A block that sketches several files of a project (each part headed by a comment
naming its file, ``# books/signals.py``) is no module: those are listed, not run.
"""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_mypy_plugin import ROOT, run_mypy
from test_pyright import run_basedpyright

README = ROOT / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_FILE_HEADER = re.compile(r"^# [\w/]+\.py\b", re.MULTILINE)
ALL_BLOCKS: list[str] = _BLOCK.findall(README.read_text())
#: Sketches of several files of a project: no module to run or check on its own.
SKETCHES = [b for b in ALL_BLOCKS if len(_FILE_HEADER.findall(b)) >= 2]
BLOCKS = [b for b in ALL_BLOCKS if b not in SKETCHES]


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3
    # Only the Celery section's project sketch is not a module of its own.
    assert [b.splitlines()[0] for b in SKETCHES] == [
        "# bookshop/celery.py — the project's Celery app, as in Celery's Django guide"
    ]


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("readme")
    paths = []
    for number, block in enumerate(BLOCKS, 1):
        path = directory / f"readme_example_{number}.py"
        path.write_text(block)
        paths.append(path)
    return paths


def test_every_example_runs(examples: list[Path]) -> None:
    # Each in a fresh interpreter, as a reader runs it: an example may change the
    # process for good (the Django swap replaces django.dispatch.Signal).
    for path in examples:
        done = subprocess.run(
            [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, f"{path.name}:\n{path.read_text()}\n{done.stderr}"


def test_every_example_is_clean_with_the_plugin(examples: list[Path], tmp_path: Path) -> None:
    args = ["--config-file", str(ROOT / "mypy.ini"), "--cache-dir", str(tmp_path)]
    stdout, errors = run_mypy([*args, *map(str, examples)])
    assert not errors, stdout


def test_every_example_is_clean_with_plain_mypy(examples: list[Path], tmp_path: Path) -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "mypy.ini")
    config.remove_option("mypy", "plugins")
    ini = tmp_path / "mypy.ini"
    with ini.open("w") as out:
        config.write(out)
    args = ["--config-file", str(ini), "--cache-dir", str(tmp_path / "cache")]
    stdout, errors = run_mypy([*args, *map(str, examples)])
    assert not errors, stdout


def test_every_example_is_clean_under_basedpyright_strict(
    examples: list[Path], tmp_path: Path
) -> None:
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10"}))
    diagnostics = run_basedpyright(examples, config)
    errors = [f"{d['file']}: {d['message']}" for d in diagnostics if d["severity"] == "error"]
    assert not errors, "\n".join(errors)
