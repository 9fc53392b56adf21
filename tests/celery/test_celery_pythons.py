"""The Celery integration on the oldest and newest supported CPythons (3.10 and 3.13).

The in-process tests (eager mode, the in-memory transport, the Django checks)
run again in a cached venv of each, with this checkout installed with its
``celery`` extra. (Before 3.11, ``isinstance(type[X], type)`` is true, a
difference that once sent model classes to pydantic as they are.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from processes import child_env
from support.venvs import python_in, venv

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
REQUIREMENTS = ["pytest>=8", "pytest-timeout>=2.3", "django>=5.2", "redis>=5"]


@pytest.mark.parametrize("version", ["3.10", "3.13"])
def test_the_in_process_celery_tests_pass(version: str) -> None:
    env = venv(version, REQUIREMENTS, extras="celery", name="celery")
    files = [HERE / "test_celery_receivers.py", HERE / "test_celery_django.py"]
    done = subprocess.run(
        [str(python_in(env)), "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, files)],
        cwd=ROOT, env=child_env({}), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None and int(passed.group(1)) >= 36, output
