"""Virtual environments for tests, built with uv and cached between runs.

A venv is keyed by its Python version and requirements; it lives under the
test cache (``TYPEDSIGNALS_TEST_CACHE``, default ``~/.cache/typedsignals-tests``),
never in the source tree. typedsignals itself is installed from this checkout
on every use (quick: uv reinstalls only it), so a venv never tests stale code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .interpreters import find_python

__all__ = ["ROOT", "cache_dir", "python_in", "venv"]

ROOT = Path(__file__).resolve().parents[2]


def cache_dir(*parts: str) -> Path:
    """A directory in the test cache (created)."""
    base = os.environ.get("TYPEDSIGNALS_TEST_CACHE") or str(
        Path.home() / ".cache" / "typedsignals-tests"
    )
    path = Path(base, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        raise RuntimeError("uv is needed to build test environments: pip install uv")
    return found


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}")


def python_in(env: Path) -> Path:
    """The interpreter of the venv at ``env``."""
    return env / "bin" / "python"


def venv(
    version: str,
    requirements: list[str],
    *,
    extras: str = "",
    name: str = "",
    editable: bool = False,
) -> Path:
    """A venv for CPython ``version`` with ``requirements`` and this typedsignals checkout.

    Arguments:

        version
            The minor version, e.g. ``"3.13"``; found by ``find_python``.

        requirements
            pip requirement strings (or paths); the venv is rebuilt when they change.

        extras
            typedsignals extras to install with it, e.g. ``"django,mypy"``.

        name
            A readable prefix for the venv's directory.

        editable
            Install typedsignals in editable mode (for tests that read its sources).

    Returns the venv's directory; its interpreter is ``python_in(env)``.
    """
    python = find_python(version)
    # Keyed by the checkout too: worktrees of one repository must not share a venv.
    parts = [str(ROOT), version, extras, str(editable), *sorted(requirements)]
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
    env = cache_dir("venvs") / f"{name or 'env'}-py{version}-{key}"
    marker = env / ".typedsignals-ready"
    uv = _uv()
    if not marker.exists():
        shutil.rmtree(env, ignore_errors=True)
        _run([uv, "venv", "--quiet", "--python", str(python), str(env)], f"uv venv {env}")
        if requirements:
            _run(
                [uv, "pip", "install", "--quiet", "--python", str(python_in(env)), *requirements],
                f"installing {requirements} into {env}",
            )
        marker.write_text("\n".join(requirements))
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    command = [uv, "pip", "install", "--quiet", "--python", str(python_in(env))]
    command += ["--reinstall-package", "typedsignals"]
    command += ["-e", target] if editable else [target]
    _run(command, f"installing typedsignals into {env}")
    return env
