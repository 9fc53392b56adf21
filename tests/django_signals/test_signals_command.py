"""``manage.py signals list|check|graph`` on the test project, on each tested Django version.

``check`` must report what the system check reports (the ``# E`` and
``# E(runtime)`` marks of the project), plus what only it checks: the
receivers of the project's own signal (``shop.signals.order_placed``).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

from django_project import PROJECT, Error, expected
from support.venvs import python_in

from typedsignals.rules import ALL_RULES

#: What only ``manage.py signals check`` reports: a receiver of the project's own signal.
ONLY_HERE = ("shop/mistakes.py", 133, "receiver-kwargs")


def signals(env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Django's own options go before the subcommand.
    command = [str(python_in(env)), "manage.py", "signals", f"--settings={PROJECT.settings}", *args]
    return subprocess.run(
        command, cwd=PROJECT.root, capture_output=True, text=True, timeout=300, check=False
    )


def test_check_reports_the_marked_receivers_and_exits_1(django_env: tuple[str, Path]) -> None:
    version, env = django_env
    done = signals(env, "check", "--json")
    assert done.returncode == 1, done.stderr
    assert "Some receivers break a rule" in done.stderr
    data = json.loads(done.stdout)
    assert data["ok"] is False
    assert data["rules"] == [rule.id for rule in ALL_RULES]
    found: Counter[Error] = Counter((p["path"], p["line"], p["rule"]) for p in data["problems"])
    wanted = expected("runtime", version)
    wanted[ONLY_HERE] += 1
    assert found == wanted
    typo = next(p for p in data["problems"] if p["receiver"] == "shop.mistakes.typo")
    assert typo["signal"] == "django.db.models.signals:post_save"
    assert typo["sender"] == "shop.models.Book"  # found, also on Django 5.2 (only its id() kept)


def test_list_graph_and_one_module(django_env: tuple[str, Path]) -> None:
    _, env = django_env
    done = signals(env, "list")
    assert done.returncode == 0, done.stderr
    assert "django.db.models.signals:post_save  " in done.stdout
    assert (
        "shop.signals:order_placed  django.dispatch.dispatcher.Signal: 2 receivers" in done.stdout
    )
    saved = next(line for line in done.stdout.splitlines() if "shop.receivers.book_saved " in line)
    assert saved.split()[1:3] == ["shop/receivers.py:52", "shop.models.Book"]
    one = signals(env, "list", "--json", "shop.signals:order_placed")
    assert one.returncode == 0, one.stderr
    listed = json.loads(one.stdout)["signals"]
    assert [r["receiver"] for r in listed[0]["receivers"]] == [
        "shop.mistakes.order_without_kwargs",
        "shop.receivers.order",
    ]
    graph = signals(env, "graph", "--format", "dot", "shop.signals")
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.startswith("digraph typedsignals {")
    assert '[label="shop.signals:order_placed", shape=ellipse];' in graph.stdout
    missing = signals(env, "list", "shop.nosuch")
    assert missing.returncode == 2
    assert "cannot import module 'shop.nosuch'" in missing.stderr
