"""``@task_receiver`` in one process: Celery's eager mode and its in-memory transport.

Eager mode runs the task body in this process, after a round trip of the
arguments through the task's serializer (JSON), as a worker would receive
them; the in-memory transport shows the message as it would cross a broker.
A real worker and broker are in test_celery_worker.py.
"""

# ruff: noqa: E501 (the table of refused messages reads best one message a line)

from __future__ import annotations

import dataclasses
import datetime
import decimal
import itertools
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery, _state
from celery.exceptions import ImproperlyConfigured
from celery.result import AsyncResult
from queues import take_messages
from typing_extensions import NotRequired, TypedDict

from typedsignals import PayloadError, ReceiverError, Signal, SignalTypeError
from typedsignals.celery import MessageRefused, TaskReceiver, task_receiver


class Store: ...


class Branch(Store): ...


class Order(TypedDict):
    size: int
    toppings: list[str]
    when: NotRequired[datetime.datetime]
    tags: NotRequired[frozenset[str]]
    note: NotRequired[Any]


_names = itertools.count()


def unique(prefix: str = "unit") -> str:
    """A task name of its own: the in-memory Celery registry outlives each test."""
    return f"tests.celery.{prefix}{next(_names)}"


@pytest.fixture
def app() -> Celery:
    app = Celery("unit", broker="memory://", set_as_current=False)
    app.conf.task_always_eager = True
    return app


@pytest.fixture
def queued() -> Celery:
    """An app that really enqueues, into kombu's in-memory transport."""
    return Celery("queued", broker="memory://", set_as_current=False)


@pytest.fixture
def ordered() -> Signal[type[Store], Order]:
    return Signal[type[Store], Order](name="ordered")


# -- sending ---------------------------------------------------------------------------


def test_the_receiver_gets_the_payload_back_with_its_types(app, ordered) -> None:
    seen: list[dict[str, Any]] = []

    @task_receiver(ordered, app=app, name=unique())
    def kitchen(sender: type[Store], size: int, toppings: list[str], **kwargs: Any) -> int:
        seen.append({"sender": sender, "size": size, "toppings": toppings, **kwargs})
        return size * 2

    when = datetime.datetime(2025, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    [(receiver, result)] = ordered.send(
        Branch, size=12, toppings=["basil"], when=when, tags=frozenset({"hot"}), note={"a": [1]}
    )
    assert isinstance(receiver, TaskReceiver) and receiver.function is kitchen
    assert isinstance(result, AsyncResult)
    assert result.get() == 24  # the receiver's return value is the task's result
    [got] = seen
    assert got["sender"] is Branch  # a class travels by its import path
    assert got["when"] == when and isinstance(got["when"], datetime.datetime)
    assert got["tags"] == frozenset({"hot"}) and isinstance(got["tags"], frozenset)
    assert got["note"] == {"a": [1]}
    assert got["signal"] is ordered


@dataclasses.dataclass
class Point:
    x: int


class Measured(TypedDict):
    amount: decimal.Decimal
    ref: uuid.UUID
    at: Point
    pair: tuple[int, str]
    nested: dict[str, list[Point]]
    maybe: Point | None


def test_what_pydantic_serialises_comes_back_as_its_declared_type(app) -> None:
    measured = Signal[None, Measured](name="measured")
    seen: list[dict[str, Any]] = []
    task_receiver(measured, app=app, name=unique())(lambda **kw: seen.append(kw))
    payload: dict[str, Any] = {
        "amount": decimal.Decimal("1.10"),
        "ref": uuid.UUID(int=7),
        "at": Point(1),
        "pair": (1, "a"),
        "nested": {"k": [Point(2)]},
        "maybe": None,
    }
    measured.send(None, **payload)
    [got] = seen
    del got["signal"], got["sender"]
    assert got == payload
    assert isinstance(got["at"], Point) and isinstance(got["pair"], tuple)


def test_what_crosses_the_broker_is_a_json_message(queued, ordered) -> None:
    @task_receiver(ordered, app=queued, name=unique(), queue="kitchen-json", countdown=30)
    def kitchen(sender: type[Store], **kwargs: Any) -> None: ...

    when = datetime.datetime(2025, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    [(_, result)] = ordered.send(Store, size=1, toppings=[], when=when)
    [message] = take_messages(queued, "kitchen-json")
    assert message.content_type == "application/json"
    assert message.headers["id"] == result.id
    assert message.headers["eta"] is not None  # countdown= went to apply_async
    args, kwargs, _ = message.payload
    assert args == []
    assert kwargs == {
        "typedsignals": 1,
        "signal": "ordered",
        "sender": {"class": f"{__name__}:Store"},
        "payload": {"size": 1, "toppings": [], "when": "2025-05-01T12:30:00Z"},
    }


def test_an_unserialisable_payload_is_the_senders_error_and_nothing_is_enqueued(
    queued, ordered
) -> None:
    calls: list[str] = []
    ordered.connect(lambda **kw: calls.append("before"), weak=False)

    @task_receiver(ordered, app=queued, name=unique(), queue="kitchen-bad")
    def kitchen(sender: type[Store], **kwargs: Any) -> None: ...

    ordered.connect(lambda **kw: calls.append("after"), weak=False)
    with pytest.raises(PayloadError) as caught:
        ordered.send(Store, size="12", toppings=("basil",), note=object(), colour="red")
    assert str(caught.value).splitlines() == [
        "Invalid payload for signal 'ordered' (Signal[type[Store], Order]), for a Celery task:",
        "  - 'colour': unknown key",
        "  - 'size': Input should be a valid integer (got '12')",
        "  - 'toppings': Input should be a valid list (got ('basil',))",
        "  - 'note': cannot be serialised to JSON: Unable to serialize unknown type: "
        "<class 'object'>",
    ]
    assert calls == ["before"]  # receivers before it ran; send() stops at the error
    assert take_messages(queued, "kitchen-bad") == []
    # send_robust makes it that receiver's response, as for any receiver's error.
    responses = ordered.send_robust(Store, size=1)
    assert isinstance(responses[1][1], PayloadError)
    assert "'toppings': missing required key" in str(responses[1][1])
    assert calls == ["before", "before", "after"]
    assert take_messages(queued, "kitchen-bad") == []


def test_an_async_receiver_runs_in_the_task(app, ordered) -> None:
    seen: list[int] = []

    @task_receiver(ordered, app=app, name=unique())
    async def kitchen(sender: type[Store], size: int, **kwargs: Any) -> str:
        seen.append(size)
        return "done"

    [(_, result)] = ordered.send(Store, size=3, toppings=[])
    assert result.get() == "done"
    assert seen == [3]


def test_a_receiver_for_one_sender_is_enqueued_for_that_sender_only(app, ordered) -> None:
    seen: list[type[Store]] = []

    @task_receiver(ordered, sender=Branch, app=app, name=unique())
    def branch_only(sender: type[Branch], **kwargs: Any) -> None:
        seen.append(sender)

    assert ordered.send(Store, size=1, toppings=[]) == []
    ordered.send(Branch, size=1, toppings=[])
    assert seen == [Branch]


class Baked(TypedDict):
    size: int


def record_signal(sender: type[Store], size: int, **kwargs: Any) -> str:
    """A module-level receiver: its task is named after it."""
    return str(kwargs["signal"].name)


def test_a_list_of_signals_gets_one_task_each_and_the_task_receiver_can_be_disconnected(
    app,
) -> None:
    baked = Signal[type[Store], Baked](name="baked")
    boxed = Signal[type[Store], Baked](name="boxed")
    assert task_receiver([baked, boxed], app=app)(record_signal) is record_signal
    name = f"{__name__}.record_signal"
    assert f"{name}[baked]" in app.tasks and f"{name}[boxed]" in app.tasks
    [(proxy, result)] = baked.send(Store, size=1)
    assert result.get() == "baked"
    assert boxed.send(Store, size=1)[0][1].get() == "boxed"
    assert isinstance(proxy, TaskReceiver)
    assert proxy.dispatch_uid == ("typedsignals.celery", f"{name}[baked]")
    assert baked.disconnect(dispatch_uid=proxy.dispatch_uid)
    assert baked.send(Store, size=1) == []
    assert len(boxed.send(Store, size=1)) == 1


def test_signals_that_would_share_a_task_name_are_refused(app) -> None:
    first = Signal[type[Store], Baked]()  # no names: both are labelled by their payload type
    second = Signal[type[Store], Baked]()
    with pytest.raises(ValueError, match="would share a task name"):
        task_receiver([first, second], app=app)(record_signal)
    assert not first.has_listeners() and not second.has_listeners()


def test_a_function_the_worker_cannot_import_needs_a_task_name(app, ordered) -> None:
    def local(sender: type[Store], **kwargs: Any) -> None: ...

    with pytest.raises(ValueError, match=r"cannot name a task for .*<locals>\.local"):
        task_receiver(ordered, app=app)(local)
    with pytest.raises(ValueError, match="cannot name a task for"):
        task_receiver(ordered, app=app)(lambda **kw: None)
    name = unique()
    task_receiver(ordered, app=app, name=name)(local)
    assert name in app.tasks


# -- refused at decoration time --------------------------------------------------------


def test_a_receiver_breaking_the_rules_is_refused_and_nothing_is_registered(app, ordered) -> None:
    name = unique()
    with pytest.raises(ReceiverError) as caught:

        @task_receiver(ordered, app=app, name=name)
        def wants_colour(sender: type[Store], colour: str, **kwargs: Any) -> None: ...

    assert "[receiver-unknown-parameter]" in str(caught.value)
    assert "signal 'ordered'" in str(caught.value)
    assert name not in app.tasks
    assert not ordered.has_listeners(Store)


def test_a_signal_without_runtime_types_is_refused(app) -> None:
    untyped: Signal[Any, Any] = Signal(name="untyped")
    with pytest.raises(SignalTypeError, match="no payload type known at run time"):
        task_receiver(untyped, app=app, name=unique())(lambda **kw: None)
    assert not untyped.has_listeners()


def test_a_type_that_cannot_travel_as_json_is_refused_at_decoration(app) -> None:
    class Plain(TypedDict):
        size: int

    by_instance = Signal[Store, Plain](name="by_instance")  # a Store instance is no JSON
    with pytest.raises(SignalTypeError) as caught:
        task_receiver(by_instance, app=app, name=unique())(lambda **kw: None)
    assert "The sender type" in str(caught.value) and "Store" in str(caught.value)
    assert "cannot travel to a Celery worker as JSON" in str(caught.value)
    assert not by_instance.has_listeners()


@pytest.fixture
def no_current_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_state._tls, "current_app", None)
    monkeypatch.setattr(_state, "default_app", None)
    yield


def test_no_celery_app_is_a_clear_error_at_decoration(no_current_app, ordered) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"found no Celery app: pass app="):
        task_receiver(ordered)
    # Celery's own fallback app ("default", made by celery.current_app) is no app either.
    _state.get_current_app()
    assert _state.default_app is not None
    with pytest.raises(ImproperlyConfigured):
        task_receiver(ordered)
    with pytest.raises(TypeError, match="takes a Celery app"):
        task_receiver(ordered, app="proj.celery")  # type: ignore[call-overload]


def test_the_current_app_is_used_when_none_is_given(no_current_app, ordered) -> None:
    current = Celery("current")  # set_as_current=True, as a project's app is
    current.conf.task_always_eager = True
    name = unique()
    task_receiver(ordered, name=name)(lambda **kw: "ran")
    assert name in current.tasks
    assert ordered.send(Store, size=1, toppings=[])[0][1].get() == "ran"


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"serializer": "pickle"}, ValueError, "only JSON crosses the broker"),
        ({"bind": True}, TypeError, "does not take the Celery option bind="),
        ({"pydantic": True}, TypeError, "does not take the Celery option pydantic="),
        ({"missing_row": "ignore"}, ValueError, "'skip' or 'raise'"),
    ],
)
def test_refused_options(app, ordered, options, error, match) -> None:
    with pytest.raises(error, match=match):
        task_receiver(ordered, app=app, **options)
    assert not ordered.has_listeners()


def test_one_name_for_a_list_of_signals_is_refused(app, ordered) -> None:
    with pytest.raises(TypeError, match="names one task"):
        task_receiver([ordered, ordered], app=app, name="a")


def test_celery_options_reach_the_task(app, ordered) -> None:
    name = unique()
    task_receiver(
        ordered, app=app, name=name, queue="kitchen", max_retries=7, acks_late=True, countdown=3
    )(lambda **kw: None)
    task = app.tasks[name]
    assert (task.max_retries, task.acks_late, task.serializer) == (7, True, "json")
    # Per-message options go to apply_async (Celery deprecates routing on tasks).
    assert "queue" not in type(task).__dict__ and not hasattr(task, "countdown")
    [(proxy, _)] = ordered.send(Store, size=1, toppings=[])
    assert proxy._apply_options == {"queue": "kitchen", "countdown": 3}


# -- the worker side: messages that do not fit -------------------------------------------


def _message(**changes: Any) -> dict[str, Any]:
    message = {
        "typedsignals": 1,
        "signal": "ordered",
        "sender": {"class": f"{__name__}:Store"},
        "payload": {"size": 1, "toppings": ["basil"]},
    }
    message.update(changes)
    return message


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        (_message(payload={"size": "1", "toppings": ["basil"]}), "'size': Input should be a valid integer (got '1')"),
        (_message(payload={"size": 1}), "'toppings': missing required key"),  # an older signal
        (_message(payload={"size": 1, "toppings": [], "colour": "red"}), "'colour': unknown key"),
        (_message(sender={"class": "os:system"}), "'sender': Value error, 'os:system' is not a class"),
        (_message(sender={"class": "subprocess:Popen"}), "is not a subclass of Store"),
        (_message(sender={"class": "not_imported_module:Store"}), "is not imported here"),
        (_message(sender=None), "'sender': Value error, expected a class reference"),
        (_message(signal="other"), "the message is for signal 'other', not 'ordered'"),
        (_message(typedsignals=2), "message format 2; this worker reads 1"),
        (_message(payload=[1]), "the payload is not a JSON object"),
        ({"size": 1, "toppings": []}, "expected the keyword arguments"),
        (_message(payload={"size": 1, "toppings": {"a", "b"}}), "only JSON crosses the broker; found a Python set"),
    ],
)  # fmt: skip
def test_a_message_that_does_not_fit_is_refused_and_logged(
    app, ordered, caplog, kwargs, problem
) -> None:
    name = unique()
    calls: list[object] = []

    @task_receiver(ordered, app=app, name=name)
    def kitchen(sender: type[Store], **kwargs: Any) -> None:
        calls.append(sender)

    with caplog.at_level(logging.ERROR, "typedsignals.celery"):
        result = app.tasks[name].apply(kwargs=kwargs)  # runs the body as a worker would
    assert result.state == "FAILURE"
    assert isinstance(result.result, MessageRefused)
    assert problem in str(result.result), str(result.result)
    assert calls == []
    [record] = [r for r in caplog.records if r.name == "typedsignals.celery"]
    assert record.levelno == logging.ERROR
    text = record.getMessage()
    test = test_a_message_that_does_not_fit_is_refused_and_logged.__name__
    assert (
        f"task receiver {__name__}.{test}.<locals>.kitchen of signal 'ordered' "
        f"(Signal[type[Store], Order]) (task {name}["
    ) in text
    assert problem in text
    assert "the receiver was not called" in text


def test_positional_arguments_are_refused(app, ordered) -> None:
    name = unique()
    task_receiver(ordered, app=app, name=name)(lambda **kw: None)
    result = app.tasks[name].apply(args=[1])
    assert isinstance(result.result, MessageRefused)
    assert "keyword arguments only" in str(result.result)


# -- the worker side: a receiver that raises --------------------------------------------


def test_a_receiver_that_raises_goes_through_celerys_retries_and_is_logged(
    app, ordered, caplog
) -> None:
    name = unique()
    attempts: list[int] = []

    @task_receiver(
        ordered, app=app, name=name, autoretry_for=(ConnectionError,), max_retries=2,
        default_retry_delay=0,
    )  # fmt: skip
    def flaky(sender: type[Store], size: int, **kwargs: Any) -> None:
        attempts.append(size)
        raise ConnectionError("mail server down")

    with caplog.at_level(logging.ERROR, "typedsignals.celery"):
        [(_, result)] = ordered.send(Store, size=5, toppings=[])
    assert attempts == [5, 5, 5]  # the first try and two retries
    assert result.state == "FAILURE"
    assert isinstance(result.result, ConnectionError)
    lines = [r.getMessage() for r in caplog.records if r.name == "typedsignals.celery"]
    assert len(lines) == 3
    for line in lines:
        assert line.startswith(f"Task receiver {__name__}.") and ".<locals>.flaky of signal" in line
        assert f"(task {name}[{result.id}])" in line
        assert "raised ConnectionError('mail server down')" in line
    assert lines[0].endswith("Celery retries it (attempt 1 of 3).")
    assert lines[1].endswith("Celery retries it (attempt 2 of 3).")
    assert lines[2].endswith("the task fails.")


def test_a_refused_message_is_never_retried(app, ordered) -> None:
    name = unique()
    task_receiver(ordered, app=app, name=name, autoretry_for=(Exception,), max_retries=5)(
        lambda **kw: None
    )
    result = app.tasks[name].apply(kwargs=_message(payload={}))
    assert isinstance(result.result, MessageRefused)
    assert result.traceback is not None and "Retry" not in result.traceback


# -- the extra ---------------------------------------------------------------------------


def test_the_core_does_not_import_celery_and_the_extra_is_named_when_missing() -> None:
    core = subprocess.run(
        [sys.executable, "-c", "import sys, typedsignals; print('celery' in sys.modules)"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert core.stdout.strip() == "False"
    missing = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['celery'] = None; import typedsignals.celery"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode != 0
    assert "typedsignals.celery needs Celery and pydantic (celery is missing): " in missing.stderr
    assert "pip install 'typedsignals[celery]'" in missing.stderr
