"""Tracing: a log line and an OpenTelemetry span for every dispatch and every receiver call.

::

    from typedsignals import tracing

    tracing.enable()              # every signal, now and created later
    tracing.enable(pizza_done)    # or some signals only
    with tracing.traced(pizza_done): ...

Each dispatch of a traced signal logs, to the logger ``typedsignals`` at
DEBUG, one line per receiver (its qualified name, outcome and duration) and
one for the dispatch (signal, sender, outcome, receivers, duration); and,
with ``opentelemetry-api`` installed (``pip install 'typedsignals[otel]'``),
makes a span per dispatch with a child span per receiver, async receivers
included, errors recorded on them.

Off, it costs nothing: tracing is an interceptor of ``typedsignals.hooks``,
which leaves an untraced signal untouched. On, a send runs one frame below
its caller and each receiver one frame below the send (so a receiver's
``warnings.warn(stacklevel=...)`` points one or two frames short).

Process-wide tracing reaches every typedsignals ``Signal``, Django's built-in
signals included once typedsignals is swapped in
(``typedsignals.django.swap``). Without the swap, Django's own
``django.dispatch.Signal`` instances are traced when named, and the built-in
ones (``post_save``...) whose module is imported when ``enable()`` runs are
traced by process-wide tracing too: call it once Django is set up (in an
``AppConfig.ready()``). Other signals made with Django's class must be named.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

from typedsignals import hooks
from typedsignals.dispatcher import Signal
from typedsignals.introspection import is_signal

from .tracer import TRACER

__all__ = ["disable", "enable", "is_traced", "traced"]


class _Traced:
    """What is traced: guarded by ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        #: Process-wide tracing is on.
        self.everywhere = False
        #: Signals traced because they were named (held weakly: a traced signal may die).
        self.named: weakref.WeakSet[Any] = weakref.WeakSet()
        #: Django's own built-in signals traced by process-wide tracing.
        self.django: weakref.WeakSet[Any] = weakref.WeakSet()


_traced = _Traced()


def _configure(log: bool, spans: bool | None, tracer_provider: Any) -> None:
    TRACER.log = log
    if spans is False:
        TRACER.spans = None
        return
    try:
        from .otel import Spans
    except ImportError:
        if spans or tracer_provider is not None:
            raise
        TRACER.spans = None  # spans=None: only if OpenTelemetry is installed
        return
    TRACER.spans = Spans(tracer_provider)


def enable(
    *signals: object, log: bool = True, spans: bool | None = None, tracer_provider: Any = None
) -> None:
    """Trace these signals, or every signal if none is named.

    Tracing a signal already traced changes nothing but the options, which
    apply to all tracing (the last ``enable`` sets them).

    Arguments:

        signals
            The signals to trace (typedsignals ``Signal``\\ s or Django's own);
            none: every typedsignals ``Signal``, now and created later, and
            Django's built-in signals already imported.

        log
            Log each dispatch and receiver call to the logger ``typedsignals`` at DEBUG.

        spans
            Make OpenTelemetry spans: None (the default) if ``opentelemetry-api``
            is installed, True to require it (``ImportError`` naming the extra
            otherwise), False for none.

        tracer_provider
            The OpenTelemetry ``TracerProvider`` to use (default: the global one).
    """
    for signal in signals:
        if not is_signal(signal):
            raise TypeError(
                f"tracing.enable() takes signals; got {type(signal).__qualname__} {signal!r}."
            )
    with _traced.lock:
        _configure(log, spans, tracer_provider)
        if not signals:
            if not _traced.everywhere:
                hooks.attach_everywhere(TRACER)
                for signal in _django_builtins():
                    hooks.attach(signal, TRACER)
                    _traced.django.add(signal)
                _traced.everywhere = True
            return
        for signal in signals:
            if signal not in _traced.named:
                hooks.attach(signal, TRACER)
                _traced.named.add(signal)


def disable(*signals: object) -> None:
    """Stop tracing these signals, or all tracing if none is named.

    A named signal that process-wide tracing also traces stays traced until
    process-wide tracing is disabled.

    Arguments:

        signals
            The signals named to ``enable`` earlier; none: every signal, and
            process-wide tracing.
    """
    with _traced.lock:
        for signal in signals or list(_traced.named):
            if signal in _traced.named:
                _traced.named.discard(signal)
                hooks.detach(signal, TRACER)
        if not signals:
            _stop_everywhere()


def _stop_everywhere() -> None:
    with _traced.lock:
        if _traced.everywhere:
            hooks.detach_everywhere(TRACER)
            for signal in list(_traced.django):
                hooks.detach(signal, TRACER)
            _traced.django.clear()
            _traced.everywhere = False


def is_traced(signal: object) -> bool:
    """Whether the sends of ``signal`` are traced now.

    Arguments:

        signal
            Any signal.
    """
    return TRACER in hooks.interceptors(signal)


@contextmanager
def traced(
    *signals: object, log: bool = True, spans: bool | None = None, tracer_provider: Any = None
) -> Generator[None, None, None]:
    """``enable(...)`` for a ``with`` block; after it, tracing is as it was.

    Arguments:

        signals
            As for ``enable``: none traces every signal.

        log
            As for ``enable``.

        spans
            As for ``enable``.

        tracer_provider
            As for ``enable``.
    """
    with _traced.lock:
        options = (TRACER.log, TRACER.spans)
        was_everywhere = _traced.everywhere
        added = [signal for signal in signals if signal not in _traced.named]
    enable(*signals, log=log, spans=spans, tracer_provider=tracer_provider)
    try:
        yield
    finally:
        with _traced.lock:
            if added:
                disable(*added)
            if not signals and not was_everywhere:
                _stop_everywhere()
            TRACER.log, TRACER.spans = options


def _django_builtins() -> list[object]:
    """Django's built-in signals already imported, made with Django's own class."""
    from typedsignals.django.signals import loaded_signals

    return [s for s in loaded_signals().values() if not isinstance(s, Signal)]
