"""Reading a signal's registry: Django 5.2's triples, 6.1's quadruples, typedsignals' own.

In process, with this environment's Django (5.2) unconfigured: connecting needs
no settings. The full check on each Django version, and on a built-in signal
replaced by typedsignals' ``Signal``, runs in the test venvs.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import django.dispatch
from support.venvs import python_in

import typedsignals
from typedsignals import NONE_ID
from typedsignals.django.connected import Connection, connections, subclasses

HERE = Path(__file__).resolve().parent


class Sender:
    pass


class Subsender(Sender):
    pass


def everywhere(**kwargs):
    return None


def for_sender(**kwargs):
    return None


class Listener:
    def method(self, **kwargs):
        return None


def _connected(signal: object) -> tuple[list[Connection], list[str]]:
    calls: list[str] = []

    def candidates():
        calls.append("called")
        return [Sender, Subsender]

    return connections(signal, candidates), calls


def _exercise(signal) -> None:
    listener = Listener()

    def local(**kwargs):
        return None

    def dies(**kwargs):
        return None

    signal.connect(everywhere)
    signal.connect(for_sender, sender=Subsender, dispatch_uid="uid")
    signal.connect(listener.method, sender=Sender)
    signal.connect(local, weak=False)
    signal.connect(dies)
    del dies
    gc.collect()
    found, calls = _connected(signal)
    assert [(c.receiver, c.sender, c.sender_known) for c in found] == [
        (everywhere, None, True),
        (for_sender, Subsender, True),
        (listener.method, Sender, True),
        (local, None, True),
    ]
    assert len(calls) <= 1  # senders looked up by id() at most once per signal


def test_django_signal() -> None:
    _exercise(django.dispatch.Signal())


def test_typedsignals_signal() -> None:
    _exercise(typedsignals.Signal())


def test_django_61_quadruples() -> None:
    # Django 6.1 keeps a weak reference to the sender beside its id().
    class FakeSignal:
        receivers: list[tuple[object, ...]]

    sender, gone = Sender(), Sender()
    gone_ref = weakref.ref(gone)
    signal = FakeSignal()
    signal.receivers = [
        ((id(everywhere), NONE_ID), weakref.ref(everywhere), None, False),
        ((id(for_sender), id(sender)), weakref.ref(for_sender), weakref.ref(sender), False),
        ((id(for_sender), id(gone)), for_sender, gone_ref, False),
        ((id(for_sender), 12345), for_sender, None, False),  # a sender without a weakref
        ("not a lookup key", for_sender, False),  # what a project may have assigned
        (for_sender,),
    ]
    del gone
    gc.collect()
    assert gone_ref() is None
    found, calls = _connected(signal)
    assert [(c.receiver, c.sender, c.sender_known) for c in found] == [
        (everywhere, None, True),
        (for_sender, sender, True),
        (for_sender, None, False),  # not among the candidates: unknown
    ]
    assert calls == ["called"]


def test_subclasses_include_the_root_once() -> None:
    class Left(Sender):
        pass

    class Right(Sender):
        pass

    class Diamond(Left, Right):  # a subclass of two subclasses
        pass

    found = list(subclasses(Sender))
    assert found[0] is Sender
    assert {Subsender, Left, Right, Diamond} <= set(found)
    assert len(found) == len(set(found))


def test_check_reads_a_signal_replaced_by_typedsignals(django_env: tuple[str, Path]) -> None:
    """A built-in signal that is a typedsignals Signal is read and checked the same way."""
    _, env = django_env
    done = subprocess.run(
        [str(python_in(env)), str(HERE / "replaced_signal.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("typedsignals.E003 Receiver __main__.typo (")
    assert "for sender auth.User" in lines[0]
    assert "Parameter 'creatd'" in lines[0]


def _imports_without_django(statement: str) -> subprocess.CompletedProcess[str]:
    blocked = "import sys; sys.modules['django'] = None; " + statement
    return subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_declarations_and_the_plugin_need_no_django() -> None:
    done = _imports_without_django(
        "import typedsignals.django.signals, typedsignals.mypy.django, typedsignals.django.hints"
    )
    assert done.returncode == 0, done.stderr


def test_the_app_and_the_check_name_the_extra_without_django() -> None:
    for module in ("typedsignals.django.apps", "typedsignals.django.checks"):
        done = _imports_without_django(f"import {module}")
        assert done.returncode == 1
        assert "pip install 'typedsignals[django]'" in done.stderr, done.stderr
