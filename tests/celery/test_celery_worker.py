"""Task receivers against a real broker and a real worker: redis-server and ``celery worker``.

Both are started by the fixtures (conftest.py, processes.py) and stopped after.
This process sends; the worker process (pizzeria_worker.py) runs the
receivers, which write their effects as files; each wait polls with a deadline.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
from pathlib import Path
from typing import Any

import pizzeria_worker as pizzeria
import processes
import pytest
from processes import RedisServer, Worker, wait_for

from typedsignals.celery import MessageRefused

WHEN = datetime.datetime(2025, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)


def test_without_redis_server_the_tests_fail_saying_how_to_install_it(monkeypatch) -> None:
    monkeypatch.delenv("TYPEDSIGNALS_REDIS_SERVER", raising=False)
    monkeypatch.setattr(processes.shutil, "which", lambda name: None)
    monkeypatch.setattr(processes, "KNOWN_PLACES", ())
    monkeypatch.setattr(processes, "INSTALLER", processes.INSTALLER.with_name("missing"))
    with pytest.raises(pytest.fail.Exception) as failed:  # a failure, never a skip
        processes.find_redis_server()
    assert "apt-get install redis-server" in str(failed.value)
    assert "bash .ci/redis-server" in str(failed.value)



def test_a_missing_redis_server_is_installed_by_the_ci_script(monkeypatch, tmp_path) -> None:
    server = tmp_path / "redis-server"
    server.write_text("#!/bin/sh\n")
    server.chmod(0o755)
    installer = tmp_path / "install"
    installer.write_text(f"echo installing >&2\necho {server}\n")
    monkeypatch.delenv("TYPEDSIGNALS_REDIS_SERVER", raising=False)
    monkeypatch.setattr(processes.shutil, "which", lambda name: None)
    monkeypatch.setattr(processes, "KNOWN_PLACES", ())
    monkeypatch.setattr(processes, "INSTALLER", installer)
    assert processes.find_redis_server() == str(server)
    installer.write_text("echo 'apt-get: no network' >&2\nexit 1\n")
    with pytest.raises(pytest.fail.Exception) as failed:
        processes.find_redis_server()
    assert "apt-get: no network" in str(failed.value)

def _effect(out: Path, name: str, worker: Worker) -> dict[str, Any]:
    path = out / name
    wait_for(path.exists, f"the worker to write {path}", details=worker.details)
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def test_a_send_runs_the_receiver_in_the_worker(kitchen_worker) -> None:
    worker, out = kitchen_worker
    [(_, result)] = pizzeria.order_placed.send(
        pizzeria.Kitchen, size=12, toppings=["basil"], when=WHEN
    )
    assert result.get(timeout=60) == "baked 12"
    effect = _effect(out, "baked-12.json", worker)
    assert effect == {
        "pid": worker.process.pid,  # the worker's process, not this one
        "sender": "Kitchen",
        "toppings": ["basil"],
        "when": "2025-05-01T12:30:00+00:00",
        "signal": "order_placed",
    }
    assert effect["pid"] != os.getpid()
    worker.wait_for_log(f"Task pizzeria_worker.bake[{result.id}] succeeded", "Celery's success log")


def test_only_json_crosses_the_broker(kitchen_worker, redis_server: RedisServer) -> None:
    [(_, result)] = pizzeria.order_parked.send(pizzeria.Kitchen, size=1, toppings=[], when=WHEN)
    raw = redis_server.client.lpop("parked")  # kombu's redis transport: a list per queue
    assert raw is not None
    envelope = json.loads(raw)
    assert envelope["content-type"] == "application/json"
    assert envelope["headers"]["id"] == result.id
    body = json.loads(base64.b64decode(envelope["body"]))
    assert body[0] == []
    assert body[1] == {
        "typedsignals": 1,
        "signal": "order_parked",
        "sender": {"class": "pizzeria_worker:Kitchen"},
        "payload": {"size": 1, "toppings": [], "when": "2025-05-01T12:30:00Z"},
    }


def test_a_receiver_that_raises_is_retried_by_celery(kitchen_worker) -> None:
    worker, out = kitchen_worker
    [(_, result)] = pizzeria.order_flaky.send(pizzeria.Kitchen, size=3, toppings=[], when=WHEN)
    assert result.get(timeout=60) == "done after 3"
    assert (out / "attempts-3").read_text() == "xxx"
    log = worker.wait_for_log(f"Task pizzeria_worker.flaky[{result.id}] succeeded",
                              "Celery's success log")  # fmt: skip
    where = (
        "Task receiver pizzeria_worker.flaky of signal 'order_flaky' "
        f"(Signal[type[Kitchen], Order]) (task pizzeria_worker.flaky[{result.id}])"
    )
    for attempt in (1, 2):
        assert (
            f"{where} raised ConnectionError('oven cold (try {attempt})'): "
            f"Celery retries it (attempt {attempt} of 3)."
        ) in log
    assert f"Task pizzeria_worker.flaky[{result.id}] retry: Retry in 0s" in log


def test_a_receiver_that_fails_is_logged_with_the_signal_and_receiver(
    kitchen_worker,
) -> None:
    worker, _ = kitchen_worker
    [(_, result)] = pizzeria.order_doomed.send(pizzeria.Kitchen, size=4, toppings=[], when=WHEN)
    with pytest.raises(RuntimeError, match="the oven is on fire"):
        result.get(timeout=60)
    assert result.state == "FAILURE"
    log = worker.wait_for_log(f"Task pizzeria_worker.doomed[{result.id}] raised unexpected",
                              "Celery's failure log")  # fmt: skip
    assert (
        "Task receiver pizzeria_worker.doomed of signal 'order_doomed' "
        f"(Signal[type[Kitchen], Order]) (task pizzeria_worker.doomed[{result.id}]) "
        "raised RuntimeError('the oven is on fire'): the task fails."
    ) in log


def test_a_tampered_message_is_refused_by_the_worker(kitchen_worker) -> None:
    worker, out = kitchen_worker
    tampered = {
        "typedsignals": 1,
        "signal": "order_placed",
        "sender": {"class": "pizzeria_worker:Kitchen"},
        "payload": {"size": "13; DROP TABLE", "toppings": [], "when": "2025-05-01T12:30:00Z"},
    }
    result = pizzeria.app.send_task("pizzeria_worker.bake", kwargs=tampered)
    with pytest.raises(MessageRefused) as refused:
        result.get(timeout=60)
    assert "'size': Input should be a valid integer (got '13; DROP TABLE')" in str(refused.value)
    log = worker.wait_for_log(f"Task pizzeria_worker.bake[{result.id}] raised expected",
                              "Celery's log of the refusal")  # fmt: skip
    assert (
        "Refused a message for task receiver pizzeria_worker.bake of signal 'order_placed' "
        f"(Signal[type[Kitchen], Order]) (task pizzeria_worker.bake[{result.id}]): "
        "the receiver was not called."
    ) in log
    assert not list(out.glob("baked-13*"))


def test_an_older_version_of_the_signal_is_refused(kitchen_worker) -> None:
    older = {  # before the signal had "when"
        "typedsignals": 1,
        "signal": "order_placed",
        "sender": {"class": "pizzeria_worker:Kitchen"},
        "payload": {"size": 14, "toppings": []},
    }
    result = pizzeria.app.send_task("pizzeria_worker.bake", kwargs=older)
    with pytest.raises(MessageRefused, match="'when': missing required key"):
        result.get(timeout=60)


def test_a_pickled_message_is_never_unpickled(kitchen_worker) -> None:
    worker, out = kitchen_worker
    pickled = {  # pickle would carry a Python class and a datetime as they are
        "typedsignals": 1,
        "signal": "order_placed",
        "sender": pizzeria.Kitchen,
        "payload": {"size": 15, "toppings": [], "when": WHEN},
    }
    result = pizzeria.app.send_task("pizzeria_worker.bake", kwargs=pickled, serializer="pickle")
    worker.wait_for_log("Refusing to deserialize untrusted content of type pickle",
                        "the worker to refuse the pickled message")  # fmt: skip
    assert result.state == "PENDING"  # never run
    assert not list(out.glob("baked-15*"))


def test_a_task_the_worker_does_not_know_is_logged_and_dropped(kitchen_worker) -> None:
    worker, _ = kitchen_worker
    pizzeria.app.send_task("pizzeria_worker.never_imported", kwargs={})
    worker.wait_for_log("Received unregistered task of type 'pizzeria_worker.never_imported'",
                        "Celery's unregistered-task error")  # fmt: skip
