"""What an intercepted signal's methods and receivers are replaced by (see ``hooks.py``).

An intercepted signal's class is, until the last interceptor is detached, a
subclass of its own made for it (``make_class``): its send methods are data
descriptors (``Shadow``), which win over the instance dict, and call the
``before`` of the signal's interceptors, the method the attribute would
resolve to without them (an instance attribute of the signal's own, else the
class's: ``State.resolve``), and their ``after``. Receivers are wrapped
(``Wrapped``, ``AsyncWrapped``) only inside an intercepted dispatch of their
own signal, found in the context variable ``current`` as the dispatcher
resolves them: in the snapshots of a typedsignals ``Signal``
(``deref_wrapper``), in ``_live_receivers`` of Django's own ``Signal``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from types import MethodType
from typing import Any, Final

from ._entries import Deref, DerefWrapper
from ._interception import SKIP, Dispatch, Interceptor, Pairs, Receiver

__all__ = [
    "LIVE",
    "LOG",
    "SEND_METHODS",
    "STATE",
    "AsyncWrapped",
    "Shadow",
    "State",
    "Wrapped",
    "current",
    "deref_wrapper",
    "make_class",
]

#: The class attribute that holds an intercepted signal's state.
STATE: Final = "_typedsignals_hooks"
#: The send methods shadowed while a signal is intercepted.
SEND_METHODS: Final = ("send", "send_robust", "asend", "asend_robust")
_ASYNC_METHODS: Final = frozenset({"asend", "asend_robust"})
#: Also shadowed when present: the robust sends' logger (given the receiver, not its
#: wrapper) and, on Django's own Signal, where its sends find their receivers.
LOG: Final = "_log_robust_failure"
LIVE: Final = "_live_receivers"
_MISSING: Final[Any] = object()


class State:
    """An intercepted signal: its own class, and who intercepts it.

    Attributes:
        signal: the signal.
        original: its class before interception, given back at the end.
        cls: the class made for it while intercepted (``make_class``).
        counts: each interceptor attached, with how many times.
        interceptors: the interceptors, outermost first.
        receiver_hooks: those of them that see receiver calls.
    """

    __slots__ = ("cls", "counts", "interceptors", "original", "receiver_hooks", "signal")

    def __init__(self, signal: object) -> None:
        self.signal = signal
        self.original: type = type(signal)
        self.cls: type = self.original
        self.counts: dict[Interceptor, int] = {}
        self.interceptors: tuple[Interceptor, ...] = ()
        self.receiver_hooks: tuple[Interceptor, ...] = ()

    def resolve(self, signal: object, name: str) -> Any:
        """What ``signal.<name>`` would be without interception: its own, else its class's.

        Arguments:

            signal
                The signal (an instance of ``cls``).

            name
                The method's name.
        """
        if type(signal) is not self.cls:  # its own class given back as this send began
            return getattr(signal, name)
        own = vars(signal).get(name, _MISSING)  # e.g. a specialised send set on the instance
        if own is not _MISSING:
            return own
        # Bound through the original class, not super(cls, signal): another thread
        # may give the signal its class back at any moment.
        return getattr(self.original, name).__get__(signal, self.original)


class Shadow:
    """A data descriptor: it wins over the instance dict, which it leaves alone.

    Reading gives the wrapper bound to the signal; writing and deleting go to
    the instance dict, whose value the wrapper then calls.
    """

    __slots__ = ("function", "name")

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self.name = name
        self.function = function

    def __get__(self, signal: object, owner: type | None = None) -> Any:
        return self if signal is None else MethodType(self.function, signal)

    def __set__(self, signal: object, value: object) -> None:
        vars(signal)[self.name] = value

    def __delete__(self, signal: object) -> None:
        del vars(signal)[self.name]


#: The dispatch whose receivers are being resolved, if its interceptors see receivers.
current: contextvars.ContextVar[Dispatch | None] = contextvars.ContextVar(
    "typedsignals_dispatch", default=None
)


def make_class(state: State, names: list[str]) -> type:
    """The class of ``state``'s signal while intercepted: its own class, ``names`` shadowed.

    Named as its class is, so that messages and reprs are unchanged.

    Arguments:

        state
            The signal's state, kept on the class.

        names
            The methods to shadow.
    """
    original = state.original
    body: dict[str, Any] = {
        "__module__": original.__module__,
        "__qualname__": original.__qualname__,
        "__doc__": original.__doc__,
        STATE: state,
    }
    for name in names:
        if name in SEND_METHODS:
            make = _async_wrapper if name in _ASYNC_METHODS else _sync_wrapper
            body[name] = Shadow(name, make(state, name))
    if LOG in names:
        body[LOG] = Shadow(LOG, _log_wrapper(state))
    if LIVE in names:
        body[LIVE] = Shadow(LIVE, _live_wrapper(state))
    return type(original.__name__, (original,), body)


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
        if isinstance(receiver, Wrapped):
            responses[index] = (receiver.receiver, response)
    return responses


def _sync_wrapper(state: State, name: str) -> Callable[..., Pairs]:
    def intercepted(signal: object, sender: Any, **named: Any) -> Pairs:
        base = state.resolve(signal, name)
        interceptors = state.interceptors
        if not interceptors:  # the last one was detached as this send began
            result: Pairs = base(sender, **named)
            return result
        dispatch = Dispatch(signal, name, sender, named, state.receiver_hooks)
        entered, skip = _enter(interceptors, dispatch)
        token = current.set(dispatch if dispatch.receiver_hooks and not skip else None)
        try:
            try:
                responses = _skipped(signal, named) if skip else _unwrapped(base(sender, **named))
            finally:
                current.reset(token)
        except BaseException as error:
            _leave(entered, dispatch, None, error)
            raise
        _leave(entered, dispatch, responses, None)
        return responses

    intercepted.__name__ = intercepted.__qualname__ = name
    return intercepted


def _async_wrapper(state: State, name: str) -> Callable[..., Awaitable[Pairs]]:
    async def intercepted(signal: object, sender: Any, **named: Any) -> Pairs:
        base = state.resolve(signal, name)
        interceptors = state.interceptors
        if not interceptors:
            result: Pairs = await base(sender, **named)
            return result
        dispatch = Dispatch(signal, name, sender, named, state.receiver_hooks)
        entered, skip = _enter(interceptors, dispatch)
        token = current.set(dispatch if dispatch.receiver_hooks and not skip else None)
        try:
            try:
                if skip:
                    responses = _skipped(signal, named)
                else:
                    responses = _unwrapped(await base(sender, **named))
            finally:
                current.reset(token)
        except BaseException as error:
            _leave(entered, dispatch, None, error)
            raise
        _leave(entered, dispatch, responses, None)
        return responses

    intercepted.__name__ = intercepted.__qualname__ = name
    return intercepted


def _log_wrapper(state: State) -> Callable[[object, Receiver, Exception], None]:
    def log_robust_failure(signal: object, receiver: Receiver, err: Exception) -> None:
        target = receiver.receiver if isinstance(receiver, Wrapped) else receiver
        state.resolve(signal, LOG)(target, err)

    return log_robust_failure


def _live_wrapper(state: State) -> Callable[[object, object], tuple[list[Any], list[Any]]]:
    """Django's ``_live_receivers``, its receivers wrapped inside an intercepted dispatch."""

    def live_receivers(signal: object, sender: object) -> tuple[list[Any], list[Any]]:
        sync, async_ = state.resolve(signal, LIVE)(sender)
        dispatch = current.get()
        if dispatch is None or dispatch.signal is not signal:
            return sync, async_
        hooks = dispatch.receiver_hooks
        return (
            [Wrapped(r, dispatch, hooks) for r in sync],
            [AsyncWrapped(r, dispatch, hooks) for r in async_],
        )

    return live_receivers


def deref_wrapper(state: State) -> DerefWrapper:
    """What the registry wraps each snapshot deref with while receivers are seen."""
    signal = state.signal

    def wrap(deref: Deref, is_async: bool) -> Deref:
        kind = AsyncWrapped if is_async else Wrapped

        def in_dispatch() -> Receiver | None:
            receiver = deref()
            dispatch = current.get()
            if receiver is None or dispatch is None or dispatch.signal is not signal:
                return receiver
            return kind(receiver, dispatch, dispatch.receiver_hooks)

        return in_dispatch

    return wrap


class Wrapped:
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


class AsyncWrapped(Wrapped):
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
