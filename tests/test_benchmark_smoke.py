"""The benchmark runs: every scenario with tiny counts, so it cannot rot.

Nothing here measures speed; the numbers are only checked to be sane. The
peers (Django, blinker, psygnal, pydispatcher) are optional: without them the
benchmark runs typedsignals and the floors and says what it skipped.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import peers, run
from benchmarks._timing import PRESETS

ROOT = Path(__file__).resolve().parent.parent
SMOKE = PRESETS["smoke"]

#: Every scenario of a smoke run, with the implementations it always has.
EXPECTED = {
    **{f"send/{n}": {"floor", "typedsignals"} for n in (0, 1, 10, 100)},
    **{f"send-typed/{n}": {"floor (typed)", "typedsignals"} for n in (1, 10, 100)},
    **{f"send_robust/{n}": {"floor (robust)", "typedsignals"} for n in (1, 10, 100)},
    "send/1-of-20-senders": {"typedsignals", "typedsignals (1 sender)"},
    "send/validated-payload": {
        "pydantic validate_python + send",
        "typedsignals (validate=True)",
        "typedsignals (validate=False)",
    },
    "connect/20": {"typedsignals"},
    "disconnect/20": {"typedsignals"},
    "connect/50": {"typedsignals"},
    "disconnect/50": {"typedsignals"},
    "memory/per-receiver": {"floor (a list)", "typedsignals"},
    "memory/200-cycles": {"typedsignals"},
    "asend/10-async": {"floor (sequential await)", "floor (gather)", "typedsignals"},
    "asend/10-async-sleep(0)": {"floor (sequential await)", "floor (gather)", "typedsignals"},
    "asend/10-async-sleep(1ms)": {"floor (gather)", "typedsignals"},
    "asend/10-sync": {"floor (one sync_to_async hop)", "typedsignals"},
    "import": {"typedsignals", "python -c pass"},
    **{
        f"observe/{n}": {
            "never touched",
            "after capture, muted, tracing ended",
            "another signal captured, muted, traced",
            "(while captured)",
            "(while muted)",
            "(while traced, log off)",
        }
        for n in (0, 1)
    },
}


def _rows(record: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for row in record["results"]:
        rows.setdefault(row["scenario"], {})[row["implementation"]] = row
    return rows


def _check_sane(record: dict[str, Any]) -> None:
    rows = _rows(record)
    expected = dict(EXPECTED)
    if "pydantic" not in record["versions"]:  # the validated send needs pydantic
        del expected["send/validated-payload"]
    assert set(rows) == set(expected)
    for scenario, impls in expected.items():
        assert impls <= set(rows[scenario]), scenario
    for row in record["results"]:
        median = row["median"]
        assert math.isfinite(median), row
        assert row["samples"], row
        if row["unit"] == "ns":
            assert 0 < median < 10e9, row  # a positive time under ten seconds
        else:
            assert row["unit"] == "B"
            assert -1e6 < median < 1e8, row
        if row["ratio"] is not None:
            assert math.isfinite(row["ratio"]) and row["ratio"] >= 0, row
    # The send floors and typedsignals' sends take time that grows with the receivers.
    assert rows["send/100"]["floor"]["median"] > rows["send/0"]["floor"]["median"]
    per_receiver = rows["memory/per-receiver"]["typedsignals"]["median"]
    assert 0 < per_receiver < 10_000
    # A receiver that sleeps 1 ms cannot finish sooner.
    assert rows["asend/10-async-sleep(1ms)"]["typedsignals"]["median"] >= 1e6
    targets = record["targets"]
    assert len(targets) >= 10
    assert all(t["ok"] in (True, False, None) for t in targets)


def test_smoke_run_without_peers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever is installed, pretend only typedsignals is: the peers are skipped.
    monkeypatch.setattr(peers, "_installed", lambda module: module == "typedsignals")
    record = run(SMOKE)
    assert record["skipped"] == ["django", "blinker", "psygnal", "pydispatcher"]
    _check_sane(record)
    implementations = {row["implementation"] for row in record["results"]}
    assert not any(
        name.startswith(("django", "blinker", "psygnal", "pydispatcher"))
        for name in implementations
    )
    # Without the peers, their targets are reported as not measured.
    by_text = {t["target"]: t for t in record["targets"]}
    assert by_text["50 validated connects: <= 1.0x blinker's unvalidated ones"]["ok"] is None


def test_smoke_command_prints_table_and_writes_json(tmp_path: Path) -> None:
    """``python -m benchmarks --smoke`` end to end, with whichever peers are installed."""
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(out.read_text(encoding="utf-8"))
    _check_sane(record)
    installed = set(peers.available())
    assert set(record["skipped"]) == set(peers.PEERS) - installed
    for name in installed - {"typedsignals"}:
        assert any(row["implementation"].startswith(name) for row in record["results"]), name
    table = done.stdout
    for scenario in EXPECTED:
        if scenario in _rows(record):
            assert f"[{scenario}]" in table
    assert "targets:" in table
    assert str(out) in table


def test_unknown_implementation_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import main

    assert main(["--smoke", "--only", "typedsignals,nosuchlib"]) == 2
    assert "nosuchlib" in capsys.readouterr().err
