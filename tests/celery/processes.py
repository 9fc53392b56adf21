"""The real parts of the integration tests: a redis-server and Celery worker processes.

Both are started by fixtures (conftest.py) on loopback and stopped after. Every
wait polls with a deadline and fails with what it was waiting for and the
process's log. A missing redis-server fails the tests with how to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from support.venvs import cache_dir

__all__ = ["RedisServer", "Worker", "child_env", "find_redis_server", "wait_for"]

INSTALL_HINT = (
    "redis-server is needed by the Celery integration tests (tests/celery) and was not found. "
    "Install it: `apt-get install redis-server` (Debian/Ubuntu), or run `bash .ci/redis-server`, "
    "which installs it if missing and prints its path; or set TYPEDSIGNALS_REDIS_SERVER to it."
)


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a Python child process: ours, ``extra``, and a bytecode cache.

    Workers and senders import Celery, pydantic and Django afresh; cached
    bytecode (kept in the test cache, never in the tree) makes that ~4x faster.
    """
    env = {**os.environ, **extra, "PYTHONPYCACHEPREFIX": str(cache_dir("pycache"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def wait_for(
    predicate: Callable[[], object],
    what: str,
    *,
    timeout: float = 60,
    details: Callable[[], str] = lambda: "",
) -> None:
    """Poll ``predicate`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # not there yet (a connection refused, a file half-written)
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{details()}")
        time.sleep(0.05)  # a poll interval, not a synchronisation


#: Where Debian puts it, for a PATH without /usr/bin or /usr/sbin.
KNOWN_PLACES = ("/usr/bin/redis-server", "/usr/sbin/redis-server")


#: Installs Debian's redis-server when it is missing (as .ci/run does) and prints its path.
INSTALLER = Path(__file__).resolve().parents[2] / ".ci" / "redis-server"


def _runnable(candidate: str | None) -> bool:
    return bool(candidate) and Path(str(candidate)).is_file() and os.access(str(candidate), os.X_OK)


def find_redis_server() -> str:
    """The redis-server executable, installed if missing, or a test failure saying how.

    ``uv run pytest`` on a fresh machine sets it up as ``.ci/run`` does: the
    installer uses apt-get where it can, and fails loudly where it cannot.
    """
    found = os.environ.get("TYPEDSIGNALS_REDIS_SERVER") or shutil.which("redis-server")
    for candidate in [found, *KNOWN_PLACES]:
        if _runnable(candidate):
            return str(candidate)
    if INSTALLER.is_file():
        done = subprocess.run(
            ["bash", str(INSTALLER)], capture_output=True, text=True, timeout=900, check=False
        )
        installed = done.stdout.strip()
        if done.returncode == 0 and _runnable(installed):
            return installed
        pytest.fail(f"{INSTALL_HINT}\n{INSTALLER} failed:\n{done.stderr}", pytrace=False)
    pytest.fail(INSTALL_HINT, pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


class RedisServer:
    """A redis-server on a free loopback port, no persistence, in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.executable = find_redis_server()
        self.port = _free_port()
        self.log = directory / "redis.log"
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(directory),
             "--logfile", str(self.log), "--daemonize", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        import redis

        self.client = redis.Redis(host="127.0.0.1", port=self.port)
        wait_for(
            lambda: self.process.poll() is None and self.client.ping(),
            f"{self.executable} to answer PING on 127.0.0.1:{self.port}",
            timeout=30,
            details=self.log_text,
        )

    def url(self, db: int) -> str:
        """The URL of database ``db`` on this server."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else "(no redis log)"

    def stop(self) -> None:
        self.client.close()
        _stop(self.process)


class Worker:
    """``celery -A app worker`` in a process of its own (solo pool), logging to a file.

    Arguments:

        app
            The ``-A`` argument: the module holding the Celery app.

        directory
            Where its log goes; also its working directory unless ``cwd``.

        env
            Extra environment (broker URLs, the database file...).

        pythonpath
            Directories the worker imports from.

        queues
            The queues it consumes.
    """

    def __init__(
        self,
        app: str,
        directory: Path,
        env: Mapping[str, str],
        pythonpath: list[Path],
        queues: str = "celery",
    ) -> None:
        self.log = directory / f"worker-{app}.log"
        self.name = f"typedsignals-{uuid.uuid4().hex[:8]}@%h"
        command = [
            sys.executable, "-m", "celery", "-A", app, "worker", "--pool=solo",
            "--concurrency=1", "--without-heartbeat", "--without-mingle", "--without-gossip",
            "--loglevel=INFO", f"--logfile={self.log}", "-n", self.name, "-Q", queues,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=directory,
            env=child_env(
                {
                    **env,
                    "PYTHONPATH": os.pathsep.join(map(str, pythonpath)),
                    "PYTHONUNBUFFERED": "1",
                }
            ),
            stdin=subprocess.DEVNULL,
            stdout=(directory / f"worker-{app}.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        self._out = directory / f"worker-{app}.out"
        wait_for(
            lambda: self._alive() and " ready." in self.log_text(),
            f"the Celery worker for {app} to be ready",
            timeout=60,
            details=self.details,
        )

    def _alive(self) -> bool:
        if self.process.poll() is not None:
            code = self.process.returncode
            pytest.fail(f"The Celery worker exited with {code}.\n{self.details()}")
        return True

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def details(self) -> str:
        out = self._out.read_text() if self._out.exists() else ""
        return f"--- worker log ---\n{self.log_text()}\n--- worker output ---\n{out}"

    def wait_for_log(self, text: str, what: str, timeout: float = 60) -> str:
        """Wait until the worker's log holds ``text``; return the log."""
        wait_for(lambda: self._alive() and text in self.log_text(), what, timeout=timeout,
                 details=self.details)  # fmt: skip
        return self.log_text()

    def stop(self) -> None:
        _stop(self.process)  # SIGTERM: Celery's warm shutdown
