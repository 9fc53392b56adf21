"""Generated receivers through the runtime validator and the mypy plugin: same verdicts.

Each example is a batch of generated cases (tests/strategies.py) written as one
module: one mypy run per batch, then the same connect lines run for real. For
every case the rules the plugin reports are exactly those the runtime's
``ReceiverError`` lists (none for both when the receiver is accepted).
"""

from __future__ import annotations

import itertools
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from strategies import PRELUDE, ConnectCase, connect_cases
from test_mypy_plugin import run_mypy

from typedsignals import ReceiverError

BATCH = 30
# mypy raises the recursion limit when it runs; raised here first, hypothesis does not warn.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 2**14))
_counter = itertools.count()


def render(cases: Sequence[ConnectCase]) -> tuple[str, str, list[str]]:
    """(declarations, whole module, each case's connect line).

    Names carry the batch's number: each batch is a new module, whose functions
    must not be taken for those of an earlier batch (same code, same string
    annotations) by the validator's per-function cache.
    """
    batch = next(_counter)
    labels = [f"{batch}_{i}" for i in range(len(cases))]
    declarations = PRELUDE + "".join(
        f"\n\n{case.declarations(label)}\n" for case, label in zip(cases, labels, strict=True)
    )
    connects = [case.connect(label) for case, label in zip(cases, labels, strict=True)]
    return declarations, declarations + "\n" + "\n".join(connects) + "\n", connects


def runtime_verdicts(declarations: str, connects: Sequence[str]) -> list[list[str]]:
    """The rule ids ``ReceiverError`` lists for each connect line ([] when connected)."""
    name = f"crosscheck_runtime_{next(_counter)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        code = compile(declarations, f"<{name}>", "exec", dont_inherit=True)
        exec(code, module.__dict__)
        verdicts: list[list[str]] = []
        for line in connects:
            try:
                exec(line, module.__dict__)
            except ReceiverError as err:
                verdicts.append(sorted(v.rule.id for v in err.violations))
            else:
                verdicts.append([])
        return verdicts
    finally:
        del sys.modules[name]


def plugin_verdicts(
    module_source: str, connects: Sequence[str], directory: Path
) -> tuple[str, list[list[str]]]:
    """The rule ids of the plugin's ``signal-receiver`` errors on each connect line."""
    path = directory / f"crosscheck_{next(_counter)}.py"
    path.write_text(module_source)
    lines = module_source.splitlines()
    numbers = [len(lines) - len(connects) + 1 + i for i in range(len(connects))]
    assert [lines[n - 1] for n in numbers] == list(connects)
    config = directory / "mypy.ini"  # not strict: generated parameters may be unannotated
    config.write_text("[mypy]\nplugins = typedsignals.mypy\npython_version = 3.10\n")
    args = ["--config-file", str(config), "--cache-dir", str(directory / "cache"), str(path)]
    stdout, errors = run_mypy(args)
    crashes = [e for e in errors if e.code in ("syntax", "misc", "valid-type", "name-defined")]
    assert not crashes, stdout
    by_line: dict[int, list[str]] = {}
    for e in errors:
        if e.path == path and e.code == "signal-receiver" and e.rule is not None:
            by_line.setdefault(e.line, []).append(e.rule)
    return stdout, [sorted(by_line.get(n, [])) for n in numbers]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crosscheck")


@settings(
    max_examples=10,
    deadline=None,
    # No shrinking: each step would be a mypy run; the failing lines are listed instead.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(connect_cases(), min_size=BATCH, max_size=BATCH))
def test_runtime_validator_and_plugin_agree(workdir: Path, batch: list[ConnectCase]) -> None:
    declarations, module_source, connects = render(batch)
    runtime = runtime_verdicts(declarations, connects)
    stdout, static = plugin_verdicts(module_source, connects, workdir)
    disagreements = [
        f"{line}\n  runtime {r}\n  plugin  {s}"
        for line, r, s in zip(connects, runtime, static, strict=True)
        if r != s
    ]
    assert not disagreements, "\n".join(disagreements) + "\n\n" + module_source + "\n" + stdout


ALL_RULES = {
    "receiver-kwargs",
    "receiver-sender-type",
    "receiver-unknown-parameter",
    "receiver-payload-type",
    "receiver-positional-only",
    "receiver-sender-argument",
}


def test_the_strategy_reaches_every_rule_and_both_agree_there(workdir: Path) -> None:
    """A generated batch in which the runtime breaks every rule and accepts many; the plugin
    gives the same verdicts on it (so the property above is not vacuous)."""

    def covers(batch: list[ConnectCase]) -> bool:
        declarations, _, connects = render(batch)
        verdicts = runtime_verdicts(declarations, connects)
        seen = {rule for verdict in verdicts for rule in verdict}
        return seen == ALL_RULES and sum(not v for v in verdicts) >= 10

    batch = find(
        st.lists(connect_cases(), min_size=BATCH * 2, max_size=BATCH * 2),
        covers,
        settings=settings(
            max_examples=200, database=None, derandomize=True, phases=[Phase.generate]
        ),
    )
    declarations, module_source, connects = render(batch)
    _, static = plugin_verdicts(module_source, connects, workdir)
    assert static == runtime_verdicts(declarations, connects)
