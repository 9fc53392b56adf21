"""The mypy plugin, through mypy.api: the case files, the mistakes example, the cache, dmypy.

One mypy run checks the package, the examples and every plugin case file with
the project's mypy.ini (strict, ``plugins = typedsignals.mypy``); each line
marked ``# E: code[rule-id]`` must get exactly those errors, and nothing else
may get any. The run's cache (in tmp_path) serves the cached second run.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mypy import api as mypy_api

from typedsignals import ReceiverError
from typedsignals.rules import UNKNOWN_PARAMETER, Violation

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "typing_cases"
MISTAKES = ROOT / "examples" / "mistakes.py"
PLUGIN_CASES = sorted(CASES.glob("plugin_*.py"))
MARKED = [*PLUGIN_CASES, MISTAKES]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))  # listed: mypy.ini may exclude mistakes.py

_ERROR = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$"
)
_RULE = re.compile(r"\[((?:receiver|payload)-[a-z-]+)\]")
_MARK = re.compile(r"^#\s*E:\s*(?P<marks>.+)$")
_ONE_MARK = re.compile(r"^(?P<code>[\w-]+)(?:\[(?P<rule>[\w-]+)\])?$")


@dataclass(frozen=True)
class Error:
    path: Path
    line: int
    code: str | None
    rule: str | None
    message: str

    @property
    def key(self) -> tuple[int, str | None, str | None]:
        return (self.line, self.code, self.rule)


def parse_errors(stdout: str, cwd: Path) -> list[Error]:
    errors: list[Error] = []
    for line in stdout.splitlines():
        m = _ERROR.match(line)
        if m is None:
            continue
        rule = _RULE.search(m["message"])
        errors.append(
            Error(
                (cwd / m["path"]).resolve(),
                int(m["line"]),
                m["code"],
                rule.group(1) if rule else None,
                m["message"],
            )
        )
    return errors


def run_mypy(args: list[str], cwd: Path = ROOT) -> tuple[str, list[Error]]:
    """mypy in this process (the plugin is imported once); cwd for relative config paths."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        stdout, stderr, status = mypy_api.run(args)
    finally:
        os.chdir(old)
    assert status in (0, 1), f"mypy crashed:\n{stdout}\n{stderr}"
    assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
    return stdout, parse_errors(stdout, cwd)


def expected_errors(path: Path) -> Counter[tuple[int, str | None, str | None]]:
    """The ``# E: code[rule], code`` marks of a file, as (line, code, rule) counts."""
    expected: Counter[tuple[int, str | None, str | None]] = Counter()
    with path.open() as source:
        for token in tokenize.generate_tokens(source.readline):
            m = _MARK.match(token.string) if token.type == tokenize.COMMENT else None
            if m is None:
                continue
            number = token.start[0]
            marks = m["marks"].partition("#")[0]  # a note may follow: "# mypy>=1.11"
            for mark in marks.split(","):
                one = _ONE_MARK.match(mark.strip())
                assert one is not None, f"{path.name}:{number}: bad mark {mark!r}"
                expected[(number, one["code"], one["rule"])] += 1
    return expected


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def _project_args(cache: Path) -> list[str]:
    return [
        "--config-file", str(ROOT / "mypy.ini"),
        "--cache-dir", str(cache),
        "typedsignals", *map(str, EXAMPLES), *map(str, PLUGIN_CASES),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def project_run(cache_dir: Path) -> tuple[str, list[Error]]:
    """The package, the examples and the case files, in one run of mypy with the plugin."""
    return run_mypy(_project_args(cache_dir))


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.name)
def test_marked_lines_get_exactly_their_errors(
    project_run: tuple[str, list[Error]], path: Path
) -> None:
    stdout, errors = project_run
    got = Counter(e.key for e in errors if e.path == path)
    want = expected_errors(path)
    assert want, f"{path.name} marks no error"
    missing, unexpected = want - got, got - want
    assert not missing and not unexpected, (
        f"{path.name}: missing {sorted(missing, key=str)}, "
        f"unexpected {sorted(unexpected, key=str)}\n{stdout}"
    )


def test_package_and_examples_are_clean(project_run: tuple[str, list[Error]]) -> None:
    """`mypy typedsignals examples`, the mistakes excepted, reports nothing (strict + plugin)."""
    _, errors = project_run
    stray = [
        f"{e.path.relative_to(ROOT)}:{e.line}: {e.message}" for e in errors if e.path not in MARKED
    ]
    assert not stray, "\n".join(stray)


def test_messages_name_receiver_signal_parameter_expected_found(
    project_run: tuple[str, list[Error]],
) -> None:
    _, errors = project_run
    by_line = {e.line: e for e in errors if e.path == MISTAKES}
    lines = MISTAKES.read_text().splitlines()
    colour = next(i for i, t in enumerate(lines, 1) if "def wants_colour" in t) - 1
    expected = Violation(
        UNKNOWN_PARAMETER,
        "colour",
        "one of 'signal', 'sender', 'size', 'toppings'",
        "a parameter the signal never sends, without a default",
    ).describe()
    assert by_line[colour].message == (
        'Receiver "wants_colour" cannot be connected to signal "pizza_done" '
        f"(Signal[Store, PizzaDone]): {expected}"
    )
    assert by_line[colour].code == "signal-receiver"
    payload = [e for e in errors if e.path == MISTAKES and e.code == "signal-payload"]
    assert [e.message for e in payload] == [
        'Invalid payload for send() of signal "pizza_done" (Signal[Store, PizzaDone]): '
        "[payload-missing-key] A send must pass every Required key of the signal's payload. "
        "Key 'size': expected a value of type int; found none.",
        'Invalid payload for send() of signal "pizza_done" (Signal[Store, PizzaDone]): '
        "[payload-unknown-key] A send may pass only the keys of the signal's payload. "
        "Key 'colour': expected one of 'note', 'size', 'toppings'; "
        "found a key the payload does not have.",
        'Invalid payload for send() of signal "pizza_done" (Signal[Store, PizzaDone]): '
        "[payload-type] Each payload value must have the type of its key. "
        "Key 'size': expected int; found str.",
    ]


@pytest.mark.parametrize(
    ("disabled", "left"),
    [("signal-receiver", "signal-payload"), ("signal-payload", "signal-receiver")],
)
def test_each_error_code_can_be_silenced(tmp_path: Path, disabled: str, left: str) -> None:
    args = ["--config-file", str(ROOT / "mypy.ini"), "--cache-dir", str(tmp_path)]
    _, errors = run_mypy([*args, "--disable-error-code", disabled, str(MISTAKES)])
    assert errors
    assert {e.code for e in errors} == {left}


def test_a_second_run_from_the_cache_gives_the_same_errors(
    project_run: tuple[str, list[Error]], cache_dir: Path
) -> None:
    assert any(cache_dir.iterdir())
    stdout, _ = run_mypy(_project_args(cache_dir))
    assert sorted(stdout.splitlines()) == sorted(project_run[0].splitlines())


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


FINE = _line_of(CASES / "plugin_imported.py", "pizza_done.connect(fine)")
SIZE_AS_STR = _line_of(CASES / "plugin_imported.py", 'size="1"')


def _copy_library_case(tmp_path: Path) -> Path:
    shutil.copytree(CASES / "pizzalib", tmp_path / "pizzalib")
    shutil.copy(CASES / "plugin_imported.py", tmp_path)
    (tmp_path / "mypy.ini").write_text(
        f"[mypy]\nstrict = True\nplugins = typedsignals.mypy\ncache_dir = {tmp_path / 'cache'}\n"
    )
    return tmp_path / "plugin_imported.py"


def _keys(errors: list[Error]) -> list[tuple[int, str | None, str | None]]:
    return sorted((e.key for e in errors), key=str)


def test_incremental_recheck_uses_the_library_from_the_cache(tmp_path: Path) -> None:
    """The importer is rechecked against the library's cached types: same errors; a change
    to the library's payload is seen by the importer."""
    user = _copy_library_case(tmp_path)
    args = ["--config-file", "mypy.ini", "plugin_imported.py"]
    _, first = run_mypy(args, cwd=tmp_path)
    assert _keys(first) == sorted(expected_errors(CASES / "plugin_imported.py").elements(), key=str)
    user.write_text(user.read_text() + "\n# touched: rechecked, pizzalib from the cache\n")
    _, second = run_mypy(args, cwd=tmp_path)
    assert _keys(second) == _keys(first)
    # The very same messages, in the same order (payload keys listed alike).
    assert [(e.line, e.message) for e in second] == [(e.line, e.message) for e in first]
    assert any("one of 'note', 'size', 'toppings'" in e.message for e in second)
    library = tmp_path / "pizzalib" / "signals.py"
    library.write_text(library.read_text().replace("    size: int", "    size: str"))
    _, third = run_mypy(args, cwd=tmp_path)
    # `fine(size: int)` is now refused, `size="1"` now accepted.
    assert any(e.line == FINE and e.rule == "receiver-payload-type" for e in third)
    assert not any(e.line == SIZE_AS_STR for e in third)


def test_the_oldest_supported_mypy_gives_the_same_errors(
    project_run: tuple[str, list[Error]], tmp_path: Path
) -> None:
    """mypy 1.10 (pyproject's lower bound) with the plugin, on every case file: the same
    errors as the newest, except on the lines marked ``mypy>=1.11`` (a partial's signature,
    which mypy records from 1.11 on)."""
    from support.venvs import python_in, venv

    env = venv("3.11", ["mypy==1.10.*"], name="mypy-oldest")
    files = [*PLUGIN_CASES, MISTAKES]
    command = [str(python_in(env)), "-m", "mypy", "--config-file", str(ROOT / "mypy.ini")]
    command += ["--cache-dir", str(tmp_path), "--follow-imports", "silent", *map(str, files)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "INTERNAL ERROR" not in done.stdout + done.stderr, done.stdout + done.stderr
    def kept(e: Error) -> bool:
        return e.path in files and (e.path, e.line) not in later

    later = {
        (path, number)
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "mypy>=1.11" in line
    }
    oldest = Counter((e.path.name, *e.key) for e in parse_errors(done.stdout, ROOT) if kept(e))
    newest = Counter((e.path.name, *e.key) for e in project_run[1] if kept(e))
    assert oldest == newest, (
        f"only with 1.10: {sorted(oldest - newest, key=str)}\n"
        f"only with the newest: {sorted(newest - oldest, key=str)}\n{done.stdout}"
    )
    assert later  # the exception is used, and so needed


def test_dmypy_gives_the_same_errors_and_follows_changes(tmp_path: Path) -> None:
    user = _copy_library_case(tmp_path)
    dmypy = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(tmp_path / "dmypy.json")]
    run = [*dmypy, "run", "--timeout", "120", "--", "--config-file", "mypy.ini", user.name]

    def check() -> list[Error]:
        done = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        return parse_errors(done.stdout, tmp_path)

    try:
        first = check()
        assert _keys(first) == sorted(
            expected_errors(CASES / "plugin_imported.py").elements(), key=str
        )
        library = tmp_path / "pizzalib" / "signals.py"
        library.write_text(library.read_text().replace("    size: int", "    size: str"))
        second = check()
        assert any(e.line == FINE and e.rule == "receiver-payload-type" for e in second)
        assert not any(e.line == SIZE_AS_STR for e in second)
    finally:
        subprocess.run([*dmypy, "stop"], cwd=tmp_path, capture_output=True, timeout=60)


# -- the case files at run time: the runtime validator agrees with the plugin --------------


def _statements_run(path: Path) -> Iterator[tuple[int, int, list[str]]]:
    """Run ``path`` with each top-level statement guarded: (first, last line, rule ids)."""
    tree = ast.parse(path.read_text())
    guarded: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        ):
            guarded.append(stmt)
            continue
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        guard = ast.parse(
            "try:\n    pass\nexcept ReceiverError as e:\n"
            f"    _refused[({first}, {stmt.end_lineno})] = [v.rule.id for v in e.violations]\n"
            "except TypeError:\n    pass\n"  # not callable, or a PayloadError: not compared
            f"else:\n    _refused[({first}, {stmt.end_lineno})] = []\n"
        ).body[0]
        assert isinstance(guard, ast.Try)
        guard.body = [stmt]
        guarded.append(guard)
    tree.body = guarded
    module = type(sys)(f"runtime_{path.stem}")
    module.__dict__.update(_refused={}, ReceiverError=ReceiverError)
    sys.modules[module.__name__] = module
    sys.path.insert(0, str(CASES))
    try:
        exec(compile(ast.fix_missing_locations(tree), str(path), "exec"), module.__dict__)
    finally:
        sys.path.remove(str(CASES))
        del sys.modules[module.__name__]
    for (first, last), ids in module.__dict__["_refused"].items():
        yield first, last, ids


@pytest.mark.parametrize(
    "path",
    [p for p in PLUGIN_CASES if p.stem != "plugin_send"] + [MISTAKES],
    ids=lambda p: p.name,
)
def test_the_runtime_refuses_exactly_what_the_plugin_refuses(
    project_run: tuple[str, list[Error]], path: Path
) -> None:
    _, errors = project_run
    plugin = [e for e in errors if e.path == path and e.code == "signal-receiver"]
    checked = 0
    source = path.read_text().splitlines()
    for first, last, runtime_ids in _statements_run(path):
        if any("# static only" in line for line in source[max(first - 2, 0) : last]):
            continue  # a signal typed by annotation only is untyped at run time
        static_ids = [e.rule or "" for e in plugin if first <= e.line <= last]
        assert sorted(set(runtime_ids)) == sorted(set(static_ids)), (
            f"{path.name}:{first}-{last}: runtime {runtime_ids}, plugin {static_ids}"
        )
        checked += bool(runtime_ids)
    assert checked >= 3
