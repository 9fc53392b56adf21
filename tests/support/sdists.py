"""Source distributions from PyPI, downloaded once into the test cache and unpacked."""

from __future__ import annotations

import re
import subprocess
import tarfile
import zipfile
from pathlib import Path

from .interpreters import find_python
from .venvs import cache_dir

__all__ = ["sdist"]


def _with_pip(python: Path) -> str:
    """The interpreter a venv was made from: a uv venv (this test run's own) has no pip."""
    done = subprocess.run(
        [str(python), "-c", "import sys; print(sys._base_executable)"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout.strip() or str(python)


def sdist(requirement: str, *, python: str = "3.13") -> Path:
    """Download the sdist of ``requirement`` (e.g. ``"django==6.1.*"``) and unpack it.

    ``python`` is the minor version whose pip resolves the requirement (Django
    6.x is visible only to Python 3.12+). Returns the unpacked source tree.
    Raises RuntimeError if PyPI cannot be reached or nothing matches.
    """
    downloads = cache_dir("sdists")
    command = [_with_pip(find_python(python)), "-m", "pip", "download", "--no-deps"]
    command += ["--no-binary", ":all:", "--dest", str(downloads), requirement]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pip download {requirement} failed:\n{done.stdout}\n{done.stderr}")
    # pip names the file it chose: "Saved <path>" or "File was already downloaded <path>".
    named = re.findall(r"(?:Saved|File was already downloaded) (\S+)", done.stdout)
    if not named:
        raise RuntimeError(f"pip download {requirement} named no file:\n{done.stdout}")
    archive = (downloads / Path(named[-1]).name).resolve()
    stem = archive.name.removesuffix(".tar.gz").removesuffix(".zip")
    target = cache_dir("src") / stem
    if not (target / ".unpacked").exists():
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                z.extractall(target.parent)
        else:
            with tarfile.open(archive) as t:
                t.extractall(target.parent, filter="data")
        if not target.is_dir():
            raise RuntimeError(f"{archive} did not unpack into {target}")
        (target / ".unpacked").write_text(requirement)
    return target
