"""The receiver registry: who is connected, for which sender, and for how long.

This is the part of a signal that Django calls ``receivers`` and
``_live_receivers``. It differs from Django's list in four ways, each a fix:

* Entries live in dicts keyed by their lookup key, so connect and disconnect
  cost O(1) instead of a scan of every receiver.
* Receivers are grouped by sender, and each sender's dispatch list (a
  *snapshot*) is built once and reused, so a send costs in proportion to the
  receivers that match its sender, with ``use_caching`` on or off.
* A weak receiver's death is reported by the weak reference's own callback,
  which dies with the entry: no ``weakref.finalize`` outlives a disconnect.
* A specific sender is watched (weakly where it can be, otherwise kept alive):
  when it dies its receivers go, so they never fire for a new object that
  happens to reuse its ``id()``.

Weakref callbacks run during garbage collection, possibly while this very
thread holds the lock: they record the death, then purge only if the lock is
free; otherwise the lock's holder purges on its way out.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Iterable
from types import MethodType
from typing import Any, NamedTuple, cast

from ._utils import NONE_ID, make_id, sender_key

__all__ = ["NO_RECEIVERS", "LookupKey", "ReceiverRegistry", "Snapshot"]

#: Django's marker for "this sender has no receivers" in ``sender_receivers_cache``.
NO_RECEIVERS: Any = object()

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


class _ReceiverRef(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to a receiver that knows its registry entry."""

    __slots__ = ("key",)
    key: LookupKey


class _ReceiverMethodRef(weakref.WeakMethod):  # type: ignore[type-arg]
    """A weak reference to a bound-method receiver that knows its entry."""

    __slots__ = ("key",)
    key: LookupKey


class _SenderRef(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to a specific sender, keyed like its bucket."""

    __slots__ = ("key",)
    key: Hashable


class _SenderMethodRef(weakref.WeakMethod):  # type: ignore[type-arg]
    __slots__ = ("key",)
    key: Hashable


def _strong(receiver: Callable[..., Any]) -> Deref:
    return lambda: receiver


class _Entry:
    """One connected receiver.

    Attributes:
        key: Django's lookup key, ``(receiver id or dispatch_uid, sender id)``.
        ref: the receiver itself (``weak=False``) or a weak reference to it.
        is_async: whether calling it returns an awaitable.
        deref: returns the receiver, or None when it has died.
        seq: the connect order across all senders, for merging buckets.
    """

    __slots__ = ("deref", "is_async", "key", "ref", "seq")

    def __init__(self, key: LookupKey, ref: Any, is_async: bool, seq: int) -> None:
        self.key = key
        self.ref = ref
        self.is_async = is_async
        self.deref: Deref = ref if isinstance(ref, weakref.ReferenceType) else _strong(ref)
        self.seq = seq


def _build(entries: Iterable[_Entry]) -> Snapshot:
    sync: list[Deref] = []
    async_: list[Deref] = []
    for entry in entries:
        (async_ if entry.is_async else sync).append(entry.deref)
    return Snapshot(tuple(sync), tuple(async_))


class ReceiverRegistry:
    """Receiver storage and lifecycle, the base of :class:`~typedsignals.Signal`.

    Internal attributes (all guarded by ``lock`` for writing):

        lock
            A ``threading.Lock``; never held while a receiver runs.
        _entries
            ``{lookup_key: _Entry}`` in connect order: the source of truth.
        _buckets
            ``{sender_key: {lookup_key: _Entry}}``; ``NONE_ID`` holds the
            receivers of every sender.
        _senders
            ``{sender_key: weak reference or the sender}`` for specific senders.
        _snapshots
            ``{sender_key: Snapshot or None}``: one item per specific sender,
            None while stale. Read without the lock by send().
        _any_snapshot
            The snapshot of a sender with no specific receivers, or None.
        _dead
            Lookup keys and sender keys reported dead by weakref callbacks.
    """

    lock: threading.Lock

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._entries: dict[LookupKey, _Entry] = {}
        self._buckets: dict[Hashable, dict[LookupKey, _Entry]] = {}
        self._senders: dict[Hashable, Any] = {}
        self._snapshots: dict[Hashable, Snapshot | None] = {}
        self._any_snapshot: Snapshot | None = EMPTY_SNAPSHOT
        self._dead: list[LookupKey | tuple[None, Hashable]] = []
        self._seq = 0

    # -- Django's ``receivers`` list -------------------------------------------------

    @property
    def receivers(self) -> list[tuple[LookupKey, Any, bool]]:
        """The live receivers as Django's ``(lookup_key, receiver_or_weakref, is_async)``.

        A new list each time: assign to this attribute to replace the
        receivers (as ``factory_boy.mute_signals`` does); mutating the list
        returned has no effect.
        """
        with self.lock:
            self._purge()
            return [(e.key, e.ref, e.is_async) for e in self._entries.values()]

    @receivers.setter
    def receivers(self, triples: Iterable[tuple[LookupKey, Any, bool]]) -> None:
        items = list(triples)  # a generator must not be consumed under the lock
        with self.lock:
            self._purge()
            entries: list[_Entry] = []
            for key, item, is_async in items:
                weak = isinstance(item, weakref.ReferenceType)
                ref = self._adopt_ref(key, item) if weak else item
                if ref is None:
                    continue  # died while it was set aside
                entries.append(_Entry(key, ref, bool(is_async), 0))
            self._entries.clear()
            self._buckets.clear()
            self._snapshots = {}
            for entry in entries:
                if entry.key not in self._entries:
                    self._add(entry)
            # Weak guards stay (they clean themselves up when their sender
            # dies), so a list saved earlier is restored with its protection;
            # a strong guard without receivers would keep its sender forever.
            for sender_id, guard in list(self._senders.items()):
                if sender_id not in self._buckets and not isinstance(guard, weakref.ReferenceType):
                    del self._senders[sender_id]
            self._invalidate(every_sender=True)

    def _adopt_ref(self, key: LookupKey, ref: Any) -> Any:
        """Reuse our own weak reference, or re-wrap a foreign one with our callback."""
        if (
            isinstance(ref, (_ReceiverRef, _ReceiverMethodRef))
            and ref.key == key
            and ref.__callback__ == self._receiver_died
        ):
            # Ours, but it may have died while the list was set aside: its
            # callback has fired already, so nothing would ever purge it, and
            # its key would refuse a new receiver that reuses the dead one's id.
            return ref if ref() is not None else None
        target = cast("Callable[..., Any] | None", ref())
        if target is None:
            return None
        return self._weak(target, key)

    # -- connect / disconnect ------------------------------------------------------

    def _weak(self, receiver: Callable[..., Any], key: LookupKey) -> Any:
        """A weak reference to ``receiver`` whose death reports ``key``."""
        if isinstance(receiver, MethodType):
            ref: Any = _ReceiverMethodRef(receiver, self._receiver_died)
        else:
            ref = _ReceiverRef(receiver, self._receiver_died)
        ref.key = key
        return ref

    def _register(
        self, key: LookupKey, ref: Any, is_async: bool, sender: object
    ) -> None:
        """Add a receiver unless its lookup key is taken (Django keeps the first)."""
        with self.lock:
            if self._dead:
                self._purge()
            if key in self._entries:
                return  # Django keeps the first receiver of a lookup key
            sender_id = key[1]
            if sender_id != NONE_ID and sender_id not in self._senders:
                self._senders[sender_id] = self._watch(sender, sender_id)
            self._add(_Entry(key, ref, is_async, 0))
            self._invalidate(every_sender=sender_id == NONE_ID, sender=sender_id)
        if self._dead:
            self._purge_now()  # a death reported while we held the lock

    def _unregister(self, key: LookupKey) -> bool:
        with self.lock:
            if self._dead:
                self._purge()
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._drop_from_bucket(entry)
                self._invalidate(every_sender=key[1] == NONE_ID, sender=key[1])
        if self._dead:
            self._purge_now()  # a death reported while we held the lock
        return entry is not None

    def _add(self, entry: _Entry) -> None:
        # Lock held. Restored entries keep their list order through seq.
        if entry.seq == 0:
            self._seq += 1
            entry.seq = self._seq
        self._entries[entry.key] = entry
        self._buckets.setdefault(entry.key[1], {})[entry.key] = entry
        if entry.key[1] != NONE_ID:
            self._snapshots.setdefault(entry.key[1], None)

    def _drop_from_bucket(self, entry: _Entry) -> None:
        sender_id = entry.key[1]
        bucket = self._buckets.get(sender_id)
        if bucket is not None:
            bucket.pop(entry.key, None)
            if not bucket:
                del self._buckets[sender_id]
                self._snapshots.pop(sender_id, None)
                # A weak guard stays until its sender dies, as in the receivers
                # setter: a list saved earlier (mute_signals) and restored after
                # a disconnect keeps its protection. A strong guard would keep
                # its sender alive forever, so it goes with the last receiver.
                guard = self._senders.get(sender_id)
                if sender_id != NONE_ID and not isinstance(guard, weakref.ReferenceType):
                    self._senders.pop(sender_id, None)

    def _watch(self, sender: object, sender_id: Hashable) -> Any:
        """Keep an eye on a specific sender so its id cannot be reused unnoticed."""
        try:
            if isinstance(sender, MethodType):
                ref: Any = _SenderMethodRef(sender, self._sender_died)
            else:
                ref = _SenderRef(sender, self._sender_died)
        except TypeError:
            # Not weakly referenceable (None, int, str, tuple...): keep it alive,
            # which keeps its id from being reused.
            return sender
        ref.key = sender_id
        return ref

    def _invalidate(self, *, every_sender: bool, sender: Hashable = NONE_ID) -> None:
        # Lock held. Stale snapshots are rebuilt by the next send that needs them.
        if every_sender:
            self._any_snapshot = None
            if self._snapshots:
                self._snapshots = dict.fromkeys(self._snapshots)
        elif sender in self._snapshots:
            self._snapshots[sender] = None

    # -- death of receivers and senders --------------------------------------------

    def _receiver_died(self, ref: Any) -> None:
        self._dead.append(ref.key)
        self._purge_now()

    def _sender_died(self, ref: Any) -> None:
        # Forget its snapshot now (an atomic dict operation), so a new object
        # with the same id() cannot reach its receivers; purge the rest later.
        key = ref.key
        if self._senders.get(key) is ref:
            self._snapshots.pop(key, None)
            self._dead.append((None, key))
            self._purge_now()

    def _purge_now(self) -> None:
        """Purge what the callbacks reported, unless the lock is busy.

        Purging at once releases what a dead sender's strong receivers hold.
        A callback may run while this very thread holds the (non-reentrant)
        lock, so it never waits: a busy lock's holder purges on its way out.
        """
        while self._dead and self.lock.acquire(blocking=False):
            try:
                self._purge()
            finally:
                self.lock.release()

    def _purge(self) -> None:
        # Lock held. Only touches what the callbacks reported: O(deaths).
        while self._dead:
            what, sender_id = self._dead.pop()
            if what is None:
                guard = self._senders.get(sender_id)
                if isinstance(guard, weakref.ReferenceType) and guard() is None:
                    for key in list(self._buckets.get(sender_id, ())):
                        del self._entries[key]
                    self._buckets.pop(sender_id, None)
                    self._senders.pop(sender_id, None)
                    self._snapshots.pop(sender_id, None)
                continue
            key = (what, sender_id)
            entry = self._entries.get(key)
            if entry is not None and entry.deref() is None:
                del self._entries[key]
                self._drop_from_bucket(entry)
                self._invalidate(every_sender=sender_id == NONE_ID, sender=sender_id)

    # -- the snapshot a send uses --------------------------------------------------

    def _load_snapshot(self, sender_id: Hashable) -> Snapshot:
        """Build (and keep) the snapshot for ``sender_id``; called on a cache miss."""
        snapshot = self._locked_snapshot(sender_id)
        if self._dead:
            self._purge_now()  # a death reported while we held the lock
        return snapshot

    def _locked_snapshot(self, sender_id: Hashable) -> Snapshot:
        with self.lock:
            self._purge()
            if sender_id != NONE_ID and sender_id in self._buckets:
                snapshot = self._snapshots.get(sender_id)
                if snapshot is None:
                    merged = list(self._buckets.get(NONE_ID, {}).values())
                    merged += self._buckets[sender_id].values()
                    merged.sort(key=lambda entry: entry.seq)
                    snapshot = self._snapshots[sender_id] = _build(merged)
                return snapshot
            snapshot = self._any_snapshot
            if snapshot is None:
                snapshot = self._any_snapshot = _build(self._buckets.get(NONE_ID, {}).values())
            return snapshot

    def _snapshot_for(self, sender: object) -> Snapshot:
        """The snapshot a send from ``sender`` uses (send() inlines this for speed)."""
        key = sender_key(sender)
        return self._snapshots.get(key, self._any_snapshot) or self._load_snapshot(key)

    def _has_receivers_for(self, sender: object) -> bool:
        snapshot = self._snapshot_for(sender)
        return any(deref() is not None for deref in snapshot.sync + snapshot.async_)


def lookup_key(receiver: object, sender: object, dispatch_uid: Hashable | None) -> LookupKey:
    """Django's lookup key: ``dispatch_uid`` (if truthy) or the receiver's id, with the sender's."""
    if dispatch_uid:
        return (dispatch_uid, sender_key(sender))
    return (make_id(receiver), sender_key(sender))
