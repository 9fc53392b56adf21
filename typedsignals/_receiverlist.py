"""Django's ``Signal.receivers`` items, as code assigns them back.

Django 6.1 lists ``(lookup_key, receiver_or_weakref, sender_weakref_or_None,
is_async)``; Django 5.2 listed ``(lookup_key, receiver_or_weakref,
is_async)``. Code that saves and restores ``receivers`` (factory_boy's and
django-reversion's ``mute_signals``) may hand back either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from ._entries import LookupKey

__all__ = ["unpack"]


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
