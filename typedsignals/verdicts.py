"""What a signal remembers: the receivers it accepted, and for which senders.

Reading a receiver is the costly part of a connect, so each signal keeps its
verdicts per code object (``id(func.__code__)``): the closures of one ``def``
(and the bound methods of one function) are read once. A verdict applies to
another function of the same code if what decides the rules is the same:
its annotations (by identity, or equality for unions and generic aliases),
which parameters have defaults, what the names in its string annotations are
bound to now, and no ``__wrapped__``, ``__signature__`` or coroutine marker.

That memory must keep nothing alive (README, "Weak references"): the code and
every object compared by identity are watched through weak references (the
verdict dies with any of them), senders' classes are in weak sets; only
strings and atoms are held.

Reading a function's ``__annotations__`` makes a dict (184 bytes for three
annotations) on every closure, and its ``__dict__`` another. CPython keeps
the annotations until then as the tuple ``MAKE_FUNCTION`` built, which
``gc.get_referents`` lists without making either dict: for a function laid
out as the one remembered (no ``__dict__``, no defaults), that tuple is
compared instead. Anything else (a ``__dict__``, defaults, another layout)
is read through the attributes.
"""

from __future__ import annotations

import gc
import operator
import re
import types
import weakref
from collections.abc import Callable
from types import CodeType, FunctionType, MethodType
from typing import Any, cast

__all__ = ["MAX_ACCEPTED", "recall", "recall_function", "remember"]

_referents = gc.get_referents
_proxy = weakref.proxy  # bound now: Django's tests patch weakref.ref
_ref = weakref.ref
_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect
#: Attributes that make a function read through something else, or mark it a coroutine
#: (inspect.markcoroutinefunction's on 3.12+, asgiref's before): never remembered.
_SPECIAL = ("__wrapped__", "__signature__", "_is_coroutine_marker", "_is_coroutine")
_ATOMS = (int, float, bytes, bool, complex, types.EllipsisType)

_DIED = object()  # a dead verdict's ``raw``: no function's annotations

#: Verdicts remembered per signal; past this, dead ones are dropped, then all.
MAX_ACCEPTED = 4096
"""How many verdicts a signal remembers at most."""


class _Unrememberable(Exception):
    """A value that can be neither watched, held nor taken apart."""


class _Exact:
    """Matches an atom of the same type and value (``1`` is not ``True``)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self.value) and bool(other == self.value)

    __hash__ = None  # type: ignore[assignment]


class _Parts:
    """Matches a union or tuple (which cannot be weakly referenced) by its parts."""

    __slots__ = ("is_union", "parts")

    def __init__(self, is_union: bool, parts: tuple[object, ...]) -> None:
        self.is_union = is_union
        self.parts = parts

    def __eq__(self, other: object) -> bool:
        if self.is_union:
            return isinstance(other, types.UnionType) and bool(other.__args__ == self.parts)
        return type(other) is tuple and bool(other == self.parts)

    __hash__ = None  # type: ignore[assignment]


class _Verdict:
    """One remembered acceptance: a function's shape, and the senders it was accepted for.

    It dies (``dead``) with its code or any object it compares by identity.
    """

    __slots__ = (
        "__weakref__",
        "bound",
        "bound_getter",
        "classes",
        "code",
        "dead",
        "every",
        "flat",
        "instances",
        "is_async",
        "is_method",
        "kwdefaults",
        "mapping",
        "n_defaults",
        "n_referents",
        "names",
        "plain",
        "raw",
        "strings_only",
        "unbound",
    )

    def __init__(self, func: Any, is_method: bool) -> None:
        self.dead = False
        self.every = False  # accepted for sender=None
        self.instances: weakref.WeakSet[type] = weakref.WeakSet()  # for objects of these
        self.classes: weakref.WeakSet[type] = weakref.WeakSet()  # for these class senders
        self.is_method = is_method
        code: CodeType = func.__code__
        self.code = _ref(code, self.died)
        self.is_async = bool(code.co_flags & _CO_COROUTINE)
        self.n_defaults = len(func.__defaults__ or ())
        self.kwdefaults: tuple[str, ...] = tuple(func.__kwdefaults__ or ())
        self.plain = not self.n_defaults and not self.kwdefaults
        annotations: dict[str, object] = func.__annotations__
        self.mapping = {name: self.matcher(value) for name, value in annotations.items()}
        # MAKE_FUNCTION's layout: (name, annotation, name, annotation, ...).
        self.flat = tuple([x for item in self.mapping.items() for x in item]) or None
        # Strings only (PEP 563): every closure of the def gets the same tuple, kept once seen.
        self.strings_only = all(type(x) is str for x in self.flat or (1,))
        self.raw: object = None
        # What the names in string annotations are bound to now: after a module
        # reload the same text names new classes.
        self.names = names = _names_in(annotations)
        namespace: dict[str, Any] = func.__globals__
        bound = tuple([name for name in names if name in namespace])
        # One C call reads them all (a single name: its value, not a tuple).
        self.bound_getter: Callable[[dict[str, Any]], object] | None = (
            operator.itemgetter(*bound) if bound else None
        )
        values = [self.matcher(namespace[name]) for name in bound]
        self.bound: object = values[0] if len(values) == 1 else tuple(values)
        self.unbound = frozenset(names) - frozenset(bound)  # builtins, or not defined yet
        self.n_referents = _layout(func, annotations)

    def died(self, _: object) -> None:
        # Only flags: this may run in any thread, during a collection.
        self.dead = True
        self.raw = _DIED  # recall_function compares it by identity

    def matcher(self, value: object, depth: int = 0) -> object:
        """What compares equal to ``value`` (and to what is identical to it), held weakly."""
        if value is None or type(value) is str:
            return value
        if type(value) in _ATOMS:
            return _Exact(value)
        if isinstance(value, tuple):
            parts, is_union = cast("tuple[object, ...]", value), False
        elif isinstance(value, types.UnionType):
            parts, is_union = cast("tuple[object, ...]", value.__args__), True
        else:
            try:
                return _proxy(value, self.died)
            except TypeError:
                raise _Unrememberable from None
        if depth >= 8:
            raise _Unrememberable
        return _Parts(is_union, tuple([self.matcher(p, depth + 1) for p in parts]))

    def has(self, sender: object) -> bool:
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

    def matches(self, func: Any) -> bool:
        """Whether ``func`` (of this verdict's code) has the shape remembered.

        ``recall`` inlines the common case: a function laid out as the one
        remembered, without a ``__dict__`` or defaults.
        """
        if self.dead or self.code() is not func.__code__ or not self.same_defaults(func):
            return False
        if any(hasattr(func, name) for name in _SPECIAL):
            return False
        annotations = func.__annotations__
        if not (annotations == self.mapping if annotations else self.flat is None):
            return False
        return self.same_bindings(func.__globals__)

    def same_bindings(self, namespace: dict[str, Any]) -> bool:
        """Whether the names in the string annotations are bound as they were."""
        if self.bound_getter is not None and self.bound_getter(namespace) != self.bound:
            return False
        return not self.unbound or namespace.keys().isdisjoint(self.unbound)

    def same_defaults(self, func: Any) -> bool:
        """Whether the same parameters of ``func`` have defaults."""
        defaults = func.__defaults__
        kwdefaults = func.__kwdefaults__
        return (len(defaults) if defaults else 0) == self.n_defaults and (
            tuple(kwdefaults) if kwdefaults else ()
        ) == self.kwdefaults


def _function_of(receiver: object) -> tuple[Any, bool] | None:
    """``(function, is_method)`` for a plain function or bound method; None otherwise."""
    if type(receiver) is FunctionType:
        return receiver, False
    if type(receiver) is MethodType and type(receiver.__func__) is FunctionType:
        return receiver.__func__, True
    return None


def recall(signal: object, receiver: object, sender: object) -> bool | None:
    """Whether ``signal`` accepted a receiver like ``receiver`` for a sender like ``sender``.

    Arguments:

        signal
            The signal (the memory is its ``_accepted`` attribute).

        receiver
            A plain function or bound method; anything else is never remembered.

        sender
            The specific sender (a class, or an object of a class), or None.

    Return None if not; else whether ``receiver`` is a coroutine function. A
    sender class whose hash or equality raises makes this raise.
    """
    if type(receiver) is FunctionType:  # _function_of's commonest case, inlined
        func: Any = receiver
        is_method = False
    else:
        found = _function_of(receiver)
        if found is None:
            return None
        func, is_method = found
    table: dict[int, list[_Verdict]] | None = getattr(signal, "_accepted", None)
    verdicts = table.get(id(func.__code__)) if table else None
    if verdicts is None:
        return None
    referents = _referents(func)
    for verdict in verdicts:
        # Alive, so its code is this very code object (a verdict dies with its code).
        if verdict.dead or verdict.is_method is not is_method:
            continue
        if not (verdict.every if sender is None else verdict.has(sender)):
            continue
        try:
            if (
                len(referents) != verdict.n_referents
                or func.__defaults__ is not None
                or func.__kwdefaults__ is not None
                or not verdict.plain
            ):
                # A __dict__, or defaults: read through the attributes.
                if verdict.matches(func):
                    return verdict.is_async
                continue
            # Laid out as checked when remembered, without a __dict__: nothing to
            # read through, no coroutine marker; the annotations are next to last.
            if verdict.flat is not None:
                annotations: object = referents[-2]
                if annotations is not verdict.raw:
                    if type(annotations) is tuple:
                        if annotations != verdict.flat:
                            continue
                        if verdict.strings_only:
                            verdict.raw = annotations  # the def's constant: holds only strings
                    elif annotations is not func.__annotations__ or annotations != verdict.mapping:
                        continue  # not the annotations dict (a __dict__ in its place)
            if verdict.names:  # same_bindings, inlined
                namespace = func.__globals__
                getter = verdict.bound_getter
                if getter is not None and getter(namespace) != verdict.bound:
                    continue
                if verdict.unbound and not namespace.keys().isdisjoint(verdict.unbound):
                    continue
        except Exception:  # an annotation with a hostile __eq__, a proxy whose referent died
            continue
        if sender is None and not is_method and verdict.plain:
            _remember_recent(signal, id(func.__code__), verdict)
        return verdict.is_async
    return None


def recall_function(signal: Any, func: FunctionType) -> bool | None:
    """``recall(signal, func, None)`` for a plain function, as connect's fast path asks it.

    It tries first the verdict that matched a function of the same code last
    time by its def's own annotations tuple: the closures of one ``def``
    connected one after another. The same checks as ``recall``, in one frame.

    Arguments:

        signal
            The signal (its ``_recent_verdicts`` slot holds what matched last).

        func
            A plain function, connected for every sender.
    """
    verdict: _Verdict | None = signal._recent_verdicts.get(id(func.__code__))
    if verdict is not None:  # accepted for every sender: it cannot be taken back
        referents = _referents(func)
        # The def's annotations tuple itself (never once the verdict is dead), and the
        # layout remembered: with the same code, a __dict__ or defaults would add a referent.
        if referents[-2] is verdict.raw and len(referents) == verdict.n_referents:
            getter = verdict.bound_getter
            namespace = func.__globals__
            try:
                if (getter is None or getter(namespace) == verdict.bound) and (
                    not verdict.unbound or namespace.keys().isdisjoint(verdict.unbound)
                ):
                    return verdict.is_async
            except Exception:  # a hostile __eq__: recall says what it is
                pass
    return recall(signal, func, None)


def _remember_recent(signal: Any, code_id: int, verdict: _Verdict) -> None:
    """What ``recall_function`` tries first for this code: a verdict it can match
    by the def's own annotations tuple (``raw``), once one is known."""
    if verdict.raw is None:
        return
    recent: dict[int, _Verdict] = signal._recent_verdicts
    if len(recent) >= MAX_ACCEPTED:
        recent.clear()  # bounded: dynamic code must not grow it forever
    recent[code_id] = verdict


def remember(signal: object, receiver: object, sender: object) -> None:
    """Remember that ``signal`` accepted ``receiver`` for ``sender`` (after reading it).

    Arguments:

        signal
            The signal (the memory is its ``_accepted`` attribute).

        receiver
            The receiver: a plain function or bound method is remembered,
            anything else is not.

        sender
            The specific sender it was connected for, or None.
    """
    found = _function_of(receiver)
    if found is None:
        return
    func, is_method = found
    if any(hasattr(func, name) for name in _SPECIAL):
        return
    # Attributes, not vars(): on 3.12+ making the instance's __dict__ slows every
    # attribute and method it reads (send's among them).
    table: dict[int, list[_Verdict]] | None = getattr(signal, "_accepted", None)
    if table is None:
        table = cast(Any, signal)._accepted = {}
    code = func.__code__
    verdicts = table.get(id(code))
    if verdicts is not None:
        verdicts[:] = [v for v in verdicts if not v.dead]  # an id reused by new code
        for verdict in verdicts:
            if verdict.is_method is is_method and verdict.matches(func):
                verdict.add(sender)
                return
    try:
        verdict = _Verdict(func, is_method)
    except _Unrememberable:
        return
    verdict.add(sender)
    if sum(map(len, table.values())) >= MAX_ACCEPTED:
        for key, kept in list(table.items()):
            kept[:] = [v for v in kept if not v.dead]
            if not kept:
                del table[key]
        if sum(map(len, table.values())) >= MAX_ACCEPTED:
            table.clear()  # bounded: dynamic code must not grow it forever
    table.setdefault(id(code), []).append(verdict)


def _layout(func: Any, annotations: dict[str, object]) -> int:
    """How many referents ``gc.get_referents`` lists for a function of this code that
    has no ``__dict__`` and the annotations ``MAKE_FUNCTION`` gave it; -1 if the
    layout is not CPython's (then functions are read through their attributes)."""
    referents = _referents(func)
    if len(referents) < 3 or referents[0] is not func.__code__:
        return -1
    if referents[-1] is not func.__qualname__ or referents[-2] is not annotations:
        return -1
    known = (func.__globals__, func.__builtins__, func.__kwdefaults__, annotations)
    has_dict = any(type(r) is dict and all(r is not k for k in known) for r in referents)
    # An empty annotations dict was made by reading it: MAKE_FUNCTION left none.
    return len(referents) - has_dict - (not annotations)


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CONSTANTS = frozenset({"None", "True", "False"})  # keywords: they cannot be rebound
#: The names each tuple of string annotations mentions: parsing them is the costly part.
_names_cache: dict[tuple[str, ...], tuple[str, ...]] = {}


def _names_in(annotations: dict[str, object]) -> tuple[str, ...]:
    strings = tuple([a for a in annotations.values() if type(a) is str])
    if not strings:
        return ()
    names = _names_cache.get(strings)
    if names is None:
        found = {name for text in strings for name in _IDENTIFIER.findall(text)}
        names = tuple(sorted(found - _CONSTANTS))
        if len(_names_cache) > 4096:
            _names_cache.clear()  # bounded: dynamic code must not grow it forever
        _names_cache[strings] = names
    return names
