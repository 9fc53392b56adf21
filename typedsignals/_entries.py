"""What the receiver registry stores: entries, sender guards and snapshots.

An entry is one connected receiver; a guard watches a specific sender so
that its receivers go when it dies; a snapshot is what one send calls.

A weakly connected receiver's entry *is* its weak reference (a
``weakref.ref`` subclass with four slots), so that a connect allocates the
entry and the receiver's id and little else (memory per receiver is one of
the benchmark's targets); the reference's death callback receives the entry
itself. Every entry is called as a weak reference is, so a snapshot holds
the entries.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterable
from types import MethodType
from typing import Any, NamedTuple

from ._utils import NONE_ID, make_id, sender_key

__all__ = [
    "EMPTY_SNAPSHOT",
    "GUARDS",
    "RECEIVER_REFS",
    "SENDER_REFS",
    "WEAKREF",
    "Deref",
    "DerefWrapper",
    "Entry",
    "ForeignRefEntry",
    "LookupKey",
    "PinnedSender",
    "ReceiverMethodRef",
    "ReceiverRef",
    "Snapshot",
    "StrongEntry",
    "build_snapshot",
    "lookup_key",
    "make_entry",
    "receiver_key",
    "sender_id",
    "watch_sender",
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


class _EntryFields:
    """What every kind of entry adds to the slots it declares (see ``Entry``)."""

    __slots__ = ()
    rkey: Hashable
    skey: Hashable
    is_async: bool
    seq: int

    @property
    def key(self) -> LookupKey:
        """Django's lookup key, ``(receiver key, sender key)``, made when asked for."""
        return (self.rkey, self.skey)


class ReceiverRef(_EntryFields, weakref.ref):  # type: ignore[type-arg]
    """A weakly connected function (or callable object): its weak reference is its entry."""

    __slots__ = ("is_async", "rkey", "seq", "skey")
    weak = True

    @property
    def ref(self) -> Any:
        """The weak reference itself, as Django's ``receivers`` lists it."""
        return self


class ReceiverMethodRef(_EntryFields, weakref.WeakMethod):  # type: ignore[type-arg]
    """A weakly connected bound method (it lives as long as its instance)."""

    __slots__ = ("is_async", "rkey", "seq", "skey")
    weak = True

    @property
    def ref(self) -> Any:
        """The weak reference itself, as Django's ``receivers`` lists it."""
        return self


#: The weak references that are entries: their death callback receives the entry.
RECEIVER_REFS = (ReceiverRef, ReceiverMethodRef)


class StrongEntry(_EntryFields):
    """A receiver connected with ``weak=False``: held, and returned when called."""

    __slots__ = ("is_async", "receiver", "rkey", "seq", "skey")
    weak = False

    def __init__(self, receiver: Callable[..., Any]) -> None:
        self.receiver = receiver

    def __call__(self) -> Callable[..., Any]:
        return self.receiver

    @property
    def ref(self) -> Any:
        """The receiver itself, as Django's ``receivers`` lists it."""
        return self.receiver


class ForeignRefEntry(_EntryFields):
    """A weak reference made by a ``weakref.ref`` that is not the real one.

    Django's ``test_lazy_model_signal`` patches ``weakref.ref`` and expects a
    weak connect to call it: what it returns is kept, and called as a weak
    reference would be.
    """

    __slots__ = ("is_async", "ref", "rkey", "seq", "skey")
    weak = True

    def __init__(self, ref: Any) -> None:
        self.ref = ref

    def __call__(self) -> Callable[..., Any] | None:
        receiver: Callable[..., Any] | None = self.ref()
        return receiver


#: One connected receiver. Called, it returns the receiver, or None once a
#: weak one has died, so that a snapshot holds the entries themselves.
#:
#: Attributes: ``rkey`` (the receiver's id, or its ``dispatch_uid``), ``skey``
#: (its sender's key, the very object its bucket is keyed by), ``key`` (both,
#: Django's lookup key), ``is_async``, ``seq`` (the connect order across
#: senders, for merging buckets), ``weak``, and ``ref`` (what Django's
#: ``receivers`` lists: the weak reference, or the receiver itself).
Entry = ReceiverRef | ReceiverMethodRef | StrongEntry | ForeignRefEntry

#: ``weakref.ref`` as this module found it (Django's tests patch the module's attribute).
WEAKREF = weakref.ref


def make_entry(
    receiver: Callable[..., Any],
    rkey: Hashable,
    skey: Hashable,
    weak: bool,
    is_async: bool,
    died: Callable[[Any], None],
) -> Entry:
    """The entry of ``receiver``, keyed ``(rkey, skey)``; a weak one's death calls ``died(entry)``.

    Raise ``TypeError`` if ``weak`` and the receiver cannot be weakly referenced.
    """
    entry: Entry
    if not weak:
        entry = StrongEntry(receiver)
    elif isinstance(receiver, MethodType):
        entry = ReceiverMethodRef(receiver, died)
    elif weakref.ref is WEAKREF:  # looked up at each call, as in Django
        entry = ReceiverRef(receiver, died)
    else:
        entry = ForeignRefEntry(weakref.ref(receiver, died))
    entry.rkey = rkey
    entry.skey = skey
    entry.is_async = is_async
    entry.seq = 0
    return entry


#: Wraps one receiver's deref for a snapshot (``hooks.py``): ``wrap(deref, is_async)``.
DerefWrapper = Callable[[Deref, bool], Deref]


def build_snapshot(entries: Iterable[Entry], wrap: DerefWrapper | None = None) -> Snapshot:
    """The snapshot of ``entries``, given in connect order.

    ``wrap``, set only while ``hooks.py`` intercepts receiver calls, replaces
    each entry (its own deref) by its own.
    """
    sync: list[Deref] = []
    async_: list[Deref] = []
    for entry in entries:
        deref: Deref = entry if wrap is None else wrap(entry, entry.is_async)
        (async_ if entry.is_async else sync).append(deref)
    return Snapshot(tuple(sync), tuple(async_))


def receiver_key(receiver: object, dispatch_uid: Hashable | None) -> Hashable:
    """The first half of Django's lookup key: ``dispatch_uid`` (if truthy) or the receiver's id."""
    return dispatch_uid if dispatch_uid else make_id(receiver)


def sender_id(sender: object) -> Hashable:
    """The second half: the sender's key, ``NONE_ID`` itself for None (not a new int)."""
    return NONE_ID if sender is None else sender_key(sender)


def lookup_key(receiver: object, sender: object, dispatch_uid: Hashable | None) -> LookupKey:
    """Django's lookup key: ``dispatch_uid`` (if truthy) or the receiver's id, with the sender's."""
    return (receiver_key(receiver, dispatch_uid), sender_id(sender))
