"""What an intercepted signal's methods and receivers are replaced by (see ``hooks.py``).

``make_wrappers`` builds the methods put in an intercepted signal's instance
dict: each calls the ``before`` of the signal's interceptors, the method the
attribute resolved to (``State.base``), and their ``after``. Receivers are
wrapped (``Wrapped``, ``AsyncWrapped``) only inside an intercepted dispatch of
their own signal, found in the context variable ``current`` as the dispatcher
resolves them: in the snapshots of a typedsignals ``Signal``
(``deref_wrapper``), in ``_live_receivers`` of Django's own ``Signal``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from ._entries import Deref, DerefWrapper

if TYPE_CHECKING:
    from .hooks import Interceptor

__all__ = [
    "LIVE",
    "LOG",
    "MISSING",
    "SEND_METHODS",
    "SKIP",
    "AsyncWrapped",
    "Dispatch",
    "State",
    "Wrapped",
    "current",
    "deref_wrapper",
    "make_wrappers",
]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]

#: The send methods shadowed while a signal is intercepted.
SEND_METHODS: Final = ("send", "send_robust", "asend", "asend_robust")
_ASYNC_METHODS: Final = frozenset({"asend", "asend_robust"})
#: Also shadowed when present: the robust sends' logger (given the receiver, not its
#: wrapper) and, on Django's own Signal, where its sends find their receivers.
LOG: Final = "_log_robust_failure"
LIVE: Final = "_live_receivers"
#: What ``State.saved`` holds for a name the instance dict did not have.
MISSING: Final[Any] = object()


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


class State:
    """An intercepted signal: what its instance dict held, and who intercepts it."""

    __slots__ = ("base", "counts", "interceptors", "receiver_hooks", "saved", "signal", "wrappers")

    def __init__(self, signal: object, names: list[str]) -> None:
        self.signal = signal
        held = vars(signal)
        #: What the instance dict held for each shadowed name (MISSING: nothing).
        self.saved: dict[str, Any] = {name: held.get(name, MISSING) for name in names}
        #: What each name resolved to: what the wrappers call.
        self.base: dict[str, Any] = {name: getattr(signal, name) for name in names}
        self.counts: dict[Interceptor, int] = {}
        self.interceptors: tuple[Interceptor, ...] = ()
        self.receiver_hooks: tuple[Interceptor, ...] = ()
        self.wrappers: dict[str, Any] = {}


#: The dispatch whose receivers are being resolved, if its interceptors see receivers.
current: contextvars.ContextVar[Dispatch | None] = contextvars.ContextVar(
    "typedsignals_dispatch", default=None
)


def make_wrappers(state: State) -> dict[str, Any]:
    """The methods to put in the instance dict of ``state``'s signal, by name."""
    wrappers: dict[str, Any] = {}
    for name in SEND_METHODS:
        make = _async_wrapper if name in _ASYNC_METHODS else _sync_wrapper
        wrappers[name] = make(state, name)
    if LOG in state.saved:
        wrappers[LOG] = _log_wrapper(state)
    if LIVE in state.saved:
        wrappers[LIVE] = _live_wrapper(state)
    return wrappers


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
    signal = state.signal

    def intercepted(sender: Any, **named: Any) -> Pairs:
        base = state.base[name]
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
    signal = state.signal

    async def intercepted(sender: Any, **named: Any) -> Pairs:
        base = state.base[name]
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


def _log_wrapper(state: State) -> Callable[[Receiver, Exception], None]:
    def log_robust_failure(receiver: Receiver, err: Exception) -> None:
        target = receiver.receiver if isinstance(receiver, Wrapped) else receiver
        state.base[LOG](target, err)

    return log_robust_failure


def _live_wrapper(state: State) -> Callable[[object], tuple[list[Any], list[Any]]]:
    """Django's ``_live_receivers``, its receivers wrapped inside an intercepted dispatch."""
    signal = state.signal

    def live_receivers(sender: object) -> tuple[list[Any], list[Any]]:
        sync, async_ = state.base[LIVE](sender)
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
