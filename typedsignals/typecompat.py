"""Decide at run time whether an annotation accepts every value of a type.

The receiver validator asks one question of each annotated receiver parameter:
does its annotation accept what the signal sends?  :func:`accepts` answers
True, False, or None ("cannot decide"), the three-valued logic of
:mod:`typedsignals.rules`, where only a definite False refuses a receiver.  A
false refusal is a bug, so every doubtful case answers None, or True where mypy
itself is lenient (a bare ``list`` means ``list[Any]``).

Combining answers:

* an annotation union accepts T if some member does: any True wins, then None;
  False only when every member refuses (``some``);
* a value union (also several literals, or a constrained TypeVar) is accepted
  only if every member is: any False loses, then None; True only when every
  member is accepted (``every``).  Value unions are split first, so that
  ``int | str`` meets ``int | str`` member by member.

This module handles the typing forms (Any, object, None, unions, Literal,
LiteralString, NewType, TypeVar, Annotated and other wrappers) and hands two
plain or parameterised classes to :func:`typedsignals.generics.classes`, which
compares them by subclassing and their type arguments by typeshed's variance,
calling back here for each argument.  Recursive types end by coinduction (a
comparison met again holds), and a budget of steps bounds the rest (None when
spent).
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from typing import Any

import typing_extensions as te

from .generics import (
    ANY,
    BARE_TUPLE,
    MAX_DEPTH,
    NONE_TYPE,
    classes,
    every,
    forms,
    is_form,
    some,
    strip,
)

__all__ = ["accepts", "show"]

_MAX_STEPS = 5000  # comparisons per call: invariant arguments compare both ways, 2**depth

_NEVER = forms("Never", "NoReturn")
_LITERAL = forms("Literal")
_LITERAL_STRING = forms("LiteralString")
_UNION = (*forms("Union"), types.UnionType)
_ANNOTATED = forms("Annotated")
_LIT: Any = te.Literal


def accepts(annotation: object, value_type: object) -> bool | None:
    """Whether ``annotation`` accepts every value of ``value_type``.

    True: every value is acceptable; False: definitely not; None: cannot decide
    (an exotic or unresolved annotation, or too deep a comparison).  Never raises.
    """
    try:
        return _accepts(annotation, value_type)
    except Exception:  # an exotic annotation must not crash the validator
        return None


def show(tp: object) -> str:
    """Render a type or an annotation for messages the way a user writes it (``int | None``)."""
    try:
        return _show(tp)
    except Exception:  # a hostile __repr__, say
        return object.__repr__(tp)


class _Seen:
    """The comparisons under way (the recursion guard) and the steps taken so far."""

    __slots__ = ("pairs", "steps")

    def __init__(self) -> None:
        self.pairs: list[tuple[object, object]] = []
        self.steps = 0


def _accepts(annotation: object, value_type: object) -> bool | None:
    """accepts() without its exception net (the tests call this one)."""
    return _acc(annotation, value_type, _Seen())


def _union_args(tp: object) -> tuple[object, ...] | None:
    return te.get_args(tp) if is_form(te.get_origin(tp), _UNION) else None


def _literal_args(tp: object) -> tuple[object, ...] | None:
    return te.get_args(tp) if is_form(te.get_origin(tp), _LITERAL) else None


def _is_newtype(tp: object) -> bool:
    return not isinstance(tp, type) and hasattr(tp, "__supertype__")


def _is_concrete(tp: object) -> bool:
    """A class, a generic alias, a NewType or a Literal: not something this module skips."""
    origin = te.get_origin(tp)
    concrete = isinstance(tp, type) or isinstance(origin, type) or is_form(origin, _LITERAL)
    return concrete or _is_newtype(tp)


def _acc(a: object, t: object, seen: _Seen) -> bool | None:
    a, t = strip(a), strip(t)
    if isinstance(a, (str, typing.ForwardRef)) or isinstance(t, (str, typing.ForwardRef)):
        return None  # unresolved: nothing to judge
    if a is t or a is object or is_form(a, ANY) or is_form(t, ANY) or is_form(t, _NEVER):
        return True
    if isinstance(a, typing.TypeVar) and a.__bound__ is None and not a.__constraints__:
        return True  # a generic receiver takes anything
    try:
        if (a == t) is True:
            return True
    except Exception:  # a hostile __eq__ merely leaves it undecided
        return None
    if any(x is a and y is t for x, y in seen.pairs):
        return True  # a recursive type met again: assume it holds (coinduction)
    seen.steps += 1
    if len(seen.pairs) >= MAX_DEPTH or seen.steps > _MAX_STEPS:
        return None
    seen.pairs.append((a, t))
    try:
        return _split_value(a, t, seen)
    finally:
        seen.pairs.pop()


def _split_value(a: object, t: object, seen: _Seen) -> bool | None:
    """A value union (or literals, or a TypeVar) is accepted member by member."""
    members = _union_args(t)
    if members is not None:
        return every(_acc(a, m, seen) for m in members)
    values = _literal_args(t)
    if values is not None and len(values) > 1:
        return every(_acc(a, _LIT[v], seen) for v in values)
    if isinstance(t, typing.TypeVar):
        if t.__constraints__:
            return every(_acc(a, c, seen) for c in t.__constraints__)
        return None if t.__bound__ is None else _acc(a, t.__bound__, seen)
    if is_form(t, _LITERAL_STRING):
        return _acc(a, str, seen)
    return _annotation(a, t, seen)


def _annotation(a: object, t: object, seen: _Seen) -> bool | None:
    members = _union_args(a)
    if members is not None:
        return _union_accepts(members, t, seen)
    if isinstance(a, typing.TypeVar):  # solved to t, if within bound or constraints
        if a.__constraints__:
            return some(_acc(c, t, seen) for c in a.__constraints__)
        return _acc(a.__bound__, t, seen)
    if is_form(a, _NEVER):
        return False
    values = _literal_args(t)
    if is_form(a, _LITERAL_STRING):
        if values is not None:
            return all(isinstance(v, str) for v in values)
        return False if _acc(str, t, seen) is False else None
    if _literal_args(a) is not None:
        return _literal_accepts(te.get_args(a), t)
    if _is_newtype(a):  # only the same NewType, or one derived from it
        x = t
        for _ in range(MAX_DEPTH):
            if x is a or not _is_newtype(x):
                break
            x = typing.cast(Any, x).__supertype__
        return True if x is a else False if _is_concrete(t) else None
    if _is_newtype(t):
        return _acc(a, typing.cast(Any, t).__supertype__, seen)
    if values is not None:
        return _acc(a, type(values[0]), seen)  # Literal['a'] is a str
    return classes(a, t, lambda x, y: _acc(x, y, seen))


def _union_accepts(members: tuple[object, ...], t: object, seen: _Seen) -> bool | None:
    """Some member accepts t; the Literal members count together (bool is True | False)."""
    literals = tuple(v for m in members for v in _literal_args(m) or ())
    result = some(_acc(m, t, seen) for m in members if _literal_args(m) is None)
    if result is not True and literals:
        result = some((result, _literal_accepts(literals, t)))
    if result is False and _has_alternatives(t):
        return None  # tuple[int | str] fits tuple[int] | tuple[str], though no member alone
    return result


def _has_alternatives(tp: object) -> bool:
    """Whether a union (or several literals) hides in tp's type arguments."""
    return _literal_args(tp) is None and any(
        _union_args(x) is not None or len(_literal_args(x) or ()) > 1 or _has_alternatives(x)
        for x in te.get_args(tp)
    )


def _literal_accepts(values: tuple[object, ...], t: object) -> bool | None:
    def has(v: object) -> bool:
        return any(type(v) is type(w) and v == w for w in values)  # 1 is not True

    t_values = _literal_args(t)
    if t_values is not None:
        return all(has(v) for v in t_values)
    if t is bool or t is NONE_TYPE:
        return all(has(v) for v in ((True, False) if t is bool else (None,)))
    if inspect.isclass(t) and issubclass(t, enum.Enum):
        if not all(has(m) for m in t):
            return False
        return None if issubclass(t, enum.Flag) else True  # flags also combine members
    return False if _is_concrete(t) else None


def _show(tp: object) -> str:
    if tp is None or tp is NONE_TYPE or tp is Ellipsis:
        return "..." if tp is Ellipsis else "None"
    if isinstance(tp, (str, typing.ForwardRef)):
        return tp if isinstance(tp, str) else tp.__forward_arg__
    if isinstance(tp, list):  # Callable's parameters
        params = typing.cast("list[object]", tp)  # isinstance() knows no item type
        return "[" + ", ".join(_show(x) for x in params) + "]"
    origin, args = te.get_origin(tp), te.get_args(tp)
    if origin is None:
        if isinstance(tp, type):
            return tp.__qualname__.rpartition("<locals>.")[2]
        name = getattr(tp, "__name__", None)  # TypeVar, NewType, type alias
        return name if isinstance(name, str) else re.sub(r"\btyping(_extensions)?\.", "", repr(tp))
    if is_form(origin, _UNION):
        return " | ".join(_show(x) for x in args)
    if is_form(origin, _LITERAL):
        shown = (
            f"{type(v).__qualname__}.{v.name}" if isinstance(v, enum.Enum) else repr(v)
            for v in args
        )
        return f"Literal[{', '.join(shown)}]"
    name = getattr(tp, "_name", None) or _show(origin)
    if is_form(origin, _ANNOTATED):
        return f"{name}[{_show(args[0])}, {', '.join(repr(x) for x in args[1:])}]"
    if not args:
        return f"{name}[()]" if origin is tuple and tp is not BARE_TUPLE else name
    return f"{name}[{', '.join(_show(x) for x in args)}]"
