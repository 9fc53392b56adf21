"""The receiver registry: who is connected, for which sender, and for how long.

This is the part of a signal that Django calls ``receivers``,
``_live_receivers`` and ``_clear_dead_receivers``. It differs from Django's
list in four ways, each a fix:

* Entries live in dicts keyed by their lookup key, so connect and disconnect
  cost O(1) instead of a scan of every receiver.
* Receivers are grouped by sender, and each sender's dispatch list (a
  *snapshot*) is built once and reused, so a send costs in proportion to the
  receivers that match its sender, with ``use_caching`` on or off.
* A weak receiver's death is reported by its weak reference's callback, which
  dies with the entry: no ``weakref.finalize`` outlives a disconnect, and a
  death costs O(1), not a scan.
* A specific sender is watched (weakly where it can be, otherwise kept alive):
  when it dies its receivers go, so they never fire for a new object that
  happens to reuse its ``id()``.

``lock`` is re-entrant, as code written for Django reads and assigns
``receivers`` inside ``with signal.lock:``. Weakref callbacks run during
garbage collection, possibly in a thread that is in the middle of a registry
operation: they only record the death, and purge when no operation is under
way (``_busy``); otherwise the operation purges when it ends.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar, cast

from ._entries import (
    EMPTY_SNAPSHOT,
    GUARDS,
    SENDER_REFS,
    DerefWrapper,
    Entry,
    LookupKey,
    Snapshot,
    build_snapshot,
    lookup_key,
    watch_sender,
    weak_receiver,
)
from ._receiverlist import unpack
from ._utils import NONE_ID, sender_key

__all__ = [
    "NO_RECEIVERS",
    "LookupKey",
    "ReceiverItem",
    "ReceiverRegistry",
    "Snapshot",
    "lookup_key",
]

#: Django's marker for "this sender has no receivers" in ``sender_receivers_cache``.
NO_RECEIVERS: Any = object()

#: Django 6.1's item of ``Signal.receivers``:
#: ``(lookup_key, receiver_or_weakref, sender_weakref_or_None, is_async)``.
ReceiverItem = tuple[LookupKey, Any, Any, bool]
#: An assigned item, checked: ``(key, ref, weak, sender_guard, is_async)``.
_Prepared = tuple[LookupKey, Any, bool, Any, bool]
_T = TypeVar("_T")
_R = TypeVar("_R", bound="ReceiverRegistry")


class ReceiverRegistry:
    """Receiver storage and lifecycle, the base of :class:`~typedsignals.Signal`.

    Internal attributes (all guarded by ``lock`` for writing):

        lock
            A ``threading.RLock``; never held while a receiver runs.
        _entries
            ``{lookup_key: Entry}`` in connect order: the source of truth.
        _buckets
            ``{sender_key: {lookup_key: Entry}}``; ``NONE_ID`` holds the
            receivers of every sender.
        _senders
            ``{sender_key: guard}`` for specific senders: a weak reference, or
            a ``_PinnedSender`` for one that cannot be weakly referenced.
        _ref_keys
            ``{id(weak reference): lookup_key}`` for weak receivers, so that a
            death reported by a plain ``weakref.ref`` finds its entry.
        _snapshots
            ``{sender_key: Snapshot or None}``: one item per specific sender,
            None while stale. Read without the lock by send().
        _any_snapshot
            The snapshot of a sender with no specific receivers, or None.
        _dead
            Weak references (of receivers or senders) reported dead.
        _deref_wrapper
            None, or (while ``hooks.py`` intercepts receiver calls) what
            wraps each receiver of the snapshots built.
        _busy
            True while an operation runs under the lock.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._busy = False
        self._entries: dict[LookupKey, Entry] = {}
        self._buckets: dict[Hashable, dict[LookupKey, Entry]] = {}
        self._senders: dict[Hashable, Any] = {}
        self._ref_keys: dict[int, LookupKey] = {}
        self._snapshots: dict[Hashable, Snapshot | None] = {}
        self._any_snapshot: Snapshot | None = EMPTY_SNAPSHOT
        self._dead: list[Any] = []
        self._seq = 0
        # Set only while hooks.py intercepts receiver calls (tracing): see _set_deref_wrapper.
        self._deref_wrapper: DerefWrapper | None = None
        # One bound method serves as every receiver reference's callback.
        self._receiver_died = self._report_death

    # -- the lock ------------------------------------------------------------------

    def _locked(self, operation: Callable[..., _T], *args: Any) -> _T:
        """Run ``operation(*args)`` under the lock, with the deaths reported so far purged."""
        with self.lock:
            if self._busy:
                raise RuntimeError(
                    f"{self!r}: a registry operation started inside another one in the "
                    "same thread (from a __hash__, __eq__ or __del__ it ran); "
                    "connect, disconnect and receivers cannot be used from there."
                )
            self._busy = True
            try:
                if self._dead:
                    self._purge()
                result = operation(*args)
            finally:
                if self._dead:
                    self._purge()  # deaths reported while we were busy
                self._busy = False
        if self._dead:
            self._purge_if_free()  # reported by another thread as we finished
        return result

    def _report_death(self, ref: Any) -> None:
        """The callback of every weak reference the registry holds."""
        self._dead.append(ref)
        if isinstance(ref, SENDER_REFS):
            sender_id = ref.key
            if self._senders.get(sender_id) is ref:
                # Forget its snapshot now (an atomic dict operation), so a new
                # object with the same id() cannot reach its receivers.
                self._snapshots.pop(sender_id, None)
        self._purge_if_free()

    def _purge_if_free(self) -> None:
        # Never wait: this may run during garbage collection in a thread that
        # holds the lock. A busy or held lock's holder purges when it is done.
        while self._dead and self.lock.acquire(blocking=False):
            try:
                if self._busy:
                    return  # this thread is inside an operation, which purges as it ends
                self._busy = True
                try:
                    self._purge()
                finally:
                    self._busy = False
            finally:
                self.lock.release()

    # -- Django's ``receivers`` list -------------------------------------------------

    @property
    def receivers(self) -> list[ReceiverItem]:
        """The live receivers, as Django 6.1's 4-tuples.

        Each item is ``(lookup_key, receiver_or_weakref, sender_ref, is_async)``;
        ``sender_ref`` is None for receivers of every sender, a weak reference
        to a specific sender, or (for a sender that cannot be weakly
        referenced, where Django has None) a callable that returns it.

        A new list each time: assign to this attribute to replace the
        receivers (as ``factory_boy.mute_signals`` does); mutating the list
        returned has no effect.
        """
        return self._locked(self._items)

    @receivers.setter
    def receivers(self, items: Iterable[Any]) -> None:
        # Checked (and a generator consumed) before the lock: a malformed
        # item leaves the signal as it was.
        prepared = [self._prepare(index, item) for index, item in enumerate(list(items))]
        self._locked(self._replace, prepared)

    def _items(self) -> list[ReceiverItem]:
        senders = self._senders
        return [
            (e.key, e.ref, senders.get(e.key[1]) if e.key[1] != NONE_ID else None, e.is_async)
            for e in self._entries.values()
        ]

    def _prepare(self, index: int, item: Any) -> _Prepared | None:
        """Check one assigned item; return ``(key, ref, weak, sender_guard, is_async)``.

        None means the item is valid but dead (its receiver or sender has died).
        """
        key, target, sender_ref, is_async = unpack(index, item, repr(self))
        ref: Any = target
        weak = isinstance(target, weakref.ReferenceType)
        if weak:
            ref = self._adopt(target)
            if ref is None:
                return None  # the receiver died while it was set aside
        guard = None
        if sender_ref is not None:
            guard = self._adopt_guard(sender_ref, key[1])
            if guard is None:
                return None  # the sender died: Django drops such entries too
        return (key, ref, weak, guard, bool(is_async))

    def _adopt(self, ref: Any) -> Any:
        """Our own live reference as it is, a foreign one re-made with our callback."""
        if ref.__callback__ is self._receiver_died:
            return ref if ref() is not None else None
        live = ref()
        return None if live is None else self._weak(live)

    def _adopt_guard(self, sender_ref: Callable[[], object], sender_id: Hashable) -> Any:
        """Our own guard of this sender as it is, a foreign reference re-made as ours."""
        sender = sender_ref()
        if type(sender_ref) in GUARDS and cast(Any, sender_ref).key == sender_id:
            return sender_ref if sender is not None else None
        if sender is None:
            return None
        if sender_key(sender) != sender_id:
            raise TypeError(
                f"Cannot assign receivers of {self!r}: the sender reference {sender_ref!r} "
                f"refers to {sender!r}, whose key is not the lookup key's {sender_id!r}. "
                "The receivers are unchanged."
            )
        return self._watch(sender, sender_id)

    def _replace(self, prepared: list[_Prepared | None]) -> None:
        old_senders = self._senders
        self._entries, self._buckets, self._senders, self._ref_keys = {}, {}, {}, {}
        self._snapshots = {}
        for item in prepared:
            if item is None:
                continue
            key, ref, weak, guard, is_async = item
            if key in self._entries:
                continue  # Django's connect keeps the first of a lookup key
            if weak and id(ref) in self._ref_keys:
                # One reference listed twice: each entry needs its own.
                live = ref()
                if live is None:
                    continue
                ref = self._weak(live)
            sender_id = key[1]
            if sender_id != NONE_ID and sender_id not in self._senders:
                current = old_senders.get(sender_id)
                if current is not None and current() is not None:
                    guard = current  # the guard already watching this sender
                if guard is not None:
                    self._senders[sender_id] = guard
            self._add(Entry(key, ref, weak, is_async))
        # Whatever died while we installed it reported a death we ignored, as
        # it was not yet ours: check now.
        for key in [k for k, e in self._entries.items() if e.deref() is None]:
            self._remove(self._entries[key])
        for sender_id, guard in list(self._senders.items()):
            if guard() is None:
                self._drop_sender(sender_id)
        self._invalidate(every_sender=True)

    def _registry_copy(self: _R) -> _R:
        """A shallow copy of this object with a registry of its own, holding the same receivers."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        ReceiverRegistry.__init__(clone)  # a lock, dicts and callback of its own
        clone.receivers = self.receivers
        return clone

    # -- connect / disconnect ------------------------------------------------------

    def _weak(self, receiver: Callable[..., Any]) -> Any:
        """A weak reference to ``receiver`` whose death is reported to this registry."""
        return weak_receiver(receiver, self._receiver_died)

    def _register(
        self, key: LookupKey, ref: Any, weak: bool, is_async: bool, sender: object
    ) -> None:
        """Add a receiver unless its lookup key is taken (Django keeps the first)."""
        # _locked(self._connect, ...) inlined for the common case (nothing
        # busy, no death to purge): modules connect thousands at import.
        with self.lock:
            if self._busy or self._dead:
                self._locked(self._connect, key, ref, weak, is_async, sender)
                return
            self._busy = True
            try:
                self._connect(key, ref, weak, is_async, sender)
            finally:
                if self._dead:
                    self._purge()  # deaths reported while we were busy
                self._busy = False
        if self._dead:
            self._purge_if_free()  # reported by another thread as we finished

    def _connect(
        self, key: LookupKey, ref: Any, weak: bool, is_async: bool, sender: object
    ) -> None:
        if key in self._entries:
            return
        sender_id = key[1]
        if sender_id != NONE_ID and sender_id not in self._senders:
            self._senders[sender_id] = self._watch(sender, sender_id)
        self._add(Entry(key, ref, weak, is_async))
        self._invalidate(every_sender=sender_id == NONE_ID, sender=sender_id)

    def _unregister(self, key: LookupKey) -> bool:
        return self._locked(self._disconnect, key)

    def _disconnect(self, key: LookupKey) -> bool:
        entry = self._entries.get(key)
        if entry is None:
            return False
        self._remove(entry)
        return True

    def _add(self, entry: Entry) -> None:
        # Lock held.
        self._seq += 1
        entry.seq = self._seq
        key = entry.key
        self._entries[key] = entry
        self._buckets.setdefault(key[1], {})[key] = entry
        if entry.weak:
            self._ref_keys[id(entry.ref)] = key
        if key[1] != NONE_ID:
            self._snapshots.setdefault(key[1], None)

    def _remove(self, entry: Entry) -> None:
        # Lock held.
        key = entry.key
        del self._entries[key]
        if entry.weak:
            self._ref_keys.pop(id(entry.ref), None)
        sender_id = key[1]
        bucket = self._buckets.get(sender_id)
        if bucket is not None:
            bucket.pop(key, None)
            if not bucket:
                del self._buckets[sender_id]
                self._snapshots.pop(sender_id, None)
                # A saved ``receivers`` list holds the guard, if it needs it again.
                self._senders.pop(sender_id, None)
        self._invalidate(every_sender=sender_id == NONE_ID, sender=sender_id)

    def _watch(self, sender: object, sender_id: Hashable) -> Any:
        return watch_sender(sender, sender_id, self._receiver_died)

    def _invalidate(self, *, every_sender: bool, sender: Hashable = NONE_ID) -> None:
        # Lock held. Stale snapshots are rebuilt by the next send that needs them.
        if every_sender:
            self._any_snapshot = None
            if self._snapshots:
                self._snapshots = dict.fromkeys(self._snapshots)
        elif sender in self._snapshots:
            self._snapshots[sender] = None

    # -- deaths --------------------------------------------------------------------

    def _purge(self) -> None:
        # Lock held. Only touches what the callbacks reported: O(deaths).
        while self._dead:
            ref = self._dead.pop()
            if isinstance(ref, SENDER_REFS):
                sender_id = ref.key
                if self._senders.get(sender_id) is ref:
                    self._drop_sender(sender_id)
                continue
            key = self._ref_keys.get(id(ref))
            entry = self._entries.get(key) if key is not None else None
            if entry is not None and entry.ref is ref:
                self._remove(entry)

    def _drop_sender(self, sender_id: Hashable) -> None:
        # Lock held: the sender died, and every receiver connected for it goes.
        for entry in list(self._buckets.get(sender_id, {}).values()):
            self._remove(entry)
        self._senders.pop(sender_id, None)
        self._snapshots.pop(sender_id, None)

    def _clear_dead_receivers(self) -> None:
        """Django's hook: drop the entries whose receiver or sender has died.

        Deaths are purged as they are reported, so this only finishes what a
        busy lock postponed. Safe with or without ``lock`` held.
        """
        self._locked(_nothing)

    # -- the snapshot a send uses --------------------------------------------------

    def _load_snapshot(self, sender_id: Hashable) -> Snapshot:
        """Build (and keep) the snapshot for ``sender_id``; called on a cache miss."""
        return self._locked(self._build_snapshot, sender_id)

    def _build_snapshot(self, sender_id: Hashable) -> Snapshot:
        bucket = self._buckets.get(sender_id) if sender_id != NONE_ID else None
        guard = self._senders.get(sender_id) if bucket is not None else None
        if bucket is not None and (guard is None or guard() is not None):
            snapshot = self._snapshots.get(sender_id)
            if snapshot is None:
                merged = [*self._buckets.get(NONE_ID, {}).values(), *bucket.values()]
                merged.sort(key=_seq)
                snapshot = build_snapshot(merged, self._deref_wrapper)
                self._snapshots[sender_id] = snapshot
                if guard is not None and guard() is None:
                    # It died as we built this: its death callback may have run first.
                    self._snapshots.pop(sender_id, None)
            return snapshot
        snapshot = self._any_snapshot
        if snapshot is None:
            snapshot = self._any_snapshot = build_snapshot(
                self._buckets.get(NONE_ID, {}).values(), self._deref_wrapper
            )
        return snapshot

    def _set_deref_wrapper(self, wrap: DerefWrapper | None) -> None:
        """For ``hooks.py``: wrap every receiver of the snapshots sends use (None: stop).

        The extension point tracing uses to see each receiver call while the
        dispatch code stays the one below. Off the hot path: the snapshots are
        dropped here and rebuilt, wrapped or not, by the next send of each sender.
        """
        self._locked(self._replace_deref_wrapper, wrap)

    def _replace_deref_wrapper(self, wrap: DerefWrapper | None) -> None:
        self._deref_wrapper = wrap
        self._invalidate(every_sender=True)

    def _snapshot_for(self, sender: object) -> Snapshot:
        """The snapshot a send from ``sender`` uses (send() inlines this for speed)."""
        key = sender_key(sender)
        return self._snapshots.get(key, self._any_snapshot) or self._load_snapshot(key)

    def _live_receivers(self, sender: object) -> tuple[list[Any], list[Any]]:
        """Django's hook: ``(sync_receivers, async_receivers)`` a send from ``sender`` calls."""
        sync, async_ = self._snapshot_for(sender)
        return (
            [r for deref in sync if (r := deref()) is not None],
            [r for deref in async_ if (r := deref()) is not None],
        )


def _nothing() -> None:
    pass


def _seq(entry: Entry) -> int:
    return entry.seq
