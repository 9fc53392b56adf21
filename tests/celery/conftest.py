"""Fixtures for the integration tests: one redis-server per session, a worker per project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import RedisServer, Worker, child_env

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
BOOKSHOP = HERE / "django_project"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def kitchen_worker(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Worker, Path]]:
    """A worker for tests/celery/pizzeria_worker.py, and the directory it writes effects to.

    The test process's copy of the app is pointed at the same broker and result backend.
    """
    import pizzeria_worker

    directory = tmp_path_factory.mktemp("pizzeria")
    out = directory / "out"
    out.mkdir()
    broker, backend = redis_server.url(0), redis_server.url(1)
    pizzeria_worker.app.conf.update(broker_url=broker, result_backend=backend)
    worker = Worker(
        "pizzeria_worker",
        directory,
        {"PIZZERIA_BROKER": broker, "PIZZERIA_BACKEND": backend, "PIZZERIA_OUT": str(out)},
        [HERE, ROOT],
    )
    monkey = pytest.MonkeyPatch()
    monkey.setenv("PIZZERIA_OUT", str(out))
    try:
        yield worker, out
    finally:
        monkey.undo()
        worker.stop()


class Bookshop:
    """The Django project's worker, its database file, and its sending process."""

    def __init__(self, worker: Worker, db: Path, env: dict[str, str]) -> None:
        self.worker = worker
        self.db = db
        self.env = env

    def send(self, scenario: str) -> dict[str, str]:
        """Run ``send_books.py scenario`` (a process of its own, as a web request's would be)."""
        return run_sender(scenario, self.env)


def run_sender(scenario: str, env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, str(BOOKSHOP / "send_books.py"), scenario],
        cwd=BOOKSHOP, env=child_env(env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"send_books.py {scenario} failed:\n{done.stdout}{done.stderr}"
    found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def bookshop(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Bookshop]:
    """A worker for the Django project, sharing a sqlite database file with the senders."""
    directory = tmp_path_factory.mktemp("bookshop")
    db = directory / "bookshop.sqlite3"
    env = {
        "BOOKSHOP_DB": str(db),
        "BOOKSHOP_BROKER": redis_server.url(2),
        "BOOKSHOP_BACKEND": redis_server.url(3),
        "DJANGO_SETTINGS_MODULE": "bookshop.settings",
        "PYTHONPATH": os.pathsep.join([str(BOOKSHOP), str(ROOT)]),
    }
    run_sender("migrate", env)
    worker = Worker("bookshop", directory, env, [BOOKSHOP, ROOT])
    try:
        yield Bookshop(worker, db, env)
    finally:
        worker.stop()
