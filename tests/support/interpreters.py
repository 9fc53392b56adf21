"""Find a CPython of a given minor version on this machine (pyenv, PATH or uv)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

__all__ = ["find_python"]


def _version_of(executable: str) -> str | None:
    try:
        done = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _candidates(version: str) -> list[str]:
    found: list[str] = []
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        found.append(sys.executable)
    roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        roots.insert(0, done.stdout.strip() or None)
    for root in filter(None, roots):
        pattern = os.path.join(root, "versions", f"{version}.*", "bin", f"python{version}")
        found += sorted(glob.glob(pattern), reverse=True)
    for name in (f"python{version}", f"/usr/bin/python{version}"):
        which = shutil.which(name)
        if which:
            found.append(which)
    uv = shutil.which("uv")
    if uv:
        done = subprocess.run(
            [uv, "python", "find", "--no-python-downloads", version],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip():
            found.append(done.stdout.strip())
    return found


@cache
def find_python(version: str) -> Path:
    """The path of a working ``python<version>`` (e.g. ``"3.13"``).

    Raises RuntimeError naming what was searched when there is none: a test
    that needs another Python must fail, not skip.
    """
    tried = _candidates(version)
    for candidate in tried:
        if _version_of(candidate) == version:
            return Path(candidate)
    raise RuntimeError(
        f"No CPython {version} found (tried: {', '.join(tried) or 'nothing'}). "
        f"Install it (e.g. 'pyenv install {version}') or put python{version} on PATH."
    )
