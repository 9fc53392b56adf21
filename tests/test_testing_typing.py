"""The capture helpers are typed: mypy (strict, the plugin on), in process.

``# R: type`` marks what ``reveal_type`` must show on that line, ``# E: code``
an error mypy must report there; nothing else may be reported.
"""

from __future__ import annotations

import re
from pathlib import Path

from test_mypy_plugin import ROOT, run_mypy

CASE = Path(__file__).resolve().parent / "typing_observe" / "capture_types.py"
_REVEALED = re.compile(r'^(?P<path>[^:]+):(?P<line>\d+): note: Revealed type is "(?P<type>.*)"$')
_ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[\w-]+)\]$")


def _marks(kind: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for number, line in enumerate(CASE.read_text().splitlines(), start=1):
        mark = re.search(rf"#\s*{kind}:\s*(.+)$", line)
        if mark:
            found[number] = mark.group(1).strip()
    return found


def test_capture_is_typed_by_the_signals_sender_and_payload(tmp_path: Path) -> None:
    stdout, _ = run_mypy(
        ["--config-file", str(ROOT / "mypy.ini"), "--cache-dir", str(tmp_path), str(CASE)]
    )
    revealed = {int(m["line"]): m["type"] for m in map(_REVEALED.match, stdout.splitlines()) if m}
    errors = {int(m["line"]): m["code"] for m in map(_ERROR.match, stdout.splitlines()) if m}
    assert revealed == _marks("R"), stdout
    assert errors == _marks("E"), stdout
