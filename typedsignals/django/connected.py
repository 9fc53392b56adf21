"""What is connected to a signal, read from its ``receivers`` list.

Django 5.2 keeps ``(lookup_key, receiver_or_weakref, is_async)`` triples,
Django 6.1 (and typedsignals' own ``Signal``) ``(lookup_key,
receiver_or_weakref, sender_weakref_or_None, is_async)``; the lookup key is
``(receiver id or dispatch_uid, sender id)``. A specific sender is found by
its weak reference where there is one, else by its ``id()`` among the
objects it can be: the classes (and their subclasses) and app configs that
the signal's declaration names. A sender found neither way is reported as
unknown, and the check then leaves out the rules that depend on it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from typedsignals import NONE_ID

__all__ = ["Connection", "connections", "subclasses"]


@dataclass(frozen=True)
class Connection:
    """One live receiver of a signal.

    Attributes:
        receiver: the callable the signal calls.
        sender: the specific sender it was connected for, or None for every sender.
        sender_known: False when it has a specific sender that could not be found.
    """

    receiver: Callable[..., Any]
    sender: object
    sender_known: bool = True


def connections(signal: object, candidates: Callable[[], Iterable[object]]) -> list[Connection]:
    """The live receivers of ``signal`` (a Django or a typedsignals ``Signal``), in order.

    Arguments:

        signal
            The signal whose ``receivers`` list is read (a copy: it is not changed).

        candidates
            Called, at most once, when a sender has to be found by its ``id()``:
            the objects that sender may be.
    """
    found: list[Connection] = []
    by_id: dict[int, object] | None = None
    for item in list(cast("list[object]", getattr(signal, "receivers", []))):
        entry = _entry(item)
        if entry is None:
            continue  # not Django's shape (a project assigned something else): nothing to read
        key, held = entry[0], entry[1]
        receiver = _dereference(held)
        if receiver is None:
            continue  # a weak receiver that died
        sender_id = key[1]
        if sender_id == NONE_ID:
            found.append(Connection(receiver, None))
            continue
        sender_ref = entry[2] if len(entry) == 4 else None
        if sender_ref is not None:
            sender = _dereference(sender_ref)
            if sender is not None:
                found.append(Connection(receiver, sender))
            continue  # else the sender died: the receiver never fires again
        if by_id is None:
            by_id = {id(candidate): candidate for candidate in candidates()}
        if sender_id in by_id:
            found.append(Connection(receiver, by_id[sender_id]))
        else:
            found.append(Connection(receiver, None, sender_known=False))
    return found


def _entry(item: object) -> tuple[Any, ...] | None:
    """``item`` if it has the shape of an entry: 3 or 4 items, a 2-tuple lookup key first."""
    if not isinstance(item, tuple):
        return None
    entry: tuple[Any, ...] = cast(Any, item)
    key: object = entry[0] if entry else None
    if len(entry) not in (3, 4) or not isinstance(key, tuple):
        return None
    return entry if len(cast("tuple[object, ...]", key)) == 2 else None


def _dereference(held: object) -> Any:
    """The object behind a weak reference, or ``held`` itself if it is not one."""
    if isinstance(held, weakref.ReferenceType):
        return cast(Any, held)()
    return held


def subclasses(root: type) -> Iterator[type]:
    """``root`` and every class derived from it, each once."""
    seen: set[type] = set()
    stack = [root]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(type.__subclasses__(cls))
