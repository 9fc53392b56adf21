"""What the receiver registry stores: entries, sender guards and snapshots.

An entry is one connected receiver; a guard watches a specific sender so
that its receivers go when it dies; a snapshot is what one send calls.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterable
from types import MethodType
from typing import Any, NamedTuple

from ._utils import make_id, sender_key

__all__ = [
    "EMPTY_SNAPSHOT",
    "GUARDS",
    "SENDER_REFS",
    "Deref",
    "DerefWrapper",
    "Entry",
    "LookupKey",
    "PinnedSender",
    "Snapshot",
    "build_snapshot",
    "lookup_key",
    "watch_sender",
    "weak_receiver",
]

LookupKey = tuple[Hashable, Hashable]
Deref = Callable[[], Callable[..., Any] | None]


class Snapshot(NamedTuple):
    """The receivers one send will call, fixed when the send begins.

    Each item is a zero-argument callable that returns the receiver, or None
    once a weak receiver has died; sync receivers first, in connect order.
    """

    sync: tuple[Deref, ...]
    async_: tuple[Deref, ...]


EMPTY_SNAPSHOT = Snapshot((), ())


class SenderRef(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to a specific sender, keyed like its bucket."""

    __slots__ = ("key",)
    key: Hashable


class SenderMethodRef(weakref.WeakMethod):  # type: ignore[type-arg]
    """A weak reference to a bound method used as a sender (it lives as long as its instance)."""

    __slots__ = ("key",)
    key: Hashable


SENDER_REFS = (SenderRef, SenderMethodRef)


class PinnedSender:
    """A sender that cannot be weakly referenced, kept alive so its id is not reused.

    Called like a weak reference (it returns the sender), so that it can stand
    in ``receivers`` where Django has ``None``, and a saved list restored later
    pins its sender again.
    """

    __slots__ = ("key", "sender")

    def __init__(self, sender: object, key: Hashable) -> None:
        self.sender = sender
        self.key = key

    def __call__(self) -> object:
        return self.sender


#: Every kind of guard the registry makes for a specific sender.
GUARDS = (*SENDER_REFS, PinnedSender)


def watch_sender(sender: object, sender_id: Hashable, died: Callable[[Any], None]) -> Any:
    """A guard for a specific sender, so that its id cannot be reused unnoticed."""
    try:
        if isinstance(sender, MethodType):
            ref: Any = SenderMethodRef(sender, died)
        else:
            ref = SenderRef(sender, died)
    except TypeError:
        # Not weakly referenceable (an int, a str, a tuple...): keep it alive,
        # which keeps its id from being reused.
        return PinnedSender(sender, sender_id)
    ref.key = sender_id
    return ref


def weak_receiver(receiver: Callable[..., Any], died: Callable[[Any], None]) -> Any:
    """A weak reference to ``receiver`` whose death calls ``died(ref)``."""
    if isinstance(receiver, MethodType):
        return weakref.WeakMethod(receiver, died)
    # Looked up at each call, as in Django (whose tests patch weakref.ref).
    return weakref.ref(receiver, died)


def _strong(receiver: Callable[..., Any]) -> Deref:
    return lambda: receiver


class Entry:
    """One connected receiver.

    Attributes:
        key: Django's lookup key, ``(receiver id or dispatch_uid, sender id)``.
        ref: the receiver itself (``weak=False``) or a weak reference to it.
        deref: returns the receiver, or None once it has died (``ref`` if weak).
        is_async: whether it is a coroutine function.
        seq: the connect order across all senders, for merging buckets.
    """

    __slots__ = ("deref", "is_async", "key", "ref", "seq")

    def __init__(self, key: LookupKey, ref: Any, weak: bool, is_async: bool) -> None:
        self.key = key
        self.ref = ref
        self.deref: Deref = ref if weak else _strong(ref)
        self.is_async = is_async
        self.seq = 0

    @property
    def weak(self) -> bool:
        """Whether ``ref`` is a weak reference."""
        return self.deref is self.ref


#: Wraps one receiver's deref for a snapshot (``hooks.py``): ``wrap(deref, is_async)``.
DerefWrapper = Callable[[Deref, bool], Deref]


def build_snapshot(entries: Iterable[Entry], wrap: DerefWrapper | None = None) -> Snapshot:
    """The snapshot of ``entries``, given in connect order.

    ``wrap``, set only while ``hooks.py`` intercepts receiver calls, replaces
    each entry's deref by its own.
    """
    sync: list[Deref] = []
    async_: list[Deref] = []
    for entry in entries:
        deref = entry.deref if wrap is None else wrap(entry.deref, entry.is_async)
        (async_ if entry.is_async else sync).append(deref)
    return Snapshot(tuple(sync), tuple(async_))


def lookup_key(receiver: object, sender: object, dispatch_uid: Hashable | None) -> LookupKey:
    """Django's lookup key: ``dispatch_uid`` (if truthy) or the receiver's id, with the sender's."""
    if dispatch_uid:
        return (dispatch_uid, sender_key(sender))
    return (make_id(receiver), sender_key(sender))
