"""What a signal remembers: the receivers it accepted, and for which senders.

Reading a receiver is the costly part of a connect, so each signal keeps its
verdicts, keyed by what decides them for a plain function: its code, its
annotations, which parameters have defaults, and what the names in its string
annotations are bound to. The closures of one ``def`` share a key.

That memory must keep nothing alive (README, "Weak references"): code and
annotation objects are in the key as weak references (which compare as their
referents while those live); names' bindings by identity, the verdict dying
with any of them; senders' classes in weak sets.
"""

from __future__ import annotations

import re
import types
import weakref
from collections.abc import Hashable
from types import FunctionType, MethodType
from typing import Any, cast
from weakref import ref as _ref  # bound now: tests of Django's patch weakref.ref

import typing_extensions as te

__all__ = ["MAX_ACCEPTED", "cache_key", "remember", "was_accepted"]

_ATOMS = (int, float, bytes, bool, types.NoneType, types.EllipsisType)


class _Uncacheable(Exception):
    """A value that can be neither weakly referenced nor taken apart: no key."""


def _token(value: object, depth: int = 0) -> object:
    """``value`` as part of a cache key: equal while alive, and held weakly.

    A weak reference compares and hashes as its referent while it lives, and
    never equals another once dead: a key that names a dead class cannot match.
    Strings (most annotations, with PEP 563) and other atoms hold nothing.
    """
    if type(value) is str:
        return value
    if type(value) in _ATOMS:
        return (type(value).__name__, value)  # 1 and True are equal; their tokens not
    if isinstance(value, (types.UnionType, tuple)):  # cannot be weakly referenced: by parts
        kind, parts = "union", te.get_args(value)
        if isinstance(value, tuple):
            kind, parts = "tuple", cast("tuple[object, ...]", value)
        if depth >= 8:
            raise _Uncacheable
        return (kind, *[_token(part, depth + 1) for part in parts])
    try:
        return _ref(value)
    except TypeError:
        raise _Uncacheable from None


def cache_key(receiver: object) -> Hashable | None:
    """What decides a plain function's (or bound method's) verdict, held weakly; else None.

    Its code, its annotations, which parameters have defaults, and what the
    names in its string annotations are bound to now, by identity (after a
    module reload the same text names new classes). Identities are safe to
    compare because a remembered verdict dies with any object it names.
    """
    is_method = type(receiver) is MethodType
    func = cast(Any, receiver).__func__ if is_method else receiver
    # Only plain functions; one with __wrapped__ or __signature__ is read through them.
    if type(func) is not FunctionType or not func.__dict__.keys().isdisjoint(_READ_THROUGH):
        return None
    annotations: dict[str, object] = func.__annotations__
    items = tuple(annotations.items())
    strings = tuple([a for _, a in items if type(a) is str])
    names = _names_in(strings) if strings else ()
    if len(strings) < len(items):  # some annotations are objects: held weakly
        try:
            items = tuple([(name, _token(value)) for name, value in items])
        except _Uncacheable:
            return None
    return (
        _ref(func.__code__),
        is_method,
        items,
        len(func.__defaults__ or ()),
        tuple(func.__kwdefaults__ or ()),
        names,
        tuple(map(id, map(func.__globals__.get, names))),
    )


_READ_THROUGH = frozenset({"__wrapped__", "__signature__"})
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
#: The names each tuple of string annotations mentions: parsing them was most of a key.
_names_cache: dict[tuple[str, ...], tuple[str, ...]] = {}


def _names_in(strings: tuple[str, ...]) -> tuple[str, ...]:
    names = _names_cache.get(strings)
    if names is None:
        names = tuple(sorted({name for text in strings for name in _IDENTIFIER.findall(text)}))
        if len(_names_cache) > 4096:
            _names_cache.clear()  # bounded: dynamic code must not grow it forever
        _names_cache[strings] = names
    return names


class _Accepted:
    """For one receiver key: the senders it was accepted for, their classes held weakly.

    It dies (``dead``) with any object its key names by identity: those
    objects are watched through weak references, never held.
    """

    __slots__ = ("classes", "dead", "every", "instances", "watches")

    def __init__(self) -> None:
        self.every = False  # accepted for sender=None
        self.instances: weakref.WeakSet[type] = weakref.WeakSet()  # for objects of these
        self.classes: weakref.WeakSet[type] = weakref.WeakSet()  # for these class senders
        self.watches: list[weakref.ref[object]] = []
        self.dead = False

    def watch(self, objects: list[object]) -> bool:
        """Die with each of ``objects``; False if one can be neither watched nor ignored."""
        for obj in objects:
            if obj is None:
                continue  # a name bound to nothing (a builtin's name): nothing to watch
            try:
                self.watches.append(_ref(obj, self._died))
            except TypeError:
                return False
        return True

    def _died(self, _: object) -> None:
        self.dead = True  # only a flag: this may run in any thread, during a collection

    def has(self, sender: object) -> bool:
        if self.dead:
            return False
        if sender is None:
            return self.every
        if isinstance(sender, type):
            return sender in self.classes
        return type(sender) in self.instances

    def add(self, sender: object) -> None:
        if sender is None:
            self.every = True
        elif isinstance(sender, type):
            self.classes.add(sender)
        else:
            self.instances.add(type(sender))


#: Keys remembered per signal; past this, dead keys are dropped, then all.
MAX_ACCEPTED = 4096
"""How many receiver keys a signal remembers at most."""


def _is_alive(part: object) -> bool:
    if isinstance(part, weakref.ReferenceType):
        return part() is not None
    return not isinstance(part, tuple) or all(map(_is_alive, cast("tuple[object, ...]", part)))


def remember(signal: object, receiver: object, key: Hashable, sender: object) -> None:
    """Remember that ``signal`` accepted ``receiver`` for ``sender``.

    Arguments:

        signal
            The signal (the memory lives in its ``__dict__``).

        receiver
            The receiver, whose names' bindings the verdict watches.

        key
            ``cache_key(receiver)``.

        sender
            The specific sender it was connected for, or None.
    """
    state = vars(signal)
    table: dict[Hashable, _Accepted] = state.setdefault("_accepted", {})
    entry = table.get(key)
    if entry is None or entry.dead:
        func: Any = getattr(receiver, "__func__", receiver)
        names = cast("tuple[Hashable, ...]", key)[5]
        bound = [func.__globals__.get(name) for name in cast("tuple[str, ...]", names)]
        entry = _Accepted()
        if tuple(map(id, bound)) != cast("tuple[Hashable, ...]", key)[6] or not entry.watch(bound):
            return  # rebound meanwhile, or bound to what cannot be watched: not remembered
        if len(table) >= MAX_ACCEPTED:
            for old, passed in list(table.items()):
                if passed.dead or not _is_alive(old):
                    table.pop(old, None)
            if len(table) >= MAX_ACCEPTED:
                table.clear()  # bounded: dynamic code must not grow it forever
        table[key] = entry
    entry.add(sender)


def was_accepted(signal: object, key: Hashable, sender: object) -> bool:
    """Whether ``signal`` accepted a receiver of ``key`` for a sender like ``sender``.

    Arguments:

        signal
            The signal.

        key
            ``cache_key(receiver)``.

        sender
            The specific sender (a class, or an object of a class), or None.
    """
    table: dict[Hashable, _Accepted] | None = vars(signal).get("_accepted")
    passed = table.get(key) if table is not None else None
    return passed is not None and passed.has(sender)
