"""The receiver registry: who is connected, for which sender, and for how long.

This is the part of a signal that Django calls ``receivers``,
``_live_receivers`` and ``_clear_dead_receivers``. It differs from Django's
list in four ways, each a fix:

* Entries live in dicts keyed by their lookup key, so connect and disconnect
  cost O(1) instead of a scan of every receiver. A weak receiver's entry is
  its weak reference (``_entries.py``): a receiver costs less memory than in
  Django's list.
* Receivers are grouped by sender, and each sender's dispatch list (a
  *snapshot*) is built once and reused, so a send costs in proportion to the
  receivers that match its sender, with ``use_caching`` on or off.
* A weak receiver's death is reported by its weak reference's callback, which
  dies with the entry: no ``weakref.finalize`` outlives a disconnect, and a
  death costs O(1), not a scan.
* A specific sender is watched (weakly where it can be, otherwise kept alive):
  when it dies its receivers go, so they never fire for a new object that
  happens to reuse its ``id()``.

Django's ``receivers`` list itself (reading it, assigning a saved one) is
``_receiverlist.ReceiverList``, a base of the registry.

``lock`` is re-entrant, as code written for Django reads and assigns
``receivers`` inside ``with signal.lock:``. Weakref callbacks run during
garbage collection, possibly in a thread that is in the middle of a registry
operation: they only record the death, and purge when no operation is under
way (``_busy``); otherwise the operation purges when it ends.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ._entries import (
    EMPTY_SNAPSHOT,
    RECEIVER_REFS,
    SENDER_REFS,
    WEAKREF,
    DerefWrapper,
    Entry,
    LookupKey,
    ReceiverRef,
    Snapshot,
    build_snapshot,
    lookup_key,
    make_entry,
    watch_sender,
)
from ._receiverlist import Bucket, ReceiverItem, ReceiverList
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

_T = TypeVar("_T")
_R = TypeVar("_R", bound="ReceiverRegistry")


class ReceiverRegistry(ReceiverList):
    """Receiver storage and lifecycle, the base of :class:`~typedsignals.Signal`.

    Internal attributes (all guarded by ``lock`` for writing):

        lock
            A ``threading.RLock``; never held while a receiver runs.
        _entries
            ``{sender_key: {receiver_key: Entry}}``, a *bucket* per sender,
            each in connect order; ``NONE_ID`` holds the receivers of every
            sender. Empty when nothing is connected (send() tests that first).
            An entry's ``skey`` is the very key of its bucket.
        _senders
            ``{sender_key: guard}`` for specific senders: a weak reference, or
            a ``PinnedSender`` for one that cannot be weakly referenced.
        _snapshots
            ``{sender_key: Snapshot or None}``: one item per specific sender,
            None while stale. Read without the lock by send().
        _any_snapshot
            The snapshot of a sender with no specific receivers, or None.
        _dead
            Weak references (entries or sender guards) reported dead.
        _seq
            The connect counter that orders entries across buckets.
        _deref_wrapper
            None, or (while ``hooks.py`` intercepts receiver calls) what
            wraps each receiver of the snapshots built.
        _busy
            True while an operation runs under the lock.
    """

    # Before 3.13, what sends and connects read are slots: they stay as fast to
    # read when the signal's class is swapped (interception, a specialised send),
    # which makes the instance's __dict__ (besides them, ReceiverList's). 3.13
    # gives an instance with slots its __dict__ at once, without the inline
    # values its attribute and method loads specialise on: there, no slots.
    if sys.version_info < (3, 13):
        __slots__ = (
            "_any_snapshot",
            "_busy",
            "_dead",
            "_deref_wrapper",
            "_entries",
            "_receiver_died",
            "_senders",
            "_seq",
            "_snapshots",
            "lock",
        )

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._busy = False
        self._entries: dict[Hashable, Bucket] = {}
        self._senders: dict[Hashable, Any] = {}
        self._snapshots: dict[Hashable, Snapshot | None] = {}
        self._any_snapshot: Snapshot | None = EMPTY_SNAPSHOT
        self._dead: list[Any] = []
        self._seq = 0
        # Set only while hooks.py intercepts receiver calls (tracing): see _set_deref_wrapper.
        self._deref_wrapper: DerefWrapper | None = None
        # One bound method serves as every weak reference's callback.
        self._receiver_died = self._report_death

    # -- the lock ------------------------------------------------------------------

    def _locked(self, operation: Callable[..., _T], *args: Any) -> _T:
        """Run ``operation(*args)`` under the lock, with the deaths reported so far purged."""
        lock = self.lock
        lock.acquire()  # not ``with``: its __exit__ costs more than the rest
        try:
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
        finally:
            lock.release()
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

    def _registry_copy(self: _R) -> _R:
        """A shallow copy of this object with a registry of its own, holding the same receivers."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        ReceiverRegistry.__init__(clone)  # a lock, dicts and callback of its own
        clone.receivers = self.receivers
        return clone

    # -- connect / disconnect ------------------------------------------------------

    def _new_entry(
        self,
        receiver: Callable[..., Any],
        rkey: Hashable,
        skey: Hashable,
        weak: bool,
        is_async: bool,
    ) -> Entry:
        """An entry of this registry: a weak one reports its death here.

        Raise ``TypeError`` if ``weak`` and the receiver cannot be weakly referenced.
        """
        return make_entry(receiver, rkey, skey, weak, is_async, self._receiver_died)

    def _register(self, entry: Entry, sender: object) -> None:
        """Add ``entry`` of ``sender`` unless its lookup key is taken (Django keeps the first)."""
        self._locked(self._connect, entry, sender)

    def _connect_function(self, receiver: Callable[..., Any], is_async: bool) -> None:
        """Connect a function weakly, for every sender: connect's commonest case, inlined.

        ``_register(make_entry(...), None)`` in one frame, for modules that
        connect thousands of receivers at import; the general path takes
        anything unusual (no receiver of every sender yet, an operation or a
        death under way, ``weakref.ref`` patched).
        """
        if weakref.ref is not WEAKREF:
            self._register(self._new_entry(receiver, id(receiver), NONE_ID, True, is_async), None)
            return
        entry = ReceiverRef(receiver, self._receiver_died)
        rkey = entry.rkey = id(receiver)
        entry.skey = NONE_ID
        entry.is_async = is_async
        lock = self.lock
        lock.acquire()  # not ``with``: its __exit__ costs more than the rest
        try:
            bucket = self._entries.get(NONE_ID)
            if self._busy or self._dead or bucket is None:
                general = True
            else:
                general = False
                self._busy = True
                try:
                    if rkey not in bucket:  # Django keeps the first
                        # _add(entry, NONE_ID, bucket) with _invalidate(NONE_ID), inlined:
                        # the two calls cost ~5 % of a connect.
                        self._seq = entry.seq = self._seq + 1
                        bucket[rkey] = entry
                        self._any_snapshot = None
                        if self._snapshots:
                            self._snapshots = dict.fromkeys(self._snapshots)
                finally:
                    if self._dead:
                        self._purge()  # deaths reported while we were busy
                    self._busy = False
        finally:
            lock.release()
        if general:
            self._register(entry, None)
        elif self._dead:
            self._purge_if_free()  # reported by another thread as we finished

    def _connect(self, entry: Entry, sender: object) -> None:
        skey = entry.skey
        bucket = self._entries.get(skey)
        if bucket is not None and entry.rkey in bucket:
            return
        if skey is not NONE_ID:
            guard = self._senders.get(skey)
            if guard is None:
                guard = self._senders[skey] = self._watch(sender, skey)
            skey = guard.key  # one key object for every entry of this sender
        self._add(entry, skey, bucket)

    def _unregister(self, rkey: Hashable, skey: Hashable) -> bool:
        return self._locked(self._disconnect, rkey, skey)

    def _disconnect(self, rkey: Hashable, skey: Hashable) -> bool:
        bucket = self._entries.get(skey)
        entry = bucket.get(rkey) if bucket is not None else None
        if entry is None:
            return False
        self._remove(entry)
        return True

    def _add(self, entry: Entry, skey: Hashable, bucket: Bucket | None) -> None:
        # Lock held; ``bucket`` is ``skey``'s, or None if it has none yet.
        if bucket is None:
            bucket = self._entries[skey] = {}
        self._seq = entry.seq = self._seq + 1
        entry.skey = skey
        bucket[entry.rkey] = entry
        self._invalidate(skey)

    def _remove(self, entry: Entry) -> None:
        # Lock held.
        skey = entry.skey
        bucket = self._entries.get(skey)
        if bucket is not None and bucket.get(entry.rkey) is entry:
            del bucket[entry.rkey]
            if not bucket:
                del self._entries[skey]
                self._snapshots.pop(skey, None)
                # A saved ``receivers`` list holds the guard, if it needs it again.
                self._senders.pop(skey, None)
        self._invalidate(skey)

    def _watch(self, sender: object, sender_id: Hashable) -> Any:
        return watch_sender(sender, sender_id, self._receiver_died)

    def _invalidate(self, skey: Hashable) -> None:
        # Lock held. Stale snapshots are rebuilt by the next send that needs them;
        # only a sender with receivers of its own has one (send() tests that first).
        if skey is NONE_ID:
            self._any_snapshot = None
            if self._snapshots:
                self._snapshots = dict.fromkeys(self._snapshots)
        elif skey in self._entries:
            self._snapshots[skey] = None

    def _in_order(self) -> list[Entry]:
        """Every entry, in connect order (lock held)."""
        buckets = list(self._entries.values())
        if len(buckets) == 1:
            return list(buckets[0].values())
        return sorted((e for bucket in buckets for e in bucket.values()), key=_seq)

    # -- deaths --------------------------------------------------------------------

    def _purge(self) -> None:
        # Lock held. Only touches what the callbacks reported: O(deaths).
        while self._dead:
            ref = self._dead.pop()
            if isinstance(ref, SENDER_REFS):
                sender_id = ref.key
                if self._senders.get(sender_id) is ref:
                    self._drop_sender(sender_id)
            elif isinstance(ref, RECEIVER_REFS):
                self._remove(ref)  # if it is still ours
            else:
                # Made by a patched weakref.ref (a ForeignRefEntry's): rare, scanned.
                for entry in self._in_order():
                    if entry.ref is ref:
                        self._remove(entry)

    def _drop_sender(self, sender_id: Hashable) -> None:
        # Lock held: the sender died, and every receiver connected for it goes.
        for entry in list(self._entries.get(sender_id, {}).values()):
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
        bucket = self._entries.get(sender_id) if sender_id != NONE_ID else None
        guard = self._senders.get(sender_id) if bucket is not None else None
        if bucket is not None and (guard is None or guard() is not None):
            snapshot = self._snapshots.get(sender_id)
            if snapshot is None:
                merged = [*self._entries.get(NONE_ID, {}).values(), *bucket.values()]
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
                self._entries.get(NONE_ID, {}).values(), self._deref_wrapper
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
        self._invalidate(NONE_ID)

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
