"""Intercepting a signal's sends: the one mechanism under the test helpers and tracing.

An *interceptor* (``typedsignals.testing``'s capture and mute, and
``typedsignals.tracing``) is told of every send of the signals it is attached
to: ``before`` and ``after`` the send and, if it asks to, around each receiver
call.

**Zero cost when unused.** A signal nobody intercepts is not touched: its send
path tests no flag. While at least one interceptor is attached, the signal's
class is a subclass made for it whose ``send``, ``send_robust``, ``asend``
and ``asend_robust`` (and ``_log_robust_failure``) are data descriptors
wrapping what the attribute would resolve to without them, read at each send
(an instance attribute of the signal's own, such as a specialised ``send``,
else its class's); when the last interceptor is detached, the signal gets its
own class back. The instance dict is never touched: putting ``send`` in one
instance's dict would add it to the keys every instance of the class shares,
and CPython (3.11+) would then stop specialising ``signal.send`` for all of
them.

**One dispatcher.** A wrapper calls the signal's own send, so ordering,
snapshots, robust error handling and async concurrency are the dispatcher's,
unchanged. To see each receiver call, the receivers are wrapped where the
dispatcher finds them: for a typedsignals ``Signal``, in the snapshots its
sends use (``ReceiverRegistry._set_deref_wrapper``); for Django's own
``django.dispatch.Signal`` (a project that has not swapped typedsignals in),
by shadowing its ``_live_receivers``. A receiver is wrapped only inside an
intercepted dispatch of its own signal, and the responses and
``_log_robust_failure`` are given the receiver itself, never its wrapper.

**Frames.** An intercepted send runs one frame below its caller (the
wrapper); a wrapped receiver runs one frame below the send. The wrappers are
in ``_hookwrappers.py``; this module attaches and detaches.

Interceptors may be attached from any thread, nested and overlapping; a
per-process lock guards attaching, and a send reads the interceptors once,
when it begins.
"""

from __future__ import annotations

import sys
import threading
import weakref
from types import FrameType
from typing import Any

from ._hookwrappers import LIVE, LOG, SEND_METHODS, STATE, State, deref_wrapper, make_class
from ._interception import MUTE, RECORD, SKIP, TRACE, Dispatch, Interceptor, Pairs, Receiver
from .registry import ReceiverRegistry

__all__ = [
    "MUTE",
    "RECORD",
    "SEND_METHODS",
    "SKIP",
    "TRACE",
    "Dispatch",
    "Interceptor",
    "Pairs",
    "Receiver",
    "all_signals",
    "attach",
    "attach_everywhere",
    "created",
    "detach",
    "detach_everywhere",
    "interceptors",
    "origin",
    "replace_class",
]

_lock = threading.RLock()
#: Every typedsignals Signal alive (``created``), for the process-wide interceptors,
#: with where it was created: (module, file, line), or None if unknown.
_signals: weakref.WeakKeyDictionary[Any, tuple[str, str, int] | None] = (
    weakref.WeakKeyDictionary()
)
#: Process-wide interceptors, with how many times each was attached everywhere.
_everywhere: dict[Interceptor, int] = {}


# -- attaching -----------------------------------------------------------------------


def attach(signal: object, interceptor: Interceptor) -> None:
    """Let ``interceptor`` see the sends of ``signal`` until it is detached.

    Arguments:

        signal
            A typedsignals ``Signal``, or Django's own ``django.dispatch.Signal``.

        interceptor
            What sees its sends.

    Raises ``TypeError`` for an object without the four send methods or an
    instance ``__dict__``.
    """
    with _lock:
        state = _state_of(signal) or _install(signal)
        state.counts[interceptor] = state.counts.get(interceptor, 0) + 1
        _refresh(state)


def detach(signal: object, interceptor: Interceptor) -> None:
    """Undo one ``attach(signal, interceptor)``; the last one restores the signal exactly.

    Arguments:

        signal
            The signal it was attached to.

        interceptor
            The interceptor attached.

    Raises ``ValueError`` if it is not attached to that signal.
    """
    with _lock:
        state = _state_of(signal)
        count = state.counts.get(interceptor, 0) if state is not None else 0
        if state is None or not count:
            raise ValueError(f"{interceptor!r} is not attached to {signal!r}.")
        if count == 1:
            del state.counts[interceptor]
        else:
            state.counts[interceptor] = count - 1
        _refresh(state)
        if not state.counts:
            _restore(state)


def attach_everywhere(interceptor: Interceptor) -> None:
    """Attach ``interceptor`` to every typedsignals ``Signal``, now and created later.

    Django's own ``django.dispatch.Signal`` instances are not reached (attach
    them one by one). Counted: each call needs a ``detach_everywhere``.

    Arguments:

        interceptor
            What sees their sends.
    """
    with _lock:
        count = _everywhere.get(interceptor, 0)
        _everywhere[interceptor] = count + 1
        if not count:
            for signal in list(_signals):
                attach(signal, interceptor)


def detach_everywhere(interceptor: Interceptor) -> None:
    """Undo one ``attach_everywhere(interceptor)``.

    Arguments:

        interceptor
            The interceptor attached everywhere.

    Raises ``ValueError`` if it is not attached everywhere.
    """
    with _lock:
        count = _everywhere.get(interceptor, 0)
        if not count:
            raise ValueError(f"{interceptor!r} is not attached to every signal.")
        if count > 1:
            _everywhere[interceptor] = count - 1
            return
        del _everywhere[interceptor]
        for signal in list(_signals):
            state = _state_of(signal)
            if state is not None and interceptor in state.counts:
                detach(signal, interceptor)


def created(signal: object, copied_from: object = None) -> None:
    """Make a new typedsignals ``Signal`` known: ``Signal.__init__`` and copies call this.

    Records where it was created (see ``origin``). A copy of an intercepted
    signal got its class: it is given the original class back. Then every
    process-wide interceptor is attached.

    Arguments:

        signal
            The signal just created.

        copied_from
            The signal it is a copy of, if it is one.
    """
    where = _signals.get(copied_from) if copied_from is not None else _creator(signal)
    with _lock:
        _forget_copied(signal)
        _signals[signal] = where
        for interceptor in _everywhere:
            attach(signal, interceptor)


_CREATING_MODULES = ("typing", "typing_extensions", f"{__package__}.dispatcher")


def _creator(signal: object) -> tuple[str, str, int] | None:
    """The module, file and line of the code that created ``signal``."""
    # 0 is this function, 1 created(), 2 Signal.__init__; then up through the
    # subclasses' __init__ (self is the signal) and the typing module's call of
    # a Signal[S, P] alias (or ours, dispatcher._SignalAlias). Locals are read
    # only for an __init__: they cost.
    frame: FrameType | None = sys._getframe(3)  # pyright: ignore[reportPrivateUsage]
    while frame is not None and (
        frame.f_globals.get("__name__") in _CREATING_MODULES
        or (frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is signal)
    ):
        frame = frame.f_back
    if frame is None:
        return None
    return (str(frame.f_globals.get("__name__", "")), frame.f_code.co_filename, frame.f_lineno)


def origin(signal: object) -> tuple[str, str, int] | None:
    """Where a typedsignals ``Signal`` was created: ``(module, file, line)``; None if unknown.

    Arguments:

        signal
            Any signal (Django's own are not recorded: None).
    """
    try:
        return _signals.get(signal)
    except TypeError:  # not weakly referenceable, or unhashable
        return None


def all_signals() -> list[Any]:
    """Every typedsignals ``Signal`` alive in this process."""
    with _lock:
        return list(_signals)


def interceptors(signal: object) -> tuple[Interceptor, ...]:
    """The interceptors attached to ``signal``, outermost first (``()``: none).

    Arguments:

        signal
            Any signal.
    """
    state = _state_of(signal)
    return state.interceptors if state is not None else ()


# -- installing and restoring ---------------------------------------------------------


def _state_of(signal: object) -> State | None:
    state = type(signal).__dict__.get(STATE)
    return state if isinstance(state, State) and state.signal is signal else None


def _forget_copied(signal: object) -> None:
    """A copy of an intercepted signal has its class made for the original: undo that."""
    leftover = type(signal).__dict__.get(STATE)
    if isinstance(leftover, State) and leftover.signal is not signal:
        signal.__class__ = leftover.original


def _install(signal: object) -> State:
    missing = [name for name in SEND_METHODS if not callable(getattr(signal, name, None))]
    if missing:
        raise TypeError(
            f"{signal!r} ({type(signal).__qualname__}) is not a signal: it has no "
            f"{', '.join(missing)} method."
        )
    _forget_copied(signal)
    names = [*SEND_METHODS]
    if hasattr(signal, LOG):
        names.append(LOG)
    if not isinstance(signal, ReceiverRegistry) and hasattr(signal, LIVE):
        names.append(LIVE)
    state = State(signal)
    try:
        state.cls = make_class(state, names)
        signal.__class__ = state.cls
    except TypeError as error:  # a builtin, a __slots__ class...: no __class__ assignment
        raise TypeError(f"Cannot intercept the sends of {signal!r}: {error}.") from None
    return state


def replace_class(signal: object, cls: type) -> bool:
    """Give ``signal`` the class ``cls``, unless it is intercepted now: then return False.

    For ``Signal``'s specialised sends (``sendcode.py``), which swap classes
    as interception does; the lock keeps the two from undoing each other.

    Arguments:

        signal
            A typedsignals ``Signal``.

        cls
            A subclass of its class.
    """
    with _lock:
        if STATE in type(signal).__dict__:
            return False
        signal.__class__ = cls
        return True


def _restore(state: State) -> None:
    """Give the signal its own class back: its instance dict was never touched."""
    if type(state.signal) is state.cls:
        state.signal.__class__ = state.original


def _refresh(state: State) -> None:
    ordered = sorted(state.counts, key=_layer)  # stable: attach order within a layer
    state.interceptors = tuple(ordered)
    hooks = tuple(i for i in ordered if i.sees_receivers)
    changed = bool(hooks) != bool(state.receiver_hooks)
    state.receiver_hooks = hooks
    signal = state.signal
    if changed and isinstance(signal, ReceiverRegistry):
        # Shadows are in place before receivers are wrapped, and stay until they no
        # longer are: a wrapped receiver is only ever seen by an intercepted send.
        signal._set_deref_wrapper(deref_wrapper(state) if hooks else None)  # pyright: ignore[reportPrivateUsage]


def _layer(interceptor: Interceptor) -> int:
    return interceptor.layer
