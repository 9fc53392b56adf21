"""What ``from typedsignals import Signal, receiver`` loads: only what a sync signal needs.

The validator loads with the first connect or ``Signal[...]``; asyncio and
asgiref with the first async receiver; logging with the first error a robust
send logs. Each case runs in a fresh interpreter and reads ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Loaded only when needed (asyncio and asgiref are most of a cold import).
LAZY = [
    "asyncio",
    "asgiref",
    "asgiref.sync",
    "concurrent.futures",
    "logging",
    "typedsignals.asyncdispatch",
    "typedsignals.payload",
    "typedsignals.validation",
    "typedsignals.typecompat",
]
#: typing_extensions (which loads inspect) is needed for PEP 696 defaults before 3.13.
LAZY_ON_313 = ["typing_extensions", "inspect"]

SETUP = """\
from typedsignals import Signal, receiver
def r(**kwargs): pass
class Listener:
    def on(self, **kwargs): pass
async def a(**kwargs): pass
"""


def _loaded(statement: str) -> dict[str, bool]:
    code = (
        "import json, sys\n"
        f"{SETUP}{statement}\n"
        f"print(json.dumps({{m: m in sys.modules for m in {LAZY + LAZY_ON_313!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_signal_and_receiver_loads_nothing_heavy() -> None:
    loaded = _loaded("pass")
    assert not [m for m in LAZY if loaded[m]], loaded
    assert any(loaded[m] for m in LAZY_ON_313) is (sys.version_info < (3, 13)), loaded


@pytest.mark.parametrize(
    "statement",
    [
        "s = Signal(); s.connect(r); s.send(None)",
        "s = Signal(); s.connect(r, check=False); s.send_robust(None)",
        "s = Signal(); listener = Listener(); s.connect(listener.on); s.send(None)",
        "s = Signal(); s.connect(r, weak=False); s.disconnect(r); s.send(None)",
        "s = Signal(); s.connect(a)",  # a coroutine function known by its code flags
    ],
)
def test_sync_receivers_never_load_asyncio_or_asgiref(statement: str) -> None:
    loaded = _loaded(statement)
    assert not loaded["asyncio"] and not loaded["asgiref"], loaded
    checked = "check=False" not in statement
    assert loaded["typedsignals.validation"] is checked, loaded  # only connect's check loads it


@pytest.mark.parametrize(
    "statement",
    [
        "s = Signal(); s.connect(a); assert s.send(None)[0][1] is None",
        "s = Signal(); s.connect(r); import asyncio; asyncio.run(s.asend(None))",
    ],
)
def test_the_first_async_use_loads_them(statement: str) -> None:
    loaded = _loaded(statement)
    assert loaded["asyncio"] and loaded["asgiref"] and loaded["typedsignals.asyncdispatch"]


def test_declaring_a_typed_signal_loads_the_validator_not_asyncio() -> None:
    loaded = _loaded(
        "from typing import TypedDict\n"
        "class Saved(TypedDict):\n    created: bool\n"
        "s = Signal[object, Saved]()\n"
    )
    assert loaded["typedsignals.validation"] and not loaded["asyncio"], loaded


def test_a_robust_send_logs_a_receiver_error_with_logging_loaded_then() -> None:
    loaded = _loaded(
        "def boom(**kwargs): raise ValueError('x')\n"
        "s = Signal(); s.connect(boom)\n"
        "assert 'logging' not in sys.modules\n"
        "[(_, err)] = s.send_robust(None); assert isinstance(err, ValueError)\n"
    )
    assert loaded["logging"], loaded


def test_a_lazily_loaded_module_takes_its_placeholders_place() -> None:
    code = (
        "from typedsignals import dispatcher, validation\n"
        "dispatcher.Signal().connect(lambda **kw: None)\n"
        "assert dispatcher.validation is validation, dispatcher.validation\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
