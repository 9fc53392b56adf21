"""What is connected to a signal: its receivers, their senders found.

``typedsignals.introspection.receivers`` reads a signal's ``receivers`` list
(Django 5.2's ``(lookup_key, receiver_or_weakref, is_async)`` triples, Django
6.1's and typedsignals' ``(lookup_key, receiver_or_weakref,
sender_weakref_or_None, is_async)``). A specific sender is known by its weak
reference where there is one; here one known only by its ``id()`` is looked
for among the objects it can be: the classes (and their subclasses) and app
configs that the signal's declaration names. A sender found neither way is
reported as unknown, and the check then leaves out the rules that depend on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator

from typedsignals.introspection import ReceiverInfo, receivers

__all__ = ["Connection", "connections", "subclasses"]

#: One live receiver of a signal, as ``typedsignals.introspection`` describes it;
#: ``sender`` is None for every sender, and ``sender_known`` False when it has a
#: specific sender that could not be found.
Connection = ReceiverInfo


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
    for info in receivers(signal):
        if info.sender_known:
            found.append(info)
            continue
        if by_id is None:
            by_id = {id(candidate): candidate for candidate in candidates()}
        sender_id = info.lookup_key[1]
        if isinstance(sender_id, int) and sender_id in by_id:
            found.append(dataclasses.replace(info, sender=by_id[sender_id], sender_known=True))
        else:
            found.append(info)
    return found


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
