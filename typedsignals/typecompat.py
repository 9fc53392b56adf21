"""Decide at run time whether an annotation accepts every value of a type.

The receiver validator asks one question of each annotated receiver parameter:
does its annotation accept what the signal sends?  :func:`accepts` answers
True, False, or None ("cannot decide"), the three-valued logic of
:mod:`typedsignals.rules`, where only a definite False refuses a receiver.  A
false refusal is a bug, so every doubtful case answers None, or True where mypy
itself is lenient (a bare ``list`` means ``list[Any]``).

Combining answers:

* an annotation union accepts T if some member does: any True wins, then None;
  False only when every member refuses (``_any``);
* a value union (also several literals, or a constrained TypeVar) is accepted
  only if every member is: any False loses, then None; True only when every
  member is accepted (``_all``).  Value unions are split first, so that
  ``int | str`` meets ``int | str`` member by member.

Type arguments follow typeshed's variance: covariant for immutable ABCs
(Sequence, Mapping values, Iterable, tuple, frozenset...), invariant for mutable
containers and TypedDict values, contravariant for a generator's send type.
Recursive types end by coinduction (a comparison met again holds), and a budget
of steps bounds the rest (None when spent).
"""

from __future__ import annotations

import collections
import collections.abc as cabc
import enum
import re
import types
import typing
from collections.abc import Iterable
from typing import Any

import typing_extensions as te

__all__ = ["accepts", "show"]

_MAX_DEPTH = 64  # nesting of comparisons
_MAX_STEPS = 5000  # comparisons per call: invariant arguments compare both ways, 2**depth
_NONE_TYPE = type(None)


def _is(x: object, forms: Iterable[object]) -> bool:
    return any(x is form for form in forms)


def _forms(*names: str) -> tuple[object, ...]:
    """The objects called ``names`` in typing and typing_extensions (they may differ)."""
    found: list[object] = []
    for form in (getattr(m, n, None) for m in (typing, te) for n in names):
        if form is not None and not _is(form, found):
            found.append(form)
    return tuple(found)


_ANY = _forms("Any")
_NEVER = _forms("Never", "NoReturn")
_LITERAL = _forms("Literal")
_LITERAL_STRING = _forms("LiteralString")
_UNION = (*_forms("Union"), types.UnionType)
_UNPACK = _forms("Unpack")
_ANNOTATED = _forms("Annotated")
_GENERIC = _forms("Generic", "Protocol")
_WRAPPERS = _forms("Annotated", "Required", "NotRequired", "ReadOnly", "ClassVar", "Final")
_ALIASES = tuple(t for t in _forms("TypeAliasType") if isinstance(t, type))
_LIT: Any = te.Literal
_UNION_OF: Any = typing.Union
_BARE_TUPLE: object = typing.Tuple  # noqa: UP006 (typing.Tuple without arguments, not tuple[()])

# Non-subclasses that PEP 484 (and mypy, before --strict-bytes) accepts anyway.
_PROMOTIONS: dict[type, tuple[type, ...]] = {
    float: (int,),
    complex: (int, float),
    bytes: (bytearray, memoryview),
}
# How builtins parameterise the ABCs they implement, as typeshed says.
_IMPLICIT: dict[type, object] = {
    str: cabc.Sequence[str],
    bytes: cabc.Sequence[int],
    bytearray: cabc.MutableSequence[int],
    memoryview: cabc.Sequence[int],
    range: cabc.Sequence[int],
}
# Variance of each type parameter: "+" covariant, "-" contravariant, "=" invariant.
# Mutable containers are invariant: list[float] does NOT accept list[int], since a
# receiver may append a float to the sender's list of ints (mypy refuses it too).
_VARIANCE: dict[type, str] = {
    **dict.fromkeys((tuple, frozenset, type, cabc.Iterable, cabc.Iterator, cabc.Reversible), "+"),
    **dict.fromkeys((cabc.Container, cabc.Collection, cabc.Sequence, cabc.Set, cabc.KeysView), "+"),
    **dict.fromkeys((cabc.ValuesView, cabc.Awaitable, cabc.AsyncIterable, cabc.AsyncIterator), "+"),
    **dict.fromkeys((list, set, collections.deque, collections.Counter), "="),
    **dict.fromkeys((cabc.MutableSequence, cabc.MutableSet), "="),
    **dict.fromkeys((dict, collections.defaultdict, collections.OrderedDict), "=="),
    **dict.fromkeys((collections.ChainMap, cabc.MutableMapping), "=="),
    cabc.Mapping: "=+",  # typeshed: Mapping[_KT, _VT_co]
    cabc.Generator: "+-+",
    cabc.AsyncGenerator: "+-",
    cabc.Coroutine: "+-+",
}


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


def _any(results: Iterable[bool | None]) -> bool | None:
    """Some alternative holds: True wins over None, which wins over False."""
    found: bool | None = False
    for r in results:
        if r:
            return True
        found = None if r is None else found
    return found


def _all(results: Iterable[bool | None]) -> bool | None:
    """Every part holds: False wins over None, which wins over True."""
    found: bool | None = True
    for r in results:
        if r is False:
            return False
        found = None if r is None else found
    return found


def _strip(tp: object) -> object:
    """Drop what does not change the type: Annotated, Required, ClassVar, aliases..."""
    for _ in range(_MAX_DEPTH):
        if tp is None:
            return _NONE_TYPE
        if _ALIASES and isinstance(tp, _ALIASES):
            tp = typing.cast(Any, tp).__value__
        elif _is(te.get_origin(tp), _WRAPPERS) and te.get_args(tp):
            tp = te.get_args(tp)[0]
        else:
            break
    return tp


def _union_args(tp: object) -> tuple[object, ...] | None:
    return te.get_args(tp) if _is(te.get_origin(tp), _UNION) else None


def _literal_args(tp: object) -> tuple[object, ...] | None:
    return te.get_args(tp) if _is(te.get_origin(tp), _LITERAL) else None


def _is_newtype(tp: object) -> bool:
    return not isinstance(tp, type) and hasattr(tp, "__supertype__")


def _is_concrete(tp: object) -> bool:
    """A class, a generic alias, a NewType or a Literal: not something this module skips."""
    origin = te.get_origin(tp)
    concrete = isinstance(tp, type) or isinstance(origin, type) or _is(origin, _LITERAL)
    return concrete or _is_newtype(tp)


def _is_typeddict(tp: object) -> bool:
    return te.is_typeddict(tp) or typing.is_typeddict(tp)


def _acc(a: object, t: object, seen: _Seen) -> bool | None:
    a, t = _strip(a), _strip(t)
    if isinstance(a, (str, typing.ForwardRef)) or isinstance(t, (str, typing.ForwardRef)):
        return None  # unresolved: nothing to judge
    if a is t or a is object or _is(a, _ANY) or _is(t, _ANY) or _is(t, _NEVER):
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
    if len(seen.pairs) >= _MAX_DEPTH or seen.steps > _MAX_STEPS:
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
        return _all(_acc(a, m, seen) for m in members)
    values = _literal_args(t)
    if values is not None and len(values) > 1:
        return _all(_acc(a, _LIT[v], seen) for v in values)
    if isinstance(t, typing.TypeVar):
        if t.__constraints__:
            return _all(_acc(a, c, seen) for c in t.__constraints__)
        return None if t.__bound__ is None else _acc(a, t.__bound__, seen)
    if _is(t, _LITERAL_STRING):
        return _acc(a, str, seen)
    return _annotation(a, t, seen)


def _annotation(a: object, t: object, seen: _Seen) -> bool | None:
    members = _union_args(a)
    if members is not None:
        return _union_accepts(members, t, seen)
    if isinstance(a, typing.TypeVar):  # solved to t, if within bound or constraints
        if a.__constraints__:
            return _any(_acc(c, t, seen) for c in a.__constraints__)
        return _acc(a.__bound__, t, seen)
    if _is(a, _NEVER):
        return False
    values = _literal_args(t)
    if _is(a, _LITERAL_STRING):
        if values is not None:
            return all(isinstance(v, str) for v in values)
        return False if _acc(str, t, seen) is False else None
    if _literal_args(a) is not None:
        return _literal_accepts(te.get_args(a), t)
    if _is_newtype(a):  # only the same NewType, or one derived from it
        x = t
        for _ in range(_MAX_DEPTH):
            if x is a or not _is_newtype(x):
                break
            x = typing.cast(Any, x).__supertype__
        return True if x is a else False if _is_concrete(t) else None
    if _is_newtype(t):
        return _acc(a, typing.cast(Any, t).__supertype__, seen)
    if values is not None:
        return _acc(a, type(values[0]), seen)  # Literal['a'] is a str
    return _classes(a, t, seen)


def _union_accepts(members: tuple[object, ...], t: object, seen: _Seen) -> bool | None:
    """Some member accepts t; the Literal members count together (bool is True | False)."""
    literals = tuple(v for m in members for v in _literal_args(m) or ())
    result = _any(_acc(m, t, seen) for m in members if _literal_args(m) is None)
    if result is not True and literals:
        result = _any((result, _literal_accepts(literals, t)))
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
    if t is bool or t is _NONE_TYPE:
        return all(has(v) for v in ((True, False) if t is bool else (None,)))
    if isinstance(t, type) and issubclass(t, enum.Enum):
        if not all(has(m) for m in t):
            return False
        return None if issubclass(t, enum.Flag) else True  # flags also combine members
    return False if _is_concrete(t) else None


def _classes(a: object, t: object, seen: _Seen) -> bool | None:
    """Both sides are (parameterised) classes, or something this module cannot judge."""
    a_origin, a_args = (a, ()) if te.get_origin(a) is None else (te.get_origin(a), te.get_args(a))
    t_origin, t_args = (t, ()) if te.get_origin(t) is None else (te.get_origin(t), te.get_args(t))
    if a_origin is type and a is not type:  # type[X]: values are classes
        if t_origin is type:
            return _acc(a_args[0] if a_args else Any, t_args[0] if t_args else Any, seen)
        if isinstance(t_origin, type):  # t's instances are classes only if t is a metaclass
            return None if issubclass(t_origin, type) else False
        return None
    if a_origin is cabc.Callable:  # no callable subtyping: only equal or loose forms decide
        if t_origin is cabc.Callable and a_args == t_args:
            return True  # typing.Callable[[int], str] is collections.abc.Callable[[int], str]
        if a_args and (a_args[0] is not Ellipsis or not _is(a_args[1], (*_ANY, object))):
            return None
        if t_origin is cabc.Callable or t_origin is type:
            return True
        if isinstance(t_origin, type) and any("__call__" in vars(k) for k in t_origin.__mro__):
            return True
        return None
    if t_origin is cabc.Callable or _is(a_origin, _GENERIC):
        return None  # a callable value: no callable subtyping here
    if not isinstance(a_origin, type) or not isinstance(t_origin, type):
        return None

    if _is_typeddict(a_origin):  # a TypedDict accepts TypedDicts only
        return _typeddict_accepts(a_origin, t_origin, seen) if _is_typeddict(t_origin) else False
    if _is_typeddict(t_origin):  # a TypedDict is a Mapping[str, object]
        if issubclass(a_origin, cabc.MutableMapping):
            return None  # mypy refuses a TypedDict for dict; stay lenient
        if issubclass(a_origin, cabc.Mapping) and len(a_args) == 2:
            if _acc(a_args[0], str, seen) is False:
                return False
            return True if _is(a_args[1], (*_ANY, object)) else None
        return _acc(a, cabc.Mapping[str, object], seen)
    if getattr(a_origin, "_is_protocol", False) is True and a_origin not in t_origin.__mro__:
        return _protocol_accepts(a_origin, a_args, t_origin)

    if t_origin is type and t_args and isinstance(t_args[0], type):
        t_origin, t_args = type(t_args[0]), ()  # a class is an instance of its metaclass
    try:
        sub = a_origin in t_origin.__mro__ or issubclass(t_origin, a_origin)
    except TypeError:  # exotic classes (non-runtime protocols...)
        return None
    if not sub:
        return any(issubclass(t_origin, p) for p in _PROMOTIONS.get(a_origin, ()))
    if a_origin is tuple:
        want, have = _tuple_shape(a), _tuple_shape(t)
        return True if want is None or have is None else _tuple_accepts(want, have, seen)
    if all(_is(x, _ANY) for x in a_args):
        return True  # a bare generic takes Any arguments
    if t_origin is not a_origin and t_origin not in _VARIANCE and not issubclass(t_origin, tuple):
        return _via_bases(a, a_origin, t_origin, t_args, seen)
    projected = _project(t, t_origin, t_args, a_origin, len(a_args))
    if not projected:
        return None if projected is None else True  # (): an unparameterised value, Any
    variance = _VARIANCE.get(a_origin)
    if variance is None:  # a user generic: its TypeVars say
        variance = "".join(_variance(p) for p in getattr(a_origin, "__parameters__", ()))
    if "?" in variance or not len(variance) == len(a_args) == len(projected):
        return None
    return _all(
        _equivalent(x, y, seen) if v == "=" else _acc(x, y, seen) if v == "+" else _acc(y, x, seen)
        for v, x, y in zip(variance, a_args, projected, strict=True)
    )


def _variance(p: object) -> str:
    if not isinstance(p, typing.TypeVar) or getattr(p, "__infer_variance__", False):
        return "?"  # PEP 695 inferred variance, or a ParamSpec
    return "+" if p.__covariant__ else "-" if p.__contravariant__ else "="


def _equivalent(a: object, t: object, seen: _Seen) -> bool | None:
    """An invariant position: each side must accept the other (Any matches anything)."""
    if _is(_strip(a), _ANY) or _is(_strip(t), _ANY):
        return True
    forward = _acc(a, t, seen)
    if forward is False or isinstance(_strip(a), typing.TypeVar):
        return forward  # a receiver's TypeVar is solved to t itself
    backward = _acc(t, a, seen)
    return False if backward is False else (forward and backward) or None


def _project(
    t: object, t_origin: type, t_args: tuple[object, ...], a_origin: type, n: int
) -> tuple[object, ...] | None:
    """t's arguments as arguments of its base ``a_origin``: None if unknown, () if Any."""
    if issubclass(t_origin, tuple):
        shape = _tuple_shape(t)
        if shape is None:
            return ()
        items = shape[0]
        element = _UNION_OF[items] if len(items) > 1 else items[0] if items else te.Never
        return (element,) if n == 1 else None
    if not t_args:
        return ()
    if t_origin is a_origin:
        return t_args if len(t_args) == n else None
    if issubclass(t_origin, cabc.Mapping):
        return (*t_args, int)[:n] if n <= 2 else None  # Counter[K] maps K to int
    if n == 1:
        return (t_args[-1],) if t_origin is cabc.Coroutine else t_args[:1]
    return None


def _via_bases(
    a: object, a_origin: type, t_origin: type, t_args: tuple[object, ...], seen: _Seen
) -> bool | None:
    """Judge a class by the parameterised base through which it subclasses ``a_origin``."""
    for cls, alias in _IMPLICIT.items():
        if issubclass(t_origin, cls):
            return _acc(a, alias, seen)
    params = getattr(t_origin, "__parameters__", ())
    subst = dict(zip(params, t_args, strict=True)) if len(params) == len(t_args) else {}
    for base in t_origin.__dict__.get("__orig_bases__", t_origin.__bases__):
        origin = te.get_origin(base) or base
        if isinstance(origin, type) and not _is(origin, _GENERIC) and issubclass(origin, a_origin):
            base_params = getattr(base, "__parameters__", ())
            filled = base[tuple(subst.get(p, Any) for p in base_params)] if base_params else base
            return _acc(a, filled, seen)
    return True  # no parameterised base in sight: its arguments are unknown (Any)


def _tuple_shape(tp: object) -> tuple[tuple[object, ...], bool] | None:
    """(items, variadic) of a tuple type, or None when its items are unknown (Any)."""
    if te.get_origin(tp) is None:  # bare tuple, or a NamedTuple with typed fields
        fields = getattr(tp, "_fields", None)
        try:
            hints = te.get_type_hints(tp)
        except Exception:  # unresolvable annotations: items unknown
            return None
        if fields is None or not set(fields) <= set(hints):
            return None
        return tuple(hints[f] for f in fields), False
    args = te.get_args(tp)
    if tp is _BARE_TUPLE or any(
        getattr(x, "__unpacked__", False) or _is(te.get_origin(x), _UNPACK) for x in args
    ):
        return None  # not judged: Any items
    if args == ((),):  # typing.Tuple[()] on old Pythons
        return (), False
    if len(args) == 2 and args[1] is Ellipsis:
        return None if _is(args[0], _ANY) else ((args[0],), True)
    return args, False


def _tuple_accepts(
    want: tuple[tuple[object, ...], bool], have: tuple[tuple[object, ...], bool], seen: _Seen
) -> bool | None:
    (items, variadic), (t_items, t_variadic) = want, have
    if variadic:
        return _all(_acc(items[0], x, seen) for x in t_items)
    if t_variadic or len(items) != len(t_items):
        return False  # tuple[int, ...] may have any length
    return _all(_acc(x, y, seen) for x, y in zip(items, t_items, strict=True))


def _typeddict_fields(td: type) -> dict[str, tuple[object, bool, bool]]:
    """key -> (type, required, read-only)."""
    try:
        hints = te.get_type_hints(td, include_extras=True)
    except Exception:  # unresolvable forward references stay unresolved (then None)
        hints = dict(getattr(td, "__annotations__", {}))
    required: frozenset[str] = getattr(td, "__required_keys__", frozenset())
    readonly: frozenset[str] = getattr(td, "__readonly_keys__", frozenset())
    fields: dict[str, tuple[object, bool, bool]] = {}
    for key, hint in hints.items():
        wrappers: set[str] = set()
        x = hint
        while _is(te.get_origin(x), _WRAPPERS) and te.get_args(x):
            wrappers.add(getattr(te.get_origin(x), "_name", ""))
            x = te.get_args(x)[0]
        is_required = (key in required and "NotRequired" not in wrappers) or "Required" in wrappers
        fields[key] = (x, is_required, key in readonly or "ReadOnly" in wrappers)
    return fields


def _typeddict_accepts(want: type, have: type, seen: _Seen) -> bool | None:
    """PEP 589 and 705: structural compatibility of two TypedDicts."""
    have_fields = _typeddict_fields(have)
    results = []
    for key, (a_tp, a_required, a_readonly) in _typeddict_fields(want).items():
        if key not in have_fields:
            return False  # the value may hold anything, or nothing, under that key
        t_tp, t_required, _ = have_fields[key]
        if a_required > t_required or (t_required > a_required and not a_readonly):
            return False  # a key may be missing, or the receiver may delete a required one
        results.append(_acc(a_tp, t_tp, seen) if a_readonly else _equivalent(a_tp, t_tp, seen))
    return _all(results)


def _protocol_accepts(proto: type, args: tuple[object, ...], cls: type) -> bool | None:
    """Structural check of a runtime-checkable protocol against a class's attributes."""
    if not getattr(proto, "_is_runtime_protocol", False) or cls is type:
        return None
    declared = {m for k in cls.__mro__ for m in getattr(k, "__annotations__", {})}
    missing = [m for m in te.get_protocol_members(proto) if not hasattr(cls, m)]
    missing = [m for m in missing if m not in declared]
    if not missing:
        return True if all(_is(x, _ANY) for x in args) else None  # arguments unchecked
    # A missing data member may be set in __init__; a missing method is missing.
    if hasattr(cls, "__getattr__") or not all(callable(getattr(proto, m, None)) for m in missing):
        return None
    return False


def _show(tp: object) -> str:
    if tp is None or tp is _NONE_TYPE or tp is Ellipsis:
        return "..." if tp is Ellipsis else "None"
    if isinstance(tp, (str, typing.ForwardRef)):
        return tp if isinstance(tp, str) else tp.__forward_arg__
    if isinstance(tp, list):  # Callable's parameters
        return "[" + ", ".join(_show(x) for x in tp) + "]"
    origin, args = te.get_origin(tp), te.get_args(tp)
    if origin is None:
        if isinstance(tp, type):
            return tp.__qualname__.rpartition("<locals>.")[2]
        name = getattr(tp, "__name__", None)  # TypeVar, NewType, type alias
        return name if isinstance(name, str) else re.sub(r"\btyping(_extensions)?\.", "", repr(tp))
    if _is(origin, _UNION):
        return " | ".join(_show(x) for x in args)
    if _is(origin, _LITERAL):
        shown = (
            f"{type(v).__qualname__}.{v.name}" if isinstance(v, enum.Enum) else repr(v)
            for v in args
        )
        return f"Literal[{', '.join(shown)}]"
    name = getattr(tp, "_name", None) or _show(origin)
    if _is(origin, _ANNOTATED):
        return f"{name}[{_show(args[0])}, {', '.join(repr(x) for x in args[1:])}]"
    if not args:
        return f"{name}[()]" if origin is tuple and tp is not _BARE_TUPLE else name
    return f"{name}[{', '.join(_show(x) for x in args)}]"
