"""The Signal class and the ``@receiver`` decorator.

Django's ``django.dispatch.dispatcher`` with the same public behaviour, generic
in the sender type and the payload (a TypedDict of the keyword arguments
sent). The registry (``registry.py``) decides who receives a send, the
validator (``validation.py``) checks receivers at connect time, and
``asyncdispatch.py`` runs async receivers.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Awaitable, Callable, Hashable, Sequence
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from . import hooks
from ._entries import receiver_key, sender_id
from ._utils import (
    NONE_ID,
    LazyModule,
    describe_callable,
    log_robust_failure,
    resolve,
    sender_key,
    why_not_weak,
)
from .protocols import Receiver, ReceiverDecorator
from .registry import NO_RECEIVERS, ReceiverRegistry
from .typevars import PayloadT, SenderT

__all__ = ["NONE_ID", "NO_RECEIVERS", "Receiver", "Signal", "receiver"]

_ReceiverT = TypeVar("_ReceiverT", bound=Callable[..., Any])

if TYPE_CHECKING:
    from . import asyncdispatch, payload, sendcode, validation, verdicts
else:
    # Loaded on first use: the validator with the first connect or Signal[...],
    # asyncio and asgiref with the first async receiver (README, "Import time").
    asyncdispatch = LazyModule(".asyncdispatch", __package__, globals(), "asyncdispatch")
    payload = LazyModule(".payload", __package__, globals(), "payload")
    sendcode = LazyModule(".sendcode", __package__, globals(), "sendcode")
    validation = LazyModule(".validation", __package__, globals(), "validation")
    verdicts = LazyModule(".verdicts", __package__, globals(), "verdicts")

_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect
# PEP 709 (3.12+): a comprehension runs in its function's frame, so that send can
# call receivers from one (its own frame, as Django does).
_INLINED = sys.version_info >= (3, 12)


def _is_async(receiver: object) -> bool:
    """asgiref's ``iscoroutinefunction``, with a fast path for plain functions and methods.

    A function without a "coroutine function" marker (asgiref's or
    ``inspect.markcoroutinefunction``'s) is one if its code says so; asgiref
    (which imports asyncio) is loaded only for the others.
    """
    func = cast(Any, receiver).__func__ if type(receiver) is MethodType else receiver
    if (
        type(func) is FunctionType
        and not hasattr(func, "_is_coroutine_marker")  # spelled out: a generator costs
        and not hasattr(func, "_is_coroutine")
    ):
        return bool(func.__code__.co_flags & _CO_COROUTINE)
    from asgiref.sync import iscoroutinefunction

    return iscoroutinefunction(receiver)


class Signal(ReceiverRegistry, Generic[SenderT, PayloadT]):
    """A signal: senders notify the receivers connected to it.

    ``Signal[Sender, Payload]()`` declares a typed signal: receivers are
    checked against the sender type and the payload (a TypedDict naming the
    keyword arguments sent) when they connect. ``Signal()`` is untyped and
    behaves as Django's.

    Internal attributes (see also ``ReceiverRegistry``):

        receivers
            Django 6.1's ``[(lookup_key, receiver_or_weakref, sender_ref,
            is_async), ...]``; assign to it (6.1's 4-tuples or 5.2's
            3-tuples) to replace every receiver at once.
        lock
            A re-entrant lock guarding the registry; never held while a
            receiver runs.
        use_caching
            Kept for compatibility: senders' receiver lists are always cached.
        sender_receivers_cache
            Kept for compatibility (Django code clears it); unused.
        name
            The name used in messages and repr, or None.
        validate
            Whether sends check their payload against the payload TypedDict.
    """

    # Read by every send or connect: slots before 3.13, as the registry's (see there).
    if sys.version_info < (3, 13):
        __slots__ = ("_payload_check", "_recent_verdicts", "_sends_settled")

    def __init__(
        self, use_caching: bool = False, *, name: str | None = None, validate: bool = False
    ) -> None:
        """Create a new signal.

        Arguments:

            use_caching
                Accepted for compatibility with Django. Every signal caches
                its receivers per sender, for every kind of sender.

            name
                A name for messages and repr, e.g. ``"pizza_done"``.

            validate
                Check each send's keyword arguments against the payload
                TypedDict with pydantic (strict mode) before any receiver runs.
        """
        super().__init__()
        self.use_caching = use_caching
        self.sender_receivers_cache: dict[Any, Any] = {}
        self.name = name
        self.validate = validate
        self._payload_check: Callable[[dict[str, Any]], None] | None = None
        # False until the first connect has specialised the sends (or found it cannot).
        self._sends_settled = False
        # What verdicts.recall_function tries first (verdicts.py).
        self._recent_verdicts: dict[int, Any] = {}
        if validate:
            self._payload_check = self._first_payload_check
        hooks.created(self)  # process-wide interceptors (tracing) reach new signals too

    def _first_payload_check(self, named: dict[str, Any]) -> None:
        # The type arguments of Signal[S, P]() are attached only after __init__
        # returns, so the checker is built by the first send, once.
        check = payload.payload_checker(self)
        self._payload_check = check
        check(named)

    def __class_getitem__(cls, params: object) -> Any:
        # Refuse a payload that is not a TypedDict where the signal is declared.
        alias = cast(Any, super().__class_getitem__(params))  # type: ignore[misc]
        args = cast("tuple[object, ...]", params) if isinstance(params, tuple) else (params,)
        validation.check_type_arguments(args, cls)
        if type(alias) is _GenericAlias:  # typing's cached alias: made ours once
            alias.__class__ = _SignalAlias
        return alias

    def __repr__(self) -> str:
        return validation.signal_text(self)

    # -- connecting ----------------------------------------------------------------

    def connect(
        self,
        receiver: Callable[..., Any],
        sender: SenderT | None = None,
        weak: bool = True,
        dispatch_uid: Hashable | None = None,
        *,
        check: bool = True,
    ) -> None:
        """Connect receiver to sender for signal.

        Arguments:

            receiver
                A function, method or callable object (sync or async) taking
                ``**kwargs``; it is checked against the signal's types and
                refused with a ``ReceiverError`` that lists every problem.

            sender
                Receive only the sends of this object, or of every sender if
                None. A specific sender is held weakly where it can be, and its
                receivers are dropped when it dies.

            weak
                Hold the receiver by a weak reference (the default): it is
                dropped when nothing else keeps it alive. A bound method lives
                as long as its instance. ``weak=False`` keeps it alive.

            dispatch_uid
                A hashable identifying this receiver instead of its identity;
                a second connect with the same uid and sender is ignored.

            check
                False skips the signature validator (the receiver must still
                be callable), for receivers whose signature cannot be read.
        """
        if (
            type(receiver) is FunctionType
            and sender is None
            and weak
            and check
            and not dispatch_uid
            and self._sends_settled
        ):
            # The commonest connect (a function for every sender), like one this
            # signal accepted before: a module connecting thousands at import.
            is_async = verdicts.recall_function(self, receiver)
            if is_async is not None:
                self._connect_function(receiver, is_async)
                return
        if not callable(receiver):
            raise TypeError(
                f"Signal receivers must be callable. Got {receiver!r} "
                f"({type(receiver).__qualname__}) for {validation.signal_text(self)}."
            )
        if dispatch_uid:
            try:
                hash(dispatch_uid)
            except TypeError:
                raise TypeError(
                    f"dispatch_uid must be hashable; got {type(dispatch_uid).__qualname__} "
                    f"{dispatch_uid!r} for {validation.signal_text(self)}."
                ) from None
        # A receiver like one accepted before (a closure of the same def, a
        # method of another instance) is not read again; recall also tells
        # whether it is a coroutine function.
        is_async = validation.recall(self, receiver, sender) if check else None
        if is_async is None:
            if check:
                validation.check_unremembered(self, receiver, sender)
            is_async = _is_async(receiver)
        if type(receiver) is FunctionType and not dispatch_uid:
            rkey: Hashable = id(receiver)  # receiver_key's commonest case, inlined
        else:
            rkey = receiver_key(receiver, dispatch_uid)
        skey = NONE_ID if sender is None else sender_id(sender)
        try:
            entry = self._new_entry(receiver, rkey, skey, weak, is_async)
        except TypeError:
            if not weak:
                raise
            raise TypeError(
                f"Cannot connect {describe_callable(receiver)} to "
                f"{validation.signal_text(self)} with weak=True: {why_not_weak(receiver)}"
            ) from None
        self._register(entry, sender)
        if not self._sends_settled:
            # The first connect: the type arguments of Signal[S, P]() are known.
            self._sends_settled = sendcode.specialise(self, Signal)

    def disconnect(
        self,
        receiver: Callable[..., Any] | None = None,
        sender: SenderT | None = None,
        dispatch_uid: Hashable | None = None,
    ) -> bool:
        """Disconnect receiver from sender for signal.

        Weak receivers need no disconnect: they go when they die.

        Arguments:

            receiver
                The registered receiver to disconnect. May be None if
                dispatch_uid is given.

            sender
                The sender it was connected for (None: every sender).

            dispatch_uid
                The unique identifier it was connected with.

        Return True if a receiver was disconnected, False if none matched.
        """
        if dispatch_uid:
            try:
                hash(dispatch_uid)
            except TypeError:
                return False
        return self._unregister(receiver_key(receiver, dispatch_uid), sender_id(sender))

    def has_listeners(self, sender: SenderT | None = None) -> bool:
        """Whether any live receiver would receive a send from ``sender``.

        Arguments:

            sender
                The sender to ask about; None asks about receivers of every sender.
        """
        sync, async_ = self._snapshot_for(sender)
        return any(deref() is not None for deref in sync + async_)

    # -- sending -------------------------------------------------------------------

    def send(self, sender: SenderT, **named: Any) -> list[tuple[Callable[..., Any], Any]]:
        """Send signal from sender to all connected receivers.

        A receiver's error propagates, so the receivers after it are not
        called. Sync receivers run first, in connect order, each called from
        this method's own frame (as in Django, so ``warnings.warn(stacklevel=)``
        in a receiver points where Django's would); then the async ones run
        concurrently through asgiref's ``async_to_sync``.

        Arguments:

            sender
                The sender of the signal: a specific object or None.

            named
                Keyword arguments passed to receivers: the payload.

        Return a list of tuple pairs ``[(receiver, response), ...]``.
        """
        if not self._entries and self._payload_check is None:
            return []  # nothing connected: as cheap as Django's first test
        snapshots = self._snapshots
        sync, async_ = (
            snapshots.get(
                id(sender) if type(sender) is not MethodType else sender_key(sender),
                self._any_snapshot,
            )
            if snapshots  # only senders with receivers of their own have an entry
            else self._any_snapshot
        ) or self._load_snapshot(sender_key(sender))
        if self._payload_check is not None:
            self._payload_check(named)
        async_receivers = asyncdispatch.live_for_sync_send(async_, self) if async_ else None
        responses: list[tuple[Callable[..., Any], Any]] = []
        if len(sync) == 1:
            receiver = sync[0]()
            if receiver is not None:
                responses.append((receiver, receiver(signal=self, sender=sender, **named)))
        elif sync:
            # Every receiver alive when the send begins is called, even one that an
            # earlier receiver lets die (Django resolves them all first). One dict
            # serves every call (each receiver's **kwargs is a copy of it) instead of
            # one built and merged per call; signal= in the payload keeps Django's
            # TypeError from each call.
            kwargs = {"signal": self, "sender": sender, **named} if "signal" not in named else None
            if _INLINED and kwargs is not None:
                responses = [(r, r(**kwargs)) for r in [deref() for deref in sync] if r is not None]
            else:
                # responses.append(...) as written is specialised by CPython (3.11+);
                # a local bound method is not.
                for receiver in [*map(resolve, sync)]:
                    if receiver is not None:
                        responses.append(
                            (
                                receiver,
                                receiver(**kwargs)
                                if kwargs is not None
                                else receiver(signal=self, sender=sender, **named),
                            )
                        )
        if async_receivers:
            responses += asyncdispatch.send_from_sync(async_receivers, self, sender, named, None)
        return responses

    def send_robust(self, sender: SenderT, **named: Any) -> list[tuple[Callable[..., Any], Any]]:
        """Send signal from sender to all connected receivers catching errors.

        Arguments:

            sender
                The sender of the signal: any Python object.

            named
                Keyword arguments passed to receivers: the payload.

        Return a list of tuple pairs ``[(receiver, response), ...]``. A
        receiver's ``Exception`` is its response (with ``__traceback__``) and
        is logged at ERROR to the ``typedsignals`` logger; other
        ``BaseException``\\ s propagate. An invalid payload is the sender's
        error and raises ``PayloadError``.
        """
        if not self._entries and self._payload_check is None:
            return []
        sync, async_ = self._snapshot_for(sender)
        if self._payload_check is not None:
            self._payload_check(named)
        async_receivers = asyncdispatch.live_for_sync_send(async_, self) if async_ else None
        responses: list[tuple[Callable[..., Any], Any]] = []
        # One dict for every call, as in send.
        kwargs = {"signal": self, "sender": sender, **named} if "signal" not in named else None
        for receiver in [*map(resolve, sync)]:
            if receiver is None:
                continue
            try:
                response = (
                    receiver(**kwargs)
                    if kwargs is not None
                    else receiver(signal=self, sender=sender, **named)
                )
            except Exception as err:
                self._log_robust_failure(receiver, err)
                response = err
            responses.append((receiver, response))
        if async_receivers:
            responses += asyncdispatch.send_from_sync(
                async_receivers, self, sender, named, self._log_robust_failure
            )
        return responses

    def _log_robust_failure(self, receiver: Callable[..., Any], err: Exception) -> None:
        """Django's hook: log a receiver's error in a robust send (override to change it)."""
        log_robust_failure(receiver, err)

    async def asend(self, sender: SenderT, **named: Any) -> list[tuple[Callable[..., Any], Any]]:
        """Send signal from sender to all connected receivers, in async code.

        The sync receivers run first, in one ``sync_to_async`` hop; then the
        async receivers run concurrently, each in a task of its own, sharing
        one copy of the caller's context (copied back into it afterwards).
        A receiver's error propagates: the first cancels the other async
        receivers; several raise an ``ExceptionGroup``.

        Arguments:

            sender
                The sender of the signal: a specific object or None.

            named
                Keyword arguments passed to receivers: the payload.

        Return a list of tuple pairs ``[(receiver, response), ...]``.
        """
        dispatch = self._asend(sender, named, None)
        return [] if dispatch is None else await dispatch

    async def asend_robust(
        self, sender: SenderT, **named: Any
    ) -> list[tuple[Callable[..., Any], Any]]:
        """Send signal from sender to all connected receivers catching errors, in async code.

        Arguments:

            sender
                The sender of the signal: any Python object.

            named
                Keyword arguments passed to receivers: the payload.

        Return a list of tuple pairs ``[(receiver, response), ...]``; a
        receiver's ``Exception`` is its response. ``KeyboardInterrupt`` and
        ``SystemExit`` propagate; an async receiver that raises
        ``CancelledError`` responds None, as under Django's TaskGroup.
        """
        dispatch = self._asend(sender, named, self._log_robust_failure)
        return [] if dispatch is None else await dispatch

    def _asend(
        self, sender: object, named: dict[str, Any], log: asyncdispatch.Log
    ) -> Awaitable[list[tuple[Callable[..., Any], Any]]] | None:
        """The dispatch ``asend`` awaits, or None if no receiver is live.

        A plain function, not a coroutine: the dispatch is one coroutine fewer.
        """
        if not self._entries and self._payload_check is None:
            return None
        sync, async_ = self._live_receivers(sender)
        if self._payload_check is not None:
            self._payload_check(named)
        if not (sync or async_):
            return None
        return asyncdispatch.asend(sync, async_, self, sender, named, log)

    # -- copying -------------------------------------------------------------------

    def __copy__(self) -> Signal[SenderT, PayloadT]:
        """``copy.copy(signal)``: an independent signal with the same receivers.

        Connects and disconnects on either leave the other as it was; the
        receivers themselves are shared, not copied.
        """
        clone = self._registry_copy()
        clone.sender_receivers_cache = {}
        clone._sends_settled = self._sends_settled  # slots: not in the copied __dict__
        clone._recent_verdicts = {}
        clone._payload_check = clone._first_payload_check if clone.validate else None
        hooks.created(clone, copied_from=self)  # drops the interception copied with __dict__
        return clone

    def __deepcopy__(self, memo: dict[int, Any]) -> Signal[SenderT, PayloadT]:
        """``copy.deepcopy(signal)``: as ``copy.copy`` (receivers are not copied)."""
        clone = memo[id(self)] = self.__copy__()
        return clone


_GenericAlias: Any = getattr(typing, "_GenericAlias")  # noqa: B009  # what Generic[...] makes


class _SignalAlias(_GenericAlias, _root=True):  # type: ignore[misc,call-arg]
    """``Signal[S, P]`` as typing makes it; called, it creates the signal with the class
    compiled for its payload keys (``sendcode.born_class``), so that its first connect
    need not swap it in."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        origin: type = self.__origin__
        cls = origin
        # A subclass's own __init__ may set validate: it swaps at its first connect.
        if cast(Any, origin).__init__ is Signal.__init__ and not kwargs.get("validate"):
            cls = sendcode.born_class(origin, self.__args__, Signal)
        result = cls(*args, **kwargs)
        try:  # noqa: SIM105  # contextlib is not loaded at import (README, "Import time")
            result.__orig_class__ = self
        except Exception:  # as typing's own __call__
            pass
        return result


if TYPE_CHECKING:
    _Signals = Signal[Any, Any] | Sequence[Signal[Any, Any]]


@overload
def receiver(
    signal: Signal[SenderT, Any],
    *,
    sender: SenderT | None = None,
    weak: bool = True,
    dispatch_uid: Hashable | None = None,
    check: bool = True,
) -> ReceiverDecorator[SenderT]: ...
@overload
def receiver(
    signal: Sequence[Signal[Any, Any]],
    *,
    sender: Any = None,
    weak: bool = True,
    dispatch_uid: Hashable | None = None,
    check: bool = True,
) -> ReceiverDecorator[Any]: ...
def receiver(signal: _Signals, **kwargs: Any) -> Callable[[_ReceiverT], _ReceiverT]:
    """A decorator connecting the decorated function to a signal or list of signals.

    Used by passing in the signal (or list of signals) and keyword arguments
    to connect; returns the function unchanged::

        @receiver(post_save, sender=MyModel)
        def signal_receiver(sender, **kwargs): ...

        @receiver([post_save, post_delete], sender=MyModel)
        def signals_receiver(sender, **kwargs): ...

    Every signal is checked before any is connected, so a receiver refused by
    one signal of a list is connected to none.
    """
    signals: list[Any] = list(signal) if isinstance(signal, (list, tuple)) else [signal]
    for s in signals:
        if not isinstance(s, Signal):
            raise TypeError(
                f"receiver() takes a Signal or a list of Signals; got {type(s).__qualname__} {s!r}."
            )

    def _decorator(func: _ReceiverT) -> _ReceiverT:
        if kwargs.get("check", True):
            for s in signals:
                validation.check_receiver(s, func, kwargs.get("sender"))
        for s in signals:
            s.connect(func, **kwargs)
        return func

    return _decorator
