"""Django's ``Signal.receivers`` list: reading it, and assigning a saved one back.

Django 6.1 lists ``(lookup_key, receiver_or_weakref, sender_weakref_or_None,
is_async)``; Django 5.2 listed ``(lookup_key, receiver_or_weakref,
is_async)``. Code that saves and restores ``receivers`` (factory_boy's and
django-reversion's ``mute_signals``) may hand back either.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar, cast

from ._entries import GUARDS, Entry, LookupKey, ReceiverRef
from ._utils import NONE_ID, sender_key

__all__ = ["Bucket", "ReceiverItem", "ReceiverList", "unpack"]

#: Django 6.1's item of ``Signal.receivers``:
#: ``(lookup_key, receiver_or_weakref, sender_weakref_or_None, is_async)``.
ReceiverItem = tuple[LookupKey, Any, Any, bool]
#: An assigned item, checked: ``(key, receiver_or_weakref, weak, sender_guard, is_async)``.
_Prepared = tuple[LookupKey, Any, bool, Any, bool]
#: One sender's entries: ``{receiver_key: Entry}``, in connect order.
Bucket = dict[Hashable, Entry]
_T = TypeVar("_T")


class ReceiverList:
    """The ``receivers`` attribute of ``ReceiverRegistry`` (its base).

    Reading lists the live entries; assigning checks every item first (a
    malformed one leaves the signal as it was), then replaces the entries.
    What it uses of the registry is declared here and defined there.
    """

    _entries: dict[Hashable, Bucket]
    _senders: dict[Hashable, Any]
    _snapshots: dict[Hashable, Any]
    _receiver_died: Callable[[Any], None]

    def _locked(self, operation: Callable[..., _T], *args: Any) -> _T:
        raise NotImplementedError

    def _in_order(self) -> list[Entry]:
        raise NotImplementedError

    def _watch(self, sender: object, sender_id: Hashable) -> Any:
        raise NotImplementedError

    def _new_entry(
        self,
        receiver: Callable[..., Any],
        rkey: Hashable,
        skey: Hashable,
        weak: bool,
        is_async: bool,
    ) -> Entry:
        raise NotImplementedError

    def _add(self, entry: Entry, skey: Hashable, bucket: Bucket | None) -> None:
        raise NotImplementedError

    def _remove(self, entry: Entry) -> None:
        raise NotImplementedError

    def _drop_sender(self, sender_id: Hashable) -> None:
        raise NotImplementedError

    def _invalidate(self, skey: Hashable) -> None:
        raise NotImplementedError

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
            (e.key, e.ref, senders.get(e.skey) if e.skey is not NONE_ID else None, e.is_async)
            for e in self._in_order()
        ]

    def _prepare(self, index: int, item: Any) -> _Prepared | None:
        """Check one assigned item; return ``(key, target, weak, sender_guard, is_async)``.

        None means the item is valid but dead (its receiver or sender has died).
        """
        key, held, sender_ref, is_async = unpack(index, item, repr(self))
        target: Any = held
        weak = isinstance(held, weakref.ReferenceType)
        if weak and target() is None:
            return None  # the receiver died while it was set aside
        guard = None
        if sender_ref is not None:
            guard = self._adopt_guard(sender_ref, key[1])
            if guard is None:
                return None  # the sender died: Django drops such entries too
        return (key, target, weak, guard, bool(is_async))

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
        self._entries, self._senders, self._snapshots = {}, {}, {}
        reused: set[int] = set()
        for item in prepared:
            if item is None:
                continue
            (rkey, skey), target, weak, guard, is_async = item
            skey = self._bucket_key(skey, guard, old_senders)
            bucket = self._entries.get(skey)
            if bucket is not None and rkey in bucket:
                continue  # Django's connect keeps the first of a lookup key
            entry = self._entry_of(target, weak, rkey, skey, is_async, reused)
            if entry is not None:
                self._add(entry, skey, bucket)
        # Whatever died while we installed it reported a death we ignored, as
        # it was not yet ours: check now.
        for entry in [e for e in self._in_order() if e() is None]:
            self._remove(entry)
        for sender_id, guard in list(self._senders.items()):
            if guard() is None:
                self._drop_sender(sender_id)
        self._invalidate(NONE_ID)

    def _bucket_key(self, skey: Hashable, guard: Any, old_senders: dict[Hashable, Any]) -> Hashable:
        """The key an assigned entry's bucket has; its sender watched by one guard (lock held)."""
        if skey == NONE_ID:
            return NONE_ID
        current = self._senders.get(skey)
        if current is None:
            old = old_senders.get(skey)
            if old is not None and old() is not None:
                guard = old  # the guard already watching this sender
            if guard is None:
                return skey  # a Django 5.2 item: its sender is not watched
            current = self._senders[skey] = guard
        return cast(Hashable, current.key)

    def _entry_of(
        self,
        target: Any,
        weak: bool,
        rkey: Hashable,
        skey: Hashable,
        is_async: bool,
        reused: set[int],
    ) -> Entry | None:
        """The entry of an assigned item: our own weak reference itself, else a new one."""
        if (
            type(target) is ReceiverRef
            and target.__callback__ is self._receiver_died
            and id(target) not in reused  # one reference listed twice: each needs its own
        ):
            reused.add(id(target))
            target.rkey, target.is_async = rkey, is_async
            return target
        held: Any = target
        receiver: Callable[..., Any] | None = held() if weak else held
        if receiver is None:
            return None  # it died since it was checked
        return self._new_entry(receiver, rkey, skey, weak, is_async)


def unpack(index: int, item: object, owner: str) -> tuple[LookupKey, Any, Any, object]:
    """Item ``index`` of a list assigned to ``receivers``, as a 4-tuple.

    Arguments:

        index
            Its position in the list, for the message.

        item
            A Django 6.1 4-tuple or a Django 5.2 3-tuple.

        owner
            The signal, as messages name it.

    Raise ``TypeError`` naming the problem if it is neither.
    """
    parts = _parts(item)
    if len(parts) not in (3, 4):
        problem = "it is not a tuple of 3 or 4 items"
    else:
        key, target, sender_ref, is_async = (
            parts if len(parts) == 4 else (parts[0], parts[1], None, parts[2])
        )
        if not _is_pair(key):
            problem = f"the lookup key {key!r} is not a (receiver_key, sender_key) pair"
        elif not _hashable(key):
            problem = f"the lookup key {key!r} is not hashable"
        elif not callable(target):
            problem = f"the receiver {target!r} is neither callable nor a weak reference"
        elif sender_ref is not None and not callable(sender_ref):
            problem = f"the sender reference {sender_ref!r} is neither None nor a weakref"
        else:
            return cast("LookupKey", key), target, sender_ref, is_async
    raise TypeError(
        f"Cannot assign receivers of {owner}: item {index} ({item!r}) is not a receiver: "
        "expected Django 6.1's (lookup_key, receiver_or_weakref, sender_weakref_or_None, "
        "is_async) or Django 5.2's (lookup_key, receiver_or_weakref, is_async), and "
        f"{problem}. The receivers are unchanged."
    )


def _parts(item: object) -> tuple[Any, ...]:
    """The items of a tuple or list; () for anything else."""
    return tuple(cast("Iterable[Any]", item)) if isinstance(item, (tuple, list)) else ()


def _is_pair(key: object) -> bool:
    return len(_parts(key)) == 2 and isinstance(key, tuple)


def _hashable(key: object) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True
