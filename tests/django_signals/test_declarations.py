"""The declarations agree with Django's own sources, for each tested Django version.

The sources are those installed in the test venvs (``conftest.py``), read, not
imported: every module-level ``Signal()`` / ``ModelSignal()`` is declared
(and nothing else), and each signal's payload
keys are those its ``send()``, ``send_robust()``, ``asend()`` and
``asend_robust()`` calls pass: a Required key in every call, a NotRequired
one in some but not all (or passed on through ``**kwargs``), no other key.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django_project import installed_django

from typedsignals.django import declarations
from typedsignals.django.signals import declared_signals

SENDS = {"send", "send_robust", "asend", "asend_robust"}


@dataclass
class Sends:
    """Each call's explicit keywords (``sender`` aside), and whether one passes ``**kwargs``."""

    calls: list[frozenset[str]] = field(default_factory=list)
    passes_on: bool = False


def _modules(root: Path) -> list[tuple[str, ast.Module]]:
    """The modules of Django that may define or send a signal, parsed."""
    found = []
    for path in sorted((root / "django").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "Signal(" not in text and "send" not in text:
            continue
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        found.append((module, _parse(text)))
    return found


def _parse(text: str) -> ast.Module:
    """Parse a Django module, also on a Python older than the one Django targets.

    Django 6.1 uses ``except*`` (PEP 654, Python 3.11+), which 3.10 cannot parse;
    only assignments and calls are read here, so it is read as a plain ``except``.
    """
    try:
        return ast.parse(text)
    except SyntaxError:
        if sys.version_info >= (3, 11):
            raise
        return ast.parse(re.sub(r"\bexcept\s*\*", "except", text))


def _defined_signals(modules: list[tuple[str, ast.Module]]) -> set[str]:
    defined = set()
    for module, tree in modules:
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id in ("Signal", "ModelSignal")
            ):
                defined |= {f"{module}.{t.id}" for t in node.targets if isinstance(t, ast.Name)}
    return defined


def _sends(modules: list[tuple[str, ast.Module]], names: set[str]) -> dict[str, Sends]:
    """The send calls of each signal, by its name (``post_save``; the names are unique)."""
    found: dict[str, Sends] = defaultdict(Sends)
    for _, tree in modules:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if node.func.attr not in SENDS or name not in names:
                continue
            keys = {k.arg for k in node.keywords if k.arg is not None} - {"sender"}
            found[name].calls.append(frozenset(keys))
            found[name].passes_on |= any(k.arg is None for k in node.keywords)
    return found


def _payload_keys(declaration: type) -> dict[str, bool]:
    """Each payload key of a declaration: True if Required (read from the annotation text,
    since ``__required_keys__`` misses NotRequired under ``from __future__ import annotations``)."""
    payload = declaration.__annotations__["payload"].split("[")[0]
    annotations: dict[str, object] = getattr(declarations, payload).__annotations__
    texts = {key: str(getattr(a, "__forward_arg__", a)) for key, a in annotations.items()}
    return {key: not text.startswith("NotRequired[") for key, text in texts.items()}


@pytest.fixture(scope="module")
def django_source(django_env: tuple[str, Path]) -> tuple[tuple[int, int], list]:
    version, env = django_env
    major, minor = (int(part) for part in version.split("."))
    return (major, minor), _modules(installed_django(env))


def test_every_signal_django_defines_is_declared(django_source) -> None:
    version, modules = django_source
    assert set(declared_signals(version)) == _defined_signals(modules)


def test_payload_keys_are_those_djangos_sends_pass(django_source) -> None:
    version, modules = django_source
    declared = declared_signals(version)
    sends = _sends(modules, {d.name for d in declared.values()})
    for signal in declared.values():
        keys = _payload_keys(signal.declaration)
        seen = sends[signal.name]
        assert seen.calls, f"{signal.signal}: Django never sends it"
        for call in seen.calls:
            assert call <= set(keys), f"{signal.signal}: undeclared {call - set(keys)}"
            required = {k for k, is_required in keys.items() if is_required}
            assert required <= call, f"{signal.signal}: Required {required - call} not sent"
        for key, is_required in keys.items():
            in_every = all(key in call for call in seen.calls)
            in_some = any(key in call for call in seen.calls)
            if is_required:
                assert in_every, f"{signal.signal}: {key} is sent only sometimes"
            else:
                assert not in_every, f"{signal.signal}: {key} is always sent: Required"
                assert in_some or seen.passes_on, f"{signal.signal}: {key} is never sent"


def test_the_versions_differ_where_django_does() -> None:
    old, new = declared_signals((5, 2)), declared_signals((6, 1))
    assert set(new) - set(old) == {
        "django.tasks.signals.task_enqueued",
        "django.tasks.signals.task_started",
        "django.tasks.signals.task_finished",
    }
    m2m = "django.db.models.signals.m2m_changed"
    assert set(_payload_keys(new[m2m].declaration)) - set(_payload_keys(old[m2m].declaration)) == {
        "raw"
    }
    assert len(old) == 21 and len(new) == 24
