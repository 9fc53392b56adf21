"""The signature validator: receivers checked at connect time.

It reads a receiver's parameters with ``inspect.signature`` and their
annotations with ``typing.get_type_hints``, the signal's types with
``signaltypes``, and applies the rules of ``rules.py`` (the same rules the
mypy plugin applies) with ``typecompat.accepts`` as the judge of "does this
annotation accept that type".

Reading a receiver is the costly part, so each signal remembers which
receivers it accepted, keyed by their code object and annotations: the
closures of one ``def`` share an entry. That memory holds nothing strongly
(weak references to the code, the annotations and the senders' classes), so
it keeps no receiver, sender or class alive.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import types
import typing
import weakref
from collections.abc import Callable, Hashable
from types import FunctionType, MethodType
from typing import Any, cast

import typing_extensions as te

from . import rules, typecompat
from ._utils import describe_callable, unwrap
from .errors import ReceiverError
from .generics import forms, is_form
from .signaltypes import (
    SignalTypes,
    check_type_arguments,
    payload_fields,
    signal_text,
    signal_types,
    typeddict_fields,
)

__all__ = [
    "SignalTypes",
    "check_receiver",
    "check_type_arguments",
    "payload_fields",
    "receiver_params",
    "signal_text",
    "signal_types",
]

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: rules.ParamKind.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: rules.ParamKind.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.VAR_POSITIONAL: rules.ParamKind.VAR_POSITIONAL,
    inspect.Parameter.KEYWORD_ONLY: rules.ParamKind.KEYWORD_ONLY,
    inspect.Parameter.VAR_KEYWORD: rules.ParamKind.VAR_KEYWORD,
}
_UNPACK = forms("Unpack")


# -- reading a receiver ------------------------------------------------------------------


def _hints(target: object) -> dict[str, object]:
    """Resolved annotations; names that cannot be resolved are left out (unknown)."""
    try:
        return dict(typing.get_type_hints(target))
    except Exception:
        pass
    raw: dict[str, object] = getattr(target, "__annotations__", None) or {}
    namespace = _namespace(target)
    resolved = {name: _resolve(ann, namespace) for name, ann in raw.items()}
    return {name: hint for name, hint in resolved.items() if hint is not None}


def _resolve(annotation: object, namespace: dict[str, Any]) -> object:
    """One annotation resolved in ``namespace``; None if it cannot be."""
    try:
        return typing.get_type_hints(_Holder(annotation), globalns=namespace)["x"]
    except Exception:
        return None


class _Holder:
    """An object with one annotation, to resolve annotations one at a time."""

    def __init__(self, annotation: object) -> None:
        self.__annotations__ = {"x": annotation}


def _namespace(target: object) -> dict[str, Any]:
    found: object = getattr(target, "__globals__", None)
    if isinstance(found, dict):
        return cast("dict[str, Any]", found)
    module = inspect.getmodule(target)
    return vars(module) if module is not None else {}


def _class_factory(cls: type) -> object:
    """The function whose signature ``inspect.signature(cls)`` reads (as inspect does)."""
    call = inspect.getattr_static(type(cls), "__call__", None)
    if call is not type.__call__ and inspect.isfunction(call):
        return call
    for base in cls.__mro__[:-1]:
        for name in ("__new__", "__init__"):
            found = base.__dict__.get(name)
            if isinstance(found, staticmethod):
                found = cast(Any, found).__func__
            if inspect.isfunction(found):
                return found
    return cls


def _annotated_target(receiver: object) -> object:
    """The function whose annotations describe the receiver's parameters."""
    target = unwrap(receiver)
    if inspect.isclass(target):
        return unwrap(_class_factory(target))
    if not (inspect.isfunction(target) or inspect.isbuiltin(target)) and callable(target):
        return unwrap(type(target).__call__)  # a callable instance
    return target


def receiver_params(receiver: Callable[..., Any]) -> tuple[rules.Param[object], ...] | None:
    """The receiver's parameters as the dispatcher calls it; None if it has no signature.

    ``**kwargs: Unpack[TD]`` is spelled out as TD's keys (``rules.unpack_kwargs``).
    A callable object whose dunders raise when inspect reads them (``__eq__``,
    ``__signature__``, ``__wrapped__``) is read through its class's ``__call__``;
    whatever else a hostile receiver raises propagates (``check_receiver`` names it).
    """
    call = _own_call(receiver)
    try:
        params = _read_params(receiver)
    except Exception:
        if call is None:
            raise
        params = None
    if params is None and call is not None:  # e.g. an object inspect takes for a builtin
        params = _read_params(call)
        return None if params is None else params[1:]  # without self
    return params


def _own_call(receiver: object) -> Callable[..., Any] | None:
    """The Python ``__call__`` of a callable object whose attribute lookup is ordinary."""
    cls = type(receiver)
    call: object = inspect.getattr_static(cls, "__call__", None)
    if inspect.isclass(receiver) or not inspect.isfunction(call):
        return None
    for name in ("__getattr__", "__getattribute__"):  # may raise anywhere: not read around
        ordinary = inspect.getattr_static(object, name, None)
        if inspect.getattr_static(cls, name, None) is not ordinary:
            return None
    return cast("Callable[..., Any]", call)


def _read_params(receiver: Callable[..., Any]) -> tuple[rules.Param[object], ...] | None:
    try:
        signature = inspect.signature(receiver)
    except (TypeError, ValueError):
        return None  # a builtin without a signature: accepted, as in Django
    target = _annotated_target(receiver)
    own: dict[str, object] = getattr(target, "__annotations__", None) or {}
    hints = _hints(target)
    namespace = _namespace(target)
    params: list[rules.Param[object]] = []
    unpacked: dict[str, rules.Field[object]] | None = None
    for p in signature.parameters.values():
        hint: object = None
        if p.annotation is not inspect.Parameter.empty:
            # The target's own annotation if inspect read the same one; else resolve it.
            same = own.get(p.name, p) is p.annotation
            hint = hints.get(p.name) if same else _resolve(p.annotation, namespace)
        kind = _KINDS[p.kind]
        if kind is rules.ParamKind.VAR_KEYWORD and is_form(te.get_origin(hint), _UNPACK):
            unpacked = _unpacked_keys(te.get_args(hint)[0])
        params.append(rules.Param(p.name, kind, p.default is not inspect.Parameter.empty, hint))
    return tuple(rules.unpack_kwargs(params, unpacked) if unpacked is not None else params)


def _unpacked_keys(td: object) -> dict[str, rules.Field[object]] | None:
    origin = te.get_origin(td) or td
    return typeddict_fields(td) if te.is_typeddict(origin) else None


# -- what a signal remembers: the receivers it accepted -------------------------------------

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
        return weakref.ref(value)
    except TypeError:
        raise _Uncacheable from None


def _cache_key(receiver: object) -> Hashable | None:
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
        weakref.ref(func.__code__),
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
                self.watches.append(weakref.ref(obj, self._died))
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
_MAX_ACCEPTED = 4096


def _is_alive(part: object) -> bool:
    if isinstance(part, weakref.ReferenceType):
        return part() is not None
    return not isinstance(part, tuple) or all(map(_is_alive, cast("tuple[object, ...]", part)))


def _remember(signal: object, receiver: object, key: Hashable, sender: object) -> None:
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
        if len(table) >= _MAX_ACCEPTED:
            for old, passed in list(table.items()):
                if passed.dead or not _is_alive(old):
                    table.pop(old, None)
            if len(table) >= _MAX_ACCEPTED:
                table.clear()  # bounded: dynamic code must not grow it forever
        table[key] = entry
    entry.add(sender)


def _was_accepted(signal: object, key: Hashable, sender: object) -> bool:
    table: dict[Hashable, _Accepted] | None = vars(signal).get("_accepted")
    passed = table.get(key) if table is not None else None
    return passed is not None and passed.has(sender)


# -- the check --------------------------------------------------------------------------


def _value_type(sender: object) -> object:
    """What a specific sender is, as a type: ``type[C]`` for a class, else its class."""
    return types.GenericAlias(type, (sender,)) if isinstance(sender, type) else type(sender)


def _unreadable(receiver: object, signal: object, exc: Exception) -> TypeError:
    try:
        detail = f"{type(exc).__qualname__}: {exc}"
    except Exception:  # an exception whose str() fails too
        detail = type(exc).__qualname__
    return TypeError(
        f"Cannot read the signature of receiver {describe_callable(receiver)} for "
        f"{signal_text(signal)}: reading it raised {detail}. Pass check=False to connect "
        "it without the signature check."
    )


def check_receiver(signal: object, receiver: Callable[..., Any], sender: object) -> None:
    """Raise ``ReceiverError`` listing every rule ``receiver`` breaks for ``signal``.

    Arguments:

        signal
            The signal it is being connected to.

        receiver
            The callable; parameters are read as the dispatcher will call it. One
            whose signature cannot be read because it raises (a hostile
            ``__getattr__`` or ``__signature__``) is refused with a ``TypeError``
            naming it.

        sender
            The specific sender given to connect, or None for every sender;
            when given, it must be of the signal's sender type, and the
            receiver's ``sender`` annotation must accept it (instead of the
            signal's whole sender type).
    """
    key = _cache_key(receiver)
    if key is not None:
        try:
            if _was_accepted(signal, key, sender):
                return  # the same code, annotations and kind of sender passed before
        except Exception:  # an annotation or sender class with a hostile __eq__ or __hash__
            key = None
    try:
        params = receiver_params(receiver)
    except Exception as exc:
        raise _unreadable(receiver, signal, exc) from exc
    if params is not None:
        types_ = signal_types(signal)
        violations = rules.check_receiver(
            params,
            sender=types_.sender,
            specific=_value_type(sender) if sender is not None else None,
            payload=types_.fields,
            accepts=typecompat.accepts,
            show=typecompat.show,
        )
        if violations:
            raise ReceiverError(
                receiver, signal, violations, describe_callable(receiver), signal_text(signal)
            )
    if key is not None:
        with contextlib.suppress(Exception):  # unhashable after all: not remembered
            _remember(signal, receiver, key, sender)
