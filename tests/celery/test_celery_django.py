"""Task receivers in a Django project: model references, deleted rows, on_commit.

The checks (django_project/checks_in_django.py) configure Django for the
bookshop project, so they run in a pytest of their own, in a subprocess; this
test runs it and requires every check to pass. The same project runs against a
real worker in test_celery_worker.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from processes import child_env

PROJECT = Path(__file__).parent / "django_project"
ROOT = Path(__file__).resolve().parents[2]


def test_the_django_checks_pass(tmp_path: Path) -> None:
    env = child_env({
        "BOOKSHOP_DB": str(tmp_path / "bookshop.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "bookshop.settings",
        "PYTHONPATH": os.pathsep.join([str(PROJECT), str(ROOT)]),
    })  # fmt: skip
    env.pop("BOOKSHOP_BROKER", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(PROJECT / "checks_in_django.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None and int(passed.group(1)) >= 11, output
    assert "failed" not in output and "error" not in output.lower(), output
