"""``python -m typedsignals list|check|graph`` and the introspection API under it.

The package ``tests/cli_project/pizzashop`` holds signals and receivers (two
connected without the check, breaking a rule). The commands run in
subprocesses (``python -m`` and the installed ``typedsignals`` script) and in
process (``main()``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django.dispatch
import pytest

from typedsignals import Signal, rules
from typedsignals.cli import main
from typedsignals.introspection import (
    check,
    is_signal,
    receivers,
    short_repr,
    signal_label,
    signal_path,
)

PROJECT = Path(__file__).resolve().parent / "cli_project"
SCRIPT = Path(sys.executable).parent / "typedsignals"


def run(*args: str, script: bool = False) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "typedsignals"]
    return subprocess.run(
        [*command, *args], cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In process, in the project directory; the modules imported there are forgotten after."""
    monkeypatch.chdir(PROJECT)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_list_prints_each_signal_and_its_receivers():
    done = run("list", "pizzashop.receivers")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "pizzashop.signals:order_placed  Signal, defined at pizzashop/signals.py:17: 2 receivers"
    )
    assert lines[1].split() == ["RECEIVER", "LOCATION", "SENDER", "REF", "KIND", "DISPATCH_UID"]
    assert lines[2].split() == [
        "pizzashop.receivers.no_kwargs", "pizzashop/receivers.py:23", "any", "weak", "sync", "-",
    ]  # fmt: skip
    header = "pizzashop.signals:pizza_done  Signal[Store, PizzaDone], defined at"
    assert lines[5].startswith(header), lines[5]
    notify = next(line for line in lines if "notify" in line)
    assert notify.split()[:2] == ["pizzashop.receivers.notify", "pizzashop/receivers.py:13"]
    assert "  <pizzashop.signals.Store object at 0x" in notify
    assert notify.split()[-3:] == ["weak", "async", "'notify'"]
    count = next(line for line in lines if "Counter.count" in line).split()
    assert count[-3:] == ["strong", "sync", "-"]


def test_list_json_and_one_signal():
    done = run("list", "--json", "pizzashop.receivers", "pizzashop.signals:pizza_done")
    assert done.returncode == 0, done.stderr
    signals = json.loads(done.stdout)["signals"]
    assert [s["signal"] for s in signals] == [
        "pizzashop.signals:order_placed",
        "pizzashop.signals:pizza_done",  # named twice, listed once
    ]
    receivers_ = signals[1]["receivers"]
    assert [r["receiver"] for r in receivers_] == [
        "pizzashop.receivers.kitchen",
        "pizzashop.receivers.notify",
        "pizzashop.receivers.Counter.count",
        "pizzashop.receivers.wrong_size",
    ]
    notify = receivers_[1]
    assert notify["path"] == "pizzashop/receivers.py" and notify["line"] == 13
    assert notify["async"] is True and notify["weak"] is True
    assert notify["dispatch_uid"] == "'notify'"
    assert signals[1]["type"] == "Signal[Store, PizzaDone]"
    only = json.loads(run("list", "--json", "pizzashop.signals:order_placed").stdout)
    assert [s["signal"] for s in only["signals"]] == ["pizzashop.signals:order_placed"]


def test_check_reports_each_problem_and_exits_1():
    done = run("check", "pizzashop.receivers", script=True)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "pizzashop.signals:order_placed: pizzashop.receivers.no_kwargs "
        "(pizzashop/receivers.py:23), sender any:",
        "  [receiver-kwargs] Signal receivers must accept keyword arguments (**kwargs). "
        "expected a **kwargs parameter; found (sender).",
        "pizzashop.signals:pizza_done: pizzashop.receivers.wrong_size "
        "(pizzashop/receivers.py:20), sender any:",
        "  [receiver-payload-type] A payload parameter must accept the type the signal sends. "
        "Parameter 'size': expected an annotation that accepts int; found str.",
        f"Checked 6 receivers of 2 signals against {len(rules.ALL_RULES)} rules: 2 problems.",
    ]


def test_check_json():
    done = run("check", "--json", "pizzashop.receivers")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["ok"] is False
    assert data["signals"] == 2 and data["receivers"] == 6
    assert data["rules"] == [rule.id for rule in rules.ALL_RULES]
    assert [(p["receiver"], p["rule"], p["path"], p["line"]) for p in data["problems"]] == [
        ("pizzashop.receivers.no_kwargs", "receiver-kwargs", "pizzashop/receivers.py", 23),
        ("pizzashop.receivers.wrong_size", "receiver-payload-type", "pizzashop/receivers.py", 20),
    ]
    assert data["problems"][1]["parameter"] == "size"


def test_check_of_good_receivers_exits_0(in_project: None, capsys: pytest.CaptureFixture[str]):
    assert main(["check", "pizzashop.signals"]) == 0  # the receivers module is not imported
    assert capsys.readouterr().out == (
        f"Checked 0 receivers of 2 signals against {len(rules.ALL_RULES)} rules: no problems.\n"
    )
    sig = Signal(name="fine")
    sig.connect(lambda **kwargs: None)
    assert check(sig) == []


def test_graph_mermaid_and_dot():
    mermaid = run("graph", "pizzashop.receivers")
    assert mermaid.returncode == 0, mermaid.stderr
    lines = mermaid.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert '    s0(["pizzashop.signals:order_placed"])' in lines
    assert '    r1["pizzashop.receivers.kitchen<br/>pizzashop/receivers.py:10"]' in lines
    assert "    s0 --> r1" in lines and "    s1 --> r1" in lines  # one node, two edges
    assert any(line.startswith('    s1 -->|"sender: <pizzashop.signals.Store') for line in lines)
    dot = run("graph", "--format", "dot", "pizzashop.receivers")
    assert dot.returncode == 0, dot.stderr
    assert dot.stdout.startswith("digraph typedsignals {\n")
    assert '    r2 [label="pizzashop.receivers.notify (async)\\npizzashop/receivers.py:13"];' in (
        dot.stdout
    )
    assert dot.stdout.rstrip().endswith("}")


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        (
            "broken",
            "broken: importing 'broken' failed: RuntimeError: the database is not configured",
        ),
        ("nosuch", "nosuch: cannot import module 'nosuch': No module named 'nosuch'."),
        (
            "pizzashop.signals:not_a_signal",
            "pizzashop.signals:not_a_signal is str 'pizza_done', not a signal.",
        ),
        ("pizzashop.signals:nope", "module 'pizzashop.signals' has no attribute 'nope'."),
        ("json", "module 'json' holds no signals"),
        ("pizzashop:", "expected MODULE or MODULE:SIGNAL"),
    ],
)
def test_clear_errors(argument: str, message: str):
    done = run("list", argument)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("python -m typedsignals: error: "), done.stderr
    assert message in done.stderr


def test_help_for_each_command():
    overview = run("--help").stdout
    assert all(f"    {command} " in overview for command in ("list", "check", "graph"))
    for command, words in [
        ("list", "file:line, sender filter"),
        ("check", "exit with status 1 if a receiver breaks one"),
        ("graph", "Mermaid"),
    ]:
        done = run(command, "--help")
        assert done.returncode == 0
        assert words in " ".join(done.stdout.split())
    assert run("list").returncode == 2  # a module is required


def test_in_process(in_project: None, capsys: pytest.CaptureFixture[str]):
    assert main(["list", "pizzashop"]) == 2  # the package alone: no submodule imported
    assert "nor does any submodule it imported" in capsys.readouterr().err
    assert main(["list", "--json", "pizzashop", "pizzashop.signals"]) == 0
    listed = json.loads(capsys.readouterr().out)["signals"]
    assert [s["signal"] for s in listed] == [
        "pizzashop.signals:pizza_done",
        "pizzashop.signals:order_placed",
    ]
    assert main(["check", "pizzashop.receivers"]) == 1
    assert "2 problems" in capsys.readouterr().out
    assert main(["list", "pizzashop.signals:nope"]) == 2
    assert "has no attribute 'nope'" in capsys.readouterr().err


# -- the introspection API --------------------------------------------------------------------


class Sender:
    pass


def module_level(sender: Any, **kwargs: Any) -> None: ...


the_signal = Signal(name="the_signal")
unnamed = Signal()


def test_receivers_describe_each_connection():
    sig = Signal()
    sender = Sender()

    class Handler:
        def __call__(self, **kwargs: Any) -> None: ...

    handler = Handler()
    sig.connect(module_level)
    sig.connect(module_level, sender=Sender, dispatch_uid="uid")
    sig.connect(handler, sender=sender, weak=False)
    first, second, third = receivers(sig)
    assert (first.name, first.module, first.qualname) == (
        f"{__name__}.module_level", __name__, "module_level",
    )  # fmt: skip
    assert first.path == __file__ and first.location.endswith(f"test_cli.py:{first.line}")
    assert (first.sender, first.sender_known, first.weak, first.is_async) == (
        None,
        True,
        True,
        False,
    )
    assert first.dispatch_uid is None and first.sender_text == "any"
    assert second.sender is Sender and second.dispatch_uid == "uid"
    assert second.sender_text == f"{__name__}.Sender"
    assert third.qualname.endswith("Handler instance") and third.weak is False
    assert third.sender is sender and third.sender_text == short_repr(sender)
    del sender, third
    assert len(receivers(sig)) == 2  # its sender died: the receiver went with it


def test_receivers_of_a_django_signal():
    sig = django.dispatch.Signal()

    async def later(**kwargs: Any) -> None: ...

    sig.connect(later, weak=False)
    sig.connect(module_level, sender=Sender)
    first, second = receivers(sig)
    assert first.is_async and not first.weak
    assert second.sender_known == (django.VERSION >= (6, 1))  # 5.2 keeps only the id()
    assert second.sender_text.startswith("unknown (id 0x") or second.sender is Sender


def test_names_of_signals():
    assert signal_label(the_signal) == "the_signal"
    assert signal_label(unnamed) == "unnamed"  # the name it is bound to
    assert signal_path(unnamed) == f"{__name__}:unnamed"
    local = Signal()
    assert signal_label(local) == repr(local)
    assert signal_path(local) is None
    assert is_signal(local) and is_signal(django.dispatch.Signal())
    assert not is_signal(object()) and not is_signal(Signal)
