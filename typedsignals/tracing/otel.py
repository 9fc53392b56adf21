"""OpenTelemetry spans for traced dispatches: one per dispatch, a child per receiver.

Needs ``opentelemetry-api`` (``pip install 'typedsignals[otel]'``); any SDK
or exporter is the application's. The dispatch span is made current while
the send runs, so spans started by sync receivers (and by the code they call)
nest under their receiver's span. The async receivers of a dispatch share one
context (as under Django 6.1), so none of them can make its own span current:
spans they start nest under the dispatch span.
"""

from __future__ import annotations

import asyncio
from typing import Any

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.trace import Span, Status, StatusCode
except ImportError as error:  # pragma: no cover - the extra is installed in the tests
    raise ImportError(
        "typedsignals.tracing needs OpenTelemetry for spans: pip install 'typedsignals[otel]'"
        " (or trace to the logger only: typedsignals.tracing.enable(spans=False))"
    ) from error

from typedsignals import __version__
from typedsignals._utils import Location

from .outcome import outcome_of

__all__ = ["DispatchSpan", "ReceiverSpan", "Spans"]


def _failed(span: Span, error: BaseException | None) -> None:
    if error is not None and not isinstance(error, asyncio.CancelledError):
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))


class ReceiverSpan:
    """The span of one receiver call."""

    __slots__ = ("span", "token")

    def __init__(self, span: Span, current: bool) -> None:
        """Arguments:

        span
            The started span.

        current
            Make it the current span until ``finish`` (sync receivers only).
        """
        self.span = span
        self.token = otel_context.attach(trace.set_span_in_context(span)) if current else None

    def finish(self, error: BaseException | None) -> None:
        """Record the outcome (and the error, if any) and end the span.

        Arguments:

            error
                What the receiver raised, or None.
        """
        if self.token is not None:
            otel_context.detach(self.token)
        self.span.set_attribute("typedsignals.outcome", outcome_of(error))
        _failed(self.span, error)
        self.span.end()


class DispatchSpan:
    """The span of one dispatch, current while the send runs."""

    __slots__ = ("signal", "span", "token", "tracer")

    def __init__(self, tracer: trace.Tracer, span: Span, signal: str) -> None:
        """Arguments:

        tracer
            Where receiver spans are started.

        span
            The started span.

        signal
            The signal's label.
        """
        self.tracer = tracer
        self.span = span
        self.signal = signal
        self.token = otel_context.attach(trace.set_span_in_context(span))

    def receiver(self, name: str, where: Location, is_async: bool) -> ReceiverSpan:
        """Start the span of a receiver call, a child of this one.

        Arguments:

            name
                The receiver's qualified name, ``module.qualname``.

            where
                Where it is defined.

            is_async
                Whether it is an async receiver.
        """
        attributes: dict[str, Any] = {
            "typedsignals.signal": self.signal,
            "typedsignals.receiver": name,
            "typedsignals.receiver.async": is_async,
            "code.function.name": name,
        }
        if where.path is not None and where.line is not None:
            attributes["code.file.path"] = where.path
            attributes["code.line.number"] = where.line
        span = self.tracer.start_span(
            f"receiver {name}",
            context=trace.set_span_in_context(self.span),
            attributes=attributes,
        )
        return ReceiverSpan(span, current=not is_async)

    def finish(
        self, outcome: str, error: BaseException | None, receivers: int, errors: int
    ) -> None:
        """Record the outcome and end the span.

        Arguments:

            outcome
                ``"ok"``, ``"error"`` (the send raised), ``"skipped"`` (muted)
                or ``"cancelled"``.

            error
                What the send raised, or None.

            receivers
                How many receivers it called.

            errors
                How many of them raised (a robust send returns their errors).
        """
        otel_context.detach(self.token)
        self.span.set_attributes(
            {
                "typedsignals.outcome": outcome,
                "typedsignals.receivers": receivers,
                "typedsignals.receiver_errors": errors,
            }
        )
        _failed(self.span, error)
        self.span.end()


class Spans:
    """Starts dispatch spans with a tracer named ``typedsignals``."""

    def __init__(self, tracer_provider: Any = None) -> None:
        """Arguments:

        tracer_provider
            An OpenTelemetry ``TracerProvider``; None: the global one.
        """
        self.tracer = trace.get_tracer("typedsignals", __version__, tracer_provider=tracer_provider)

    def dispatch(self, method: str, signal: str, sender: str) -> DispatchSpan:
        """Start (and make current) the span of a dispatch.

        Arguments:

            method
                ``"send"``, ``"send_robust"``, ``"asend"`` or ``"asend_robust"``.

            signal
                The signal's label.

            sender
                The sender's type, in words.
        """
        span = self.tracer.start_span(
            f"{method} {signal}",
            attributes={
                "typedsignals.signal": signal,
                "typedsignals.method": method,
                "typedsignals.sender": sender,
            },
        )
        return DispatchSpan(self.tracer, span, signal)
