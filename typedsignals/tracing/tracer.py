"""The tracing interceptor: a log line per receiver and per dispatch, and spans.

One ``Tracer`` (``TRACER``) is attached, through ``typedsignals.hooks``, to
every traced signal; it reads its options at each dispatch. The log lines go
to the logger ``typedsignals`` at DEBUG, and are only formatted when that
level is enabled; spans come from ``otel.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import TYPE_CHECKING, Any

from typedsignals import hooks
from typedsignals._utils import Location, locate, logger, unwrap
from typedsignals.introspection import short_repr, signal_label

from .outcome import outcome_of

if TYPE_CHECKING:
    from .otel import DispatchSpan, ReceiverSpan, Spans

__all__ = ["TRACER", "Tracer", "outcome_of"]

_MS = 1e6


def sender_type(sender: object) -> str:
    """The sender's type in words: ``None``, a class's dotted name, or ``instance of X``.

    Arguments:

        sender
            The sender.
    """
    if sender is None:
        return "None"
    if isinstance(sender, type):
        return f"{sender.__module__}.{sender.__qualname__}"
    cls = type(sender)
    return f"instance of {cls.__module__}.{cls.__qualname__}"


class _Trace:
    """A traced dispatch: what its receivers' traces need."""

    __slots__ = ("errors", "label", "log", "receivers", "sender", "span", "started")

    def __init__(self, label: str, log: bool, sender: str, span: DispatchSpan | None) -> None:
        self.label = label
        self.log = log
        self.sender = sender
        self.span = span
        self.receivers = 0
        self.errors = 0
        self.started = time.perf_counter_ns()


class _Call:
    __slots__ = ("name", "span", "started")

    def __init__(self, name: str, span: ReceiverSpan | None) -> None:
        self.name = name
        self.span = span
        self.started = time.perf_counter_ns()


class Tracer(hooks.Interceptor):
    """Logs and spans for each dispatch and each receiver call of the signals it is attached to.

    Attributes:
        log: whether to log (at DEBUG, to the logger ``typedsignals``).
        spans: where spans are started, or None for no spans.
    """

    layer = hooks.TRACE
    sees_receivers = True

    def __init__(self) -> None:
        self.log = True
        self.spans: Spans | None = None
        self._where: weakref.WeakKeyDictionary[Any, Location] = weakref.WeakKeyDictionary()

    def before(self, dispatch: hooks.Dispatch) -> object:
        """Start the dispatch's span.

        Arguments:

            dispatch
                The send beginning.
        """
        log = self.log and logger.isEnabledFor(logging.DEBUG)
        spans = self.spans
        if not log and spans is None:
            return None
        label = signal_label(dispatch.signal)
        sender = short_repr(dispatch.sender) if log else ""
        span = (
            spans.dispatch(dispatch.method, label, sender_type(dispatch.sender)) if spans else None
        )
        return _Trace(label, log, sender, span)

    def after(
        self,
        dispatch: hooks.Dispatch,
        responses: hooks.Pairs | None,
        error: BaseException | None,
    ) -> None:
        """Log the dispatch's outcome and end its span.

        Arguments:

            dispatch
                The send ending.

            responses
                What it returns, or None.

            error
                What it raises, or None.
        """
        trace = dispatch.notes.get(self)
        if not isinstance(trace, _Trace):
            return
        skipped = any(note is hooks.SKIP for note in dispatch.notes.values())
        outcome = "skipped" if skipped and error is None else outcome_of(error)
        if trace.span is not None:
            trace.span.finish(outcome, error, trace.receivers, trace.errors)
        if trace.log:
            elapsed = (time.perf_counter_ns() - trace.started) / _MS
            detail = f" {error!r}" if error is not None else ""
            logger.debug(
                "%s %s from %s: %s%s, %d receivers (%d failed) in %.3f ms",
                dispatch.method,
                trace.label,
                trace.sender,
                outcome,
                detail,
                trace.receivers,
                trace.errors,
                elapsed,
                extra={
                    "signal": trace.label,
                    "sender": dispatch.sender,
                    "outcome": outcome,
                    "duration_ms": elapsed,
                },
            )

    def before_receiver(
        self, dispatch: hooks.Dispatch, receiver: hooks.Receiver, is_async: bool
    ) -> object:
        """Start the receiver's span (a child of the dispatch's).

        Arguments:

            dispatch
                The send calling it.

            receiver
                The receiver about to run.

            is_async
                Whether it is an async receiver.
        """
        trace = dispatch.notes.get(self)
        if not isinstance(trace, _Trace):
            return None
        where = self._locate(receiver)
        name = f"{where.module}.{where.qualname}" if where.module else where.qualname
        span = trace.span.receiver(name, where, is_async) if trace.span is not None else None
        return _Call(name, span)

    def after_receiver(
        self,
        dispatch: hooks.Dispatch,
        receiver: hooks.Receiver,
        note: object,
        response: object,
        error: BaseException | None,
    ) -> None:
        """Log the receiver's outcome and duration, and end its span.

        Arguments:

            dispatch
                The send that called it.

            receiver
                The receiver.

            note
                What ``before_receiver`` returned.

            response
                What it returned.

            error
                What it raised, or None.
        """
        trace = dispatch.notes.get(self)
        if not isinstance(trace, _Trace) or not isinstance(note, _Call):
            return
        trace.receivers += 1
        if error is not None and not isinstance(error, asyncio.CancelledError):
            trace.errors += 1
        if note.span is not None:
            note.span.finish(error)
        if trace.log:
            elapsed = (time.perf_counter_ns() - note.started) / _MS
            outcome = outcome_of(error)
            detail = f" {error!r}" if error is not None else ""
            logger.debug(
                "%s %s from %s -> %s: %s%s in %.3f ms",
                dispatch.method,
                trace.label,
                trace.sender,
                note.name,
                outcome,
                detail,
                elapsed,
                extra={
                    "signal": trace.label,
                    "sender": dispatch.sender,
                    "receiver": note.name,
                    "outcome": outcome,
                    "duration_ms": elapsed,
                },
            )

    def _locate(self, receiver: hooks.Receiver) -> Location:
        # Reading a file location costs filesystem calls: once per function.
        target = unwrap(receiver)
        try:
            where = self._where.get(target)
        except TypeError:  # cannot be weakly referenced
            return locate(receiver)
        if where is None:
            where = self._where[target] = locate(receiver)
        return where

    def __repr__(self) -> str:
        return "<typedsignals.tracing tracer>"


#: The one tracer: ``typedsignals.tracing.enable()`` attaches it.
TRACER = Tracer()
