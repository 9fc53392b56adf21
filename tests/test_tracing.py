"""typedsignals.tracing: log lines, and spans checked with the OpenTelemetry in-memory exporter."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pizza_types import PizzaDone, Store

from typedsignals import Signal, hooks, tracing
from typedsignals.testing import muted


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracing.traced(tracer_provider=provider, log=False):
        yield exporter
    provider.shutdown()


def kitchen(sender: Store, size: int, **kwargs: Any) -> int:
    return size


def burnt(sender: Store, **kwargs: Any) -> None:
    raise ValueError("burnt")


async def oven(sender: Store, **kwargs: Any) -> str:
    await asyncio.sleep(0)
    return "hot"


def make_signal(*receivers: Any) -> Signal[Store, PizzaDone]:
    sig = Signal[Store, PizzaDone](name="pizza_done")
    for receiver in receivers:
        sig.connect(receiver)
    return sig


def spans_by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {span.name: span for span in exporter.get_finished_spans()}


def test_a_span_per_dispatch_and_a_child_per_receiver(exporter: InMemorySpanExporter):
    sig = make_signal(kitchen, burnt, oven)
    responses = sig.send_robust(Store(), size=12, toppings=[])
    assert [r for r, _ in responses] == [kitchen, burnt, oven]
    spans = spans_by_name(exporter)
    assert set(spans) == {
        "send_robust pizza_done",
        f"receiver {__name__}.kitchen",
        f"receiver {__name__}.burnt",
        f"receiver {__name__}.oven",
    }
    dispatch = spans["send_robust pizza_done"]
    assert dispatch.parent is None
    assert dict(dispatch.attributes or {}) == {
        "typedsignals.signal": "pizza_done",
        "typedsignals.method": "send_robust",
        "typedsignals.sender": "instance of pizza_types.Store",
        "typedsignals.outcome": "ok",
        "typedsignals.receivers": 3,
        "typedsignals.receiver_errors": 1,
    }
    for name in ("kitchen", "burnt", "oven"):
        child = spans[f"receiver {__name__}.{name}"]
        assert child.parent is not None and child.parent.span_id == dispatch.context.span_id
        attributes = dict(child.attributes or {})
        assert attributes["typedsignals.signal"] == "pizza_done"
        assert attributes["typedsignals.receiver"] == f"{__name__}.{name}"
        assert attributes["code.file.path"] == __file__
        assert attributes["typedsignals.receiver.async"] is (name == "oven")
    failed = spans[f"receiver {__name__}.burnt"]
    assert failed.attributes["typedsignals.outcome"] == "error"  # type: ignore[index]
    assert failed.status.status_code is StatusCode.ERROR
    assert [event.name for event in failed.events] == ["exception"]
    assert failed.events[0].attributes["exception.type"] == "ValueError"  # type: ignore[index]
    assert spans[f"receiver {__name__}.oven"].attributes["typedsignals.outcome"] == "ok"  # type: ignore[index]


def test_async_dispatch_and_a_send_that_raises(exporter: InMemorySpanExporter):
    sig = make_signal(kitchen, oven)
    asyncio.run(sig.asend(Store(), size=1, toppings=[]))
    spans = spans_by_name(exporter)
    dispatch = spans["asend pizza_done"]
    assert {s.parent.span_id for s in exporter.get_finished_spans() if s.parent} == {
        dispatch.context.span_id
    }
    exporter.clear()
    sig.connect(burnt)
    with pytest.raises(ValueError, match="burnt"):
        sig.send(Store(), size=1, toppings=[])
    dispatch = spans_by_name(exporter)["send pizza_done"]
    assert dispatch.attributes["typedsignals.outcome"] == "error"  # type: ignore[index]
    assert dispatch.status.status_code is StatusCode.ERROR
    assert f"receiver {__name__}.oven" not in spans_by_name(exporter)  # never started


def test_spans_started_by_a_sync_receiver_nest_under_its_span(exporter: InMemorySpanExporter):
    nested = make_signal(kitchen)

    def outer(sender: Store, **kwargs: Any) -> None:
        nested.send(sender, size=2, toppings=[])  # a traced dispatch inside a receiver

    sig = make_signal(outer)
    sig.send(Store(), size=1, toppings=[])
    by_id = {span.context.span_id: span for span in exporter.get_finished_spans()}
    parents = {
        span.name: by_id[span.parent.span_id].name if span.parent else None
        for span in exporter.get_finished_spans()
    }
    outer_name = f"receiver {__name__}.{outer.__qualname__}"
    assert len(by_id) == 4
    assert parents[f"receiver {__name__}.kitchen"] == "send pizza_done"  # the nested dispatch
    assert parents[outer_name] == "send pizza_done"
    nested_dispatch = by_id[
        next(s for s in by_id.values() if s.name == f"receiver {__name__}.kitchen").parent.span_id  # type: ignore[union-attr]
    ]
    assert by_id[nested_dispatch.parent.span_id].name == outer_name  # type: ignore[union-attr]


def test_a_muted_dispatch_is_traced_as_skipped(exporter: InMemorySpanExporter):
    sig = make_signal(kitchen)
    with muted(sig):
        assert sig.send(Store(), size=1, toppings=[]) == []
    (span,) = exporter.get_finished_spans()
    assert span.attributes["typedsignals.outcome"] == "skipped"  # type: ignore[index]
    assert span.attributes["typedsignals.receivers"] == 0  # type: ignore[index]


def test_the_log_lines(caplog: pytest.LogCaptureFixture):
    sig = make_signal(kitchen, burnt)
    store = Store()
    with tracing.traced(sig, spans=False), caplog.at_level(logging.DEBUG, logger="typedsignals"):
        sig.send_robust(store, size=12, toppings=[])
    lines = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert [r.getMessage().split(" in ")[0] for r in lines] == [
        f"send_robust pizza_done from {store!r} -> {__name__}.kitchen: ok",
        f"send_robust pizza_done from {store!r} -> {__name__}.burnt: error ValueError('burnt')",
        f"send_robust pizza_done from {store!r}: ok, 2 receivers (1 failed)",
    ]
    assert all(r.getMessage().endswith(" ms") for r in lines)
    assert [r.outcome for r in lines] == ["ok", "error", "ok"]
    assert lines[0].receiver == f"{__name__}.kitchen"
    assert lines[0].sender is store
    assert isinstance(lines[0].duration_ms, float)


def test_nothing_is_logged_or_traced_when_debug_is_off(caplog: pytest.LogCaptureFixture):
    sig = make_signal(kitchen)
    with tracing.traced(sig, spans=False), caplog.at_level(logging.INFO, logger="typedsignals"):
        assert sig.send(Store(), size=1, toppings=[]) == [(kitchen, 1)]
    assert not caplog.records


def test_enable_and_disable_per_signal_and_process_wide():
    sig, other = make_signal(kitchen), make_signal(kitchen)
    tracing.enable(sig, spans=False)
    try:
        assert tracing.is_traced(sig) and not tracing.is_traced(other)
        tracing.enable()  # process-wide: the others, and signals created later
        later = Signal()
        assert tracing.is_traced(other) and tracing.is_traced(later)
        tracing.disable(sig)  # still traced process-wide
        assert tracing.is_traced(sig)
        with tracing.traced(sig):  # already traced: stays so after the block
            pass
        assert tracing.is_traced(sig)
    finally:
        tracing.disable()
    for signal in (sig, other, later):
        assert not tracing.is_traced(signal)
        assert hooks.interceptors(signal) == ()
    with tracing.traced():
        assert tracing.is_traced(sig)
    assert not tracing.is_traced(sig)
    with pytest.raises(TypeError, match="takes signals; got int"):
        tracing.enable(1)


def test_djangos_own_signals(caplog: pytest.LogCaptureFixture):
    import django.db.models.signals
    from django.db.models.signals import post_save

    sig = django.dispatch.Signal()
    sig.connect(kitchen)
    post_save.connect(kitchen, dispatch_uid="tracing-test")
    try:
        with tracing.traced(spans=False):
            assert tracing.is_traced(post_save)  # a built-in signal, imported already
            assert not tracing.is_traced(sig)  # made with Django's class: must be named
        with tracing.traced(sig, spans=False), caplog.at_level(logging.DEBUG, "typedsignals"):
            assert sig.send(Store(), size=3) == [(kitchen, 3)]
    finally:
        post_save.disconnect(dispatch_uid="tracing-test")
    assert caplog.records[0].getMessage().startswith("send <")
    assert len(caplog.records) == 2
    assert not tracing.is_traced(post_save)


def test_spans_need_opentelemetry_and_say_which_extra():
    code = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "from typedsignals import tracing\n"
        "tracing.enable(spans=None)\n"  # optional: logging only
        "tracing.disable()\n"
        "tracing.enable(spans=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "pip install 'typedsignals[otel]'" in done.stderr, done.stderr
