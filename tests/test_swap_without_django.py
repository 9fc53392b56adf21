"""typedsignals.django.swap without Django, and a core that never imports Django."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_install_without_django_names_the_extra(monkeypatch):
    from typedsignals.django import swap

    for name in ("django", "django.dispatch", "django.dispatch.dispatcher"):
        monkeypatch.setitem(sys.modules, name, None)  # importing them raises ImportError
    with pytest.raises(ImportError, match=r"needs Django.*pip install 'typedsignals\[django\]'"):
        swap.install()
    assert not swap.installed()


def test_the_core_and_the_swap_module_import_no_django():
    script = (
        "import sys, typedsignals, typedsignals.django.swap; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
