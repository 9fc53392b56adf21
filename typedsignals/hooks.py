"""Intercepting a signal's sends: the one mechanism under the test helpers and tracing.

An *interceptor* (``typedsignals.testing``'s capture and mute, and
``typedsignals.tracing``) is told of every send of the signals it is attached
to: ``before`` and ``after`` the send and, if it asks to, around each receiver
call.

**Zero cost when unused.** A signal nobody intercepts is not touched: its send
path tests no flag. While at least one interceptor is attached, the signal's
``send``, ``send_robust``, ``asend`` and ``asend_robust`` (and
``_log_robust_failure``) are shadowed on the instance
(``signal.__dict__["send"] = wrapper``), each wrapping what the attribute
resolved to at that moment; when the last interceptor is detached, the
instance dict is put back exactly as it was. Code that installs send methods
on an instance itself uses ``set_instance_method``, which keeps both right.

**One dispatcher.** A wrapper calls the signal's own send, so ordering,
snapshots, robust error handling and async concurrency are the dispatcher's,
unchanged. To see each receiver call, the receivers are wrapped where the
dispatcher finds them: for a typedsignals ``Signal``, in the snapshots its
sends use (``ReceiverRegistry._set_deref_wrapper``); for Django's own
``django.dispatch.Signal`` (a project that has not swapped typedsignals in),
by shadowing its ``_live_receivers``. A receiver is wrapped only inside an
intercepted dispatch of its own signal (``_current``), and the responses and
``_log_robust_failure`` are given the receiver itself, never its wrapper.

**Frames.** An intercepted send runs one frame below its caller (the
wrapper); a wrapped receiver runs one frame below the send (``_Wrapped``).

Interceptors may be attached from any thread, nested and overlapping; a
per-process lock guards attaching, and a send reads the interceptors once,
when it begins.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any, ClassVar, Final

from ._entries import Deref, DerefWrapper
from .registry import ReceiverRegistry

__all__ = [
    "MUTE",
    "RECORD",
    "SEND_METHODS",
    "SKIP",
    "TRACE",
    "Dispatch",
    "Interceptor",
    "all_signals",
    "attach",
    "attach_everywhere",
    "created",
    "detach",
    "detach_everywhere",
    "interceptors",
    "origin",
    "set_instance_method",
]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]

#: The send methods shadowed while a signal is intercepted.
SEND_METHODS: Final = ("send", "send_robust", "asend", "asend_robust")
_ASYNC_METHODS: Final = frozenset({"asend", "asend_robust"})
#: Also shadowed when present: the robust sends' logger (given the receiver, not its
#: wrapper) and, on Django's own Signal, where its sends find their receivers.
_LOG: Final = "_log_robust_failure"
_LIVE: Final = "_live_receivers"
#: The instance-dict key of an intercepted signal's state.
_STATE: Final = "_typedsignals_hooks"
_MISSING: Final[Any] = object()

#: Layers, outermost first: what records a send as its caller sees it, what traces
#: it, what mutes it (and may skip the dispatch).
RECORD: Final = 0
TRACE: Final = 1
MUTE: Final = 2


class _Skip:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIP"


#: Returned by ``Interceptor.before`` to call no receiver: the send returns ``[]``.
SKIP: Final = _Skip()


class Dispatch:
    """One intercepted send, as its interceptors see it.

    Attributes:
        signal: the signal being sent.
        method: ``"send"``, ``"send_robust"``, ``"asend"`` or ``"asend_robust"``.
        sender: the sender given to the send.
        named: the keyword arguments given to the send (the payload).
        notes: what each interceptor's ``before`` returned, by interceptor.
        receiver_hooks: the interceptors that see each receiver call of this send.
    """

    __slots__ = ("method", "named", "notes", "receiver_hooks", "sender", "signal")

    def __init__(
        self,
        signal: object,
        method: str,
        sender: object,
        named: dict[str, Any],
        receiver_hooks: tuple[Interceptor, ...],
    ) -> None:
        self.signal = signal
        self.method = method
        self.sender = sender
        self.named = named
        self.notes: dict[Interceptor, object] = {}
        self.receiver_hooks = receiver_hooks


class Interceptor:
    """What an interceptor may do around a send; every method does nothing here.

    ``layer`` orders the interceptors of a signal, lowest outermost
    (``RECORD``, ``TRACE``, ``MUTE``); within a layer, the first attached is
    outermost. An interceptor is compared by identity: attached twice to one
    signal it must be detached twice, but it sees each send once.
    """

    layer: ClassVar[int] = TRACE
    #: True: ``before_receiver`` and ``after_receiver`` run around each receiver call.
    sees_receivers: ClassVar[bool] = False

    def before(self, dispatch: Dispatch) -> object:
        """Called as a send begins; what it returns is kept in ``dispatch.notes[self]``.

        Arguments:

            dispatch
                The send beginning.

        Return ``SKIP`` to call no receiver: the send then returns ``[]`` (a
        ``validate=True`` signal still checks the payload), and the
        interceptors of the layers inside this one are not called.
        """
        return None

    def after(
        self, dispatch: Dispatch, responses: Pairs | None, error: BaseException | None
    ) -> None:
        """Called as a send ends, in the thread or task that sent it.

        Arguments:

            dispatch
                The send ending.

            responses
                What it returns, or None if it raises.

            error
                What it raises, or None.
        """

    def before_receiver(self, dispatch: Dispatch, receiver: Receiver, is_async: bool) -> object:
        """Called (if ``sees_receivers``) before a receiver runs; returns its note.

        Arguments:

            dispatch
                The send calling it.

            receiver
                The receiver about to run.

            is_async
                Whether it is an async receiver (this runs in its task, as its first step).
        """
        return None

    def after_receiver(
        self,
        dispatch: Dispatch,
        receiver: Receiver,
        note: object,
        response: object,
        error: BaseException | None,
    ) -> None:
        """Called (if ``sees_receivers``) once a receiver has returned or raised.

        Arguments:

            dispatch
                The send that called it.

            receiver
                The receiver.

            note
                What ``before_receiver`` returned for this call.

            response
                What it returned (None if it raised).

            error
                What it raised (``CancelledError`` for a cancelled async receiver), or None.
        """


class _State:
    """An intercepted signal: what its instance dict held, and who intercepts it."""

    __slots__ = ("base", "counts", "interceptors", "receiver_hooks", "saved", "signal", "wrappers")

    def __init__(self, signal: object, names: list[str]) -> None:
        self.signal = signal
        held = vars(signal)
        #: What the instance dict held for each shadowed name (_MISSING: nothing).
        self.saved: dict[str, Any] = {name: held.get(name, _MISSING) for name in names}
        #: What each name resolved to: what the wrappers call.
        self.base: dict[str, Any] = {name: getattr(signal, name) for name in names}
        self.counts: dict[Interceptor, int] = {}
        self.interceptors: tuple[Interceptor, ...] = ()
        self.receiver_hooks: tuple[Interceptor, ...] = ()
        self.wrappers: dict[str, Any] = {}


#: The dispatch whose receivers are being resolved, if its interceptors see receivers.
_current: contextvars.ContextVar[Dispatch | None] = contextvars.ContextVar(
    "typedsignals_dispatch", default=None
)
_lock = threading.RLock()
#: Every typedsignals Signal alive (``created``), for the process-wide interceptors.
_signals: weakref.WeakSet[Any] = weakref.WeakSet()
#: Process-wide interceptors, with how many times each was attached everywhere.
_everywhere: dict[Interceptor, int] = {}
#: Where each typedsignals Signal was created: (module, file, line).
_origins: weakref.WeakKeyDictionary[Any, tuple[str, str, int]] = weakref.WeakKeyDictionary()


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
            _restore(vars(signal), state)


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

    Records where it was created (see ``origin``). A copy's instance dict came
    from the original's: interception copied with it is dropped. Then every
    process-wide interceptor is attached.

    Arguments:

        signal
            The signal just created.

        copied_from
            The signal it is a copy of, if it is one.
    """
    where = _origins.get(copied_from) if copied_from is not None else _creator(signal)
    with _lock:
        leftover = vars(signal).get(_STATE)
        if isinstance(leftover, _State) and leftover.signal is not signal:
            _restore(vars(signal), leftover)
        _signals.add(signal)
        if where is not None:
            _origins[signal] = where
        for interceptor in _everywhere:
            attach(signal, interceptor)


def _creator(signal: object) -> tuple[str, str, int] | None:
    """The module, file and line of the code that created ``signal``."""
    frame: FrameType | None = sys._getframe(2)  # pyright: ignore[reportPrivateUsage]
    # Up through Signal.__init__ and the subclasses' (self is the signal), and
    # the typing module's call of a Signal[S, P] alias.
    while frame is not None and (
        frame.f_locals.get("self") is signal
        or frame.f_globals.get("__name__") in ("typing", "typing_extensions")
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
        return _origins.get(signal)
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


def set_instance_method(signal: object, name: str, method: Callable[..., Any] | None) -> None:
    """Set (or, with None, remove) ``signal.__dict__[name]``, interception or not.

    For code that installs methods on a signal instance (a specialised
    ``send``): while the signal is intercepted, its wrapper stays in place and
    calls ``method`` from now on, and ``method`` is what remains once the last
    interceptor is detached.

    Arguments:

        signal
            The signal instance.

        name
            The attribute, e.g. ``"send"``.

        method
            What the instance's attribute is from now on; None removes it (the
            class's method applies again).
    """
    with _lock:
        held = vars(signal)
        state = _state_of(signal)
        if state is None or name not in state.wrappers:
            if method is None:
                held.pop(name, None)
            else:
                held[name] = method
            return
        state.saved[name] = _MISSING if method is None else method
        state.base[name] = (
            getattr(type(signal), name).__get__(signal, type(signal)) if method is None else method
        )


# -- installing and restoring ---------------------------------------------------------


def _state_of(signal: object) -> _State | None:
    state = vars(signal).get(_STATE) if hasattr(signal, "__dict__") else None
    return state if isinstance(state, _State) and state.signal is signal else None


def _install(signal: object) -> _State:
    if not hasattr(signal, "__dict__"):
        raise TypeError(f"Cannot intercept the sends of {signal!r}: it has no instance __dict__.")
    missing = [name for name in SEND_METHODS if not callable(getattr(signal, name, None))]
    if missing:
        raise TypeError(
            f"{signal!r} ({type(signal).__qualname__}) is not a signal: it has no "
            f"{', '.join(missing)} method."
        )
    held = vars(signal)
    leftover = held.get(_STATE)
    if isinstance(leftover, _State):  # copied from another signal (copy.copy)
        _restore(held, leftover)
    extra = [_LOG] if hasattr(signal, _LOG) else []
    if not isinstance(signal, ReceiverRegistry) and hasattr(signal, _LIVE):
        extra.append(_LIVE)
    state = _State(signal, [*SEND_METHODS, *extra])
    for name in SEND_METHODS:
        make = _async_wrapper if name in _ASYNC_METHODS else _sync_wrapper
        state.wrappers[name] = make(state, name)
    if _LOG in state.saved:
        state.wrappers[_LOG] = _log_wrapper(state)
    if _LIVE in state.saved:
        state.wrappers[_LIVE] = _live_wrapper(state)
    held.update(state.wrappers)
    held[_STATE] = state
    return state


def _restore(held: dict[str, Any], state: _State) -> None:
    """Put back what ``held`` (an instance dict) had before ``state`` shadowed it."""
    for name, wrapper in state.wrappers.items():
        if held.get(name) is not wrapper:
            continue  # replaced by someone else meanwhile: theirs stays
        saved = state.saved[name]
        if saved is _MISSING:
            del held[name]
        else:
            held[name] = saved
    if held.get(_STATE) is state:
        del held[_STATE]


def _refresh(state: _State) -> None:
    ordered = sorted(state.counts, key=_layer)  # stable: attach order within a layer
    state.interceptors = tuple(ordered)
    hooks = tuple(i for i in ordered if i.sees_receivers)
    changed = bool(hooks) != bool(state.receiver_hooks)
    state.receiver_hooks = hooks
    signal = state.signal
    if changed and isinstance(signal, ReceiverRegistry):
        # Shadows are in place before receivers are wrapped, and stay until they no
        # longer are: a wrapped receiver is only ever seen by an intercepted send.
        signal._set_deref_wrapper(_deref_wrapper(state) if hooks else None)  # pyright: ignore[reportPrivateUsage]


def _layer(interceptor: Interceptor) -> int:
    return interceptor.layer


# -- the wrappers ---------------------------------------------------------------------


def _enter(
    interceptors: tuple[Interceptor, ...], dispatch: Dispatch
) -> tuple[list[Interceptor], bool]:
    """Call each ``before``, outermost first; return those called, and whether to skip."""
    entered: list[Interceptor] = []
    try:
        for interceptor in interceptors:
            note = interceptor.before(dispatch)
            dispatch.notes[interceptor] = note
            entered.append(interceptor)
            if note is SKIP:
                return entered, True
    except BaseException as error:
        _leave(entered, dispatch, None, error)
        raise
    return entered, False


def _leave(
    entered: list[Interceptor],
    dispatch: Dispatch,
    responses: Pairs | None,
    error: BaseException | None,
) -> None:
    for interceptor in reversed(entered):
        interceptor.after(dispatch, responses, error)


def _skipped(signal: object, named: dict[str, Any]) -> Pairs:
    """A skipped (muted) send: no receiver runs, but a bad payload is still the sender's error."""
    check: Callable[[dict[str, Any]], None] | None = getattr(signal, "_payload_check", None)
    if check is not None:
        check(named)
    return []


def _unwrapped(responses: Pairs) -> Pairs:
    for index, (receiver, response) in enumerate(responses):
        if isinstance(receiver, _Wrapped):
            responses[index] = (receiver.receiver, response)
    return responses


def _sync_wrapper(state: _State, name: str) -> Callable[..., Pairs]:
    signal = state.signal

    def intercepted(sender: Any, **named: Any) -> Pairs:
        base = state.base[name]
        interceptors = state.interceptors
        if not interceptors:  # the last one was detached as this send began
            result: Pairs = base(sender, **named)
            return result
        dispatch = Dispatch(signal, name, sender, named, state.receiver_hooks)
        entered, skip = _enter(interceptors, dispatch)
        token = _current.set(dispatch if dispatch.receiver_hooks and not skip else None)
        try:
            try:
                responses = _skipped(signal, named) if skip else _unwrapped(base(sender, **named))
            finally:
                _current.reset(token)
        except BaseException as error:
            _leave(entered, dispatch, None, error)
            raise
        _leave(entered, dispatch, responses, None)
        return responses

    intercepted.__name__ = intercepted.__qualname__ = name
    return intercepted


def _async_wrapper(state: _State, name: str) -> Callable[..., Awaitable[Pairs]]:
    signal = state.signal

    async def intercepted(sender: Any, **named: Any) -> Pairs:
        base = state.base[name]
        interceptors = state.interceptors
        if not interceptors:
            result: Pairs = await base(sender, **named)
            return result
        dispatch = Dispatch(signal, name, sender, named, state.receiver_hooks)
        entered, skip = _enter(interceptors, dispatch)
        token = _current.set(dispatch if dispatch.receiver_hooks and not skip else None)
        try:
            try:
                if skip:
                    responses = _skipped(signal, named)
                else:
                    responses = _unwrapped(await base(sender, **named))
            finally:
                _current.reset(token)
        except BaseException as error:
            _leave(entered, dispatch, None, error)
            raise
        _leave(entered, dispatch, responses, None)
        return responses

    intercepted.__name__ = intercepted.__qualname__ = name
    return intercepted


def _log_wrapper(state: _State) -> Callable[[Receiver, Exception], None]:
    def log_robust_failure(receiver: Receiver, err: Exception) -> None:
        target = receiver.receiver if isinstance(receiver, _Wrapped) else receiver
        state.base[_LOG](target, err)

    return log_robust_failure


def _live_wrapper(state: _State) -> Callable[[object], tuple[list[Any], list[Any]]]:
    """Django's ``_live_receivers``, its receivers wrapped inside an intercepted dispatch."""
    signal = state.signal

    def live_receivers(sender: object) -> tuple[list[Any], list[Any]]:
        sync, async_ = state.base[_LIVE](sender)
        dispatch = _current.get()
        if dispatch is None or dispatch.signal is not signal:
            return sync, async_
        hooks = dispatch.receiver_hooks
        return (
            [_Wrapped(r, dispatch, hooks) for r in sync],
            [_AsyncWrapped(r, dispatch, hooks) for r in async_],
        )

    return live_receivers


def _deref_wrapper(state: _State) -> DerefWrapper:
    """What the registry wraps each snapshot deref with while receivers are seen."""
    signal = state.signal

    def wrap(deref: Deref, is_async: bool) -> Deref:
        kind = _AsyncWrapped if is_async else _Wrapped

        def in_dispatch() -> Receiver | None:
            receiver = deref()
            dispatch = _current.get()
            if receiver is None or dispatch is None or dispatch.signal is not signal:
                return receiver
            return kind(receiver, dispatch, dispatch.receiver_hooks)

        return in_dispatch

    return wrap


class _Wrapped:
    """A receiver called inside an intercepted dispatch: its interceptors see the call.

    The dispatcher calls it where it calls the receiver, so the receiver runs
    one frame deeper than without interception.
    """

    __slots__ = ("dispatch", "hooks", "receiver")

    def __init__(
        self, receiver: Receiver, dispatch: Dispatch, hooks: tuple[Interceptor, ...]
    ) -> None:
        self.receiver = receiver
        self.dispatch = dispatch
        self.hooks = hooks

    def __call__(self, **named: Any) -> Any:
        dispatch, receiver = self.dispatch, self.receiver
        notes = [(hook, hook.before_receiver(dispatch, receiver, False)) for hook in self.hooks]
        try:
            response = receiver(**named)
        except BaseException as error:
            _receiver_done(notes, dispatch, receiver, None, error)
            raise
        _receiver_done(notes, dispatch, receiver, response, None)
        return response

    def __repr__(self) -> str:
        return f"<intercepted {self.receiver!r}>"


class _AsyncWrapped(_Wrapped):
    """An async receiver inside an intercepted dispatch; seen from its first step to its end."""

    __slots__ = ()

    def __call__(self, **named: Any) -> Any:
        # The receiver is called at the coroutine's first step: a coroutine the
        # dispatcher closes unstarted then leaves no receiver coroutine unawaited.
        return self._run(named)

    async def _run(self, named: dict[str, Any]) -> Any:
        dispatch, receiver = self.dispatch, self.receiver
        notes = [(hook, hook.before_receiver(dispatch, receiver, True)) for hook in self.hooks]
        try:
            response = await receiver(**named)
        except BaseException as error:
            _receiver_done(notes, dispatch, receiver, None, error)
            raise
        _receiver_done(notes, dispatch, receiver, response, None)
        return response


def _receiver_done(
    notes: list[tuple[Interceptor, object]],
    dispatch: Dispatch,
    receiver: Receiver,
    response: object,
    error: BaseException | None,
) -> None:
    for hook, note in reversed(notes):
        hook.after_receiver(dispatch, receiver, note, response, error)
