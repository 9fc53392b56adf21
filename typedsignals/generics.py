"""Compare two classes, their type arguments included, for typecompat.

:mod:`typedsignals.typecompat` peels the typing forms off both sides (Any,
unions, Literal, NewType, TypeVar, Annotated...) and hands the rest to
:func:`classes`: does class ``a``, perhaps parameterised, accept every value of
class ``t``?  The answer is three-valued like the rest (True, False, or None
for "cannot decide"), and judged:

* by subclassing, plus PEP 484's promotions (a ``float`` accepts an ``int``);
* ``type[X]`` by its class argument, ``Callable`` loosely (no callable
  subtyping), a runtime-checkable Protocol by its members, a TypedDict by its
  keys (PEP 589 and 705), a tuple by its shape;
* type arguments by typeshed's variance: covariant for immutable ABCs
  (Sequence, Mapping values, Iterable, tuple, frozenset...), invariant for
  mutable containers and TypedDict values, contravariant for a generator's send
  type.  A subclass's arguments are first projected onto the base asked for.

Each type argument goes back through ``judge``: typecompat's whole comparison,
with its recursion guard and step budget, so that forms nested in arguments
(``list[int | None]``) are handled there.  This module also holds the few
typing-form helpers the two modules share (it is the lower of the two).
"""

from __future__ import annotations

import collections
import collections.abc as cabc
import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

import typing_extensions as te

__all__ = [
    "ANY",
    "BARE_TUPLE",
    "MAX_DEPTH",
    "NONE_TYPE",
    "Judge",
    "classes",
    "every",
    "forms",
    "is_form",
    "some",
    "strip",
]

Judge: TypeAlias = Callable[[object, object], bool | None]
"""``judge(annotation, value_type)``: how :func:`classes` compares type arguments."""

MAX_DEPTH = 64  # nesting of comparisons (and of aliases or wrappers to strip)
NONE_TYPE = type(None)


def is_form(x: object, candidates: Iterable[object]) -> bool:
    """Whether ``x`` is one of ``candidates``, by identity (never ==, which a type may override)."""
    return any(x is form for form in candidates)


def forms(*names: str) -> tuple[object, ...]:
    """The objects called ``names`` in typing and typing_extensions (they may differ)."""
    found: list[object] = []
    for form in (getattr(m, n, None) for m in (typing, te) for n in names):
        if form is not None and not is_form(form, found):
            found.append(form)
    return tuple(found)


ANY = forms("Any")
_UNPACK = forms("Unpack")
_GENERIC = forms("Generic", "Protocol")
_WRAPPERS = forms("Annotated", "Required", "NotRequired", "ReadOnly", "ClassVar", "Final")
_ALIASES = tuple(t for t in forms("TypeAliasType") if isinstance(t, type))
_UNION_OF: Any = typing.Union
BARE_TUPLE: object = typing.Tuple  # noqa: UP006 (typing.Tuple without arguments, not tuple[()])
# collections.abc.Callable, which typing.Callable[...] also has as its origin.
_CALLABLE: object = Callable

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


def some(results: Iterable[bool | None]) -> bool | None:
    """Some alternative holds: True wins over None, which wins over False."""
    found: bool | None = False
    for r in results:
        if r:
            return True
        found = None if r is None else found
    return found


def every(results: Iterable[bool | None]) -> bool | None:
    """Every part holds: False wins over None, which wins over True."""
    found: bool | None = True
    for r in results:
        if r is False:
            return False
        found = None if r is None else found
    return found


def strip(tp: object) -> object:
    """Drop what does not change the type: Annotated, Required, ClassVar, aliases..."""
    for _ in range(MAX_DEPTH):
        if tp is None:
            return NONE_TYPE
        if _ALIASES and isinstance(tp, _ALIASES):
            tp = typing.cast(Any, tp).__value__
        elif is_form(te.get_origin(tp), _WRAPPERS) and te.get_args(tp):
            tp = te.get_args(tp)[0]
        else:
            break
    return tp


def _is_typeddict(tp: object) -> bool:
    return te.is_typeddict(tp) or typing.is_typeddict(tp)


def classes(a: object, t: object, judge: Judge) -> bool | None:
    """Whether class ``a`` accepts class ``t`` (either may be parameterised).

    Both are expected stripped of typing forms; anything else answers None.
    """
    a_origin, a_args = (a, ()) if te.get_origin(a) is None else (te.get_origin(a), te.get_args(a))
    t_origin, t_args = (t, ()) if te.get_origin(t) is None else (te.get_origin(t), te.get_args(t))
    if a_origin is type and a is not type:  # type[X]: values are classes
        if t_origin is type:
            return judge(a_args[0] if a_args else Any, t_args[0] if t_args else Any)
        if isinstance(t_origin, type):  # t's instances are classes only if t is a metaclass
            return None if issubclass(t_origin, type) else False
        return None
    if a_origin is _CALLABLE:  # no callable subtyping: only equal or loose forms decide
        if t_origin is _CALLABLE and a_args == t_args:
            return True  # typing.Callable[[int], str] is collections.abc.Callable[[int], str]
        if a_args and (a_args[0] is not Ellipsis or not is_form(a_args[1], (*ANY, object))):
            return None
        if t_origin is _CALLABLE or t_origin is type:
            return True
        if isinstance(t_origin, type) and any("__call__" in vars(k) for k in t_origin.__mro__):
            return True
        return None
    if t_origin is _CALLABLE or is_form(a_origin, _GENERIC):
        return None  # a callable value: no callable subtyping here
    if not isinstance(a_origin, type) or not isinstance(t_origin, type):
        return None
    return _subclass(a, a_origin, a_args, t, t_origin, t_args, judge)


def _subclass(
    a: object,
    a_origin: type[object],
    a_args: tuple[object, ...],
    t: object,
    t_origin: type[object],
    t_args: tuple[object, ...],
    judge: Judge,
) -> bool | None:
    """Two classes proper: TypedDicts, Protocols, then subclassing and type arguments."""
    if _is_typeddict(a_origin):  # a TypedDict accepts TypedDicts only
        return _typeddict_accepts(a_origin, t_origin, judge) if _is_typeddict(t_origin) else False
    if _is_typeddict(t_origin):  # a TypedDict is a Mapping[str, object]
        if issubclass(a_origin, cabc.MutableMapping):
            return None  # mypy refuses a TypedDict for dict; stay lenient
        if issubclass(a_origin, cabc.Mapping) and len(a_args) == 2:
            if judge(a_args[0], str) is False:
                return False
            return True if is_form(a_args[1], (*ANY, object)) else None
        return judge(a, cabc.Mapping[str, object])
    if getattr(a_origin, "_is_protocol", False) is True and a_origin not in t_origin.__mro__:
        return _protocol_accepts(a_origin, a_args, t_origin)

    if t_origin is type and t_args and isinstance(t_args[0], type):
        t_origin, t_args = type(t_args[0]), ()  # a class is an instance of its metaclass
    try:
        sub = a_origin in inspect.getmro(t_origin) or issubclass(t_origin, a_origin)
    except TypeError:  # exotic classes (non-runtime protocols...)
        return None
    if not sub:
        return any(issubclass(t_origin, p) for p in _PROMOTIONS.get(a_origin, ()))
    if a_origin is tuple:
        want, have = _tuple_shape(a), _tuple_shape(t)
        return True if want is None or have is None else _tuple_accepts(want, have, judge)
    if all(is_form(x, ANY) for x in a_args):
        return True  # a bare generic takes Any arguments
    if issubclass(t_origin, tuple):
        projected = _tuple_element(t, len(a_args))
    elif t_origin is a_origin or t_origin in _VARIANCE:
        projected = _project(t_origin, t_args, a_origin, len(a_args))
    else:
        return _via_bases(a, a_origin, t_origin, t_args, judge)
    if not projected:
        return None if projected is None else True  # (): an unparameterised value, Any
    variance = _VARIANCE.get(a_origin)
    if variance is None:  # a user generic: its TypeVars say
        params: tuple[object, ...] = getattr(a_origin, "__parameters__", ())
        variance = "".join(_variance(p) for p in params)
    if "?" in variance or not len(variance) == len(a_args) == len(projected):
        return None
    return every(
        _equivalent(x, y, judge) if v == "=" else judge(x, y) if v == "+" else judge(y, x)
        for v, x, y in zip(variance, a_args, projected, strict=True)
    )


def _variance(p: object) -> str:
    if not isinstance(p, typing.TypeVar) or getattr(p, "__infer_variance__", False):
        return "?"  # PEP 695 inferred variance, or a ParamSpec
    return "+" if p.__covariant__ else "-" if p.__contravariant__ else "="


def _equivalent(a: object, t: object, judge: Judge) -> bool | None:
    """An invariant position: each side must accept the other (Any matches anything)."""
    if is_form(strip(a), ANY) or is_form(strip(t), ANY):
        return True
    forward = judge(a, t)
    if forward is False or isinstance(strip(a), typing.TypeVar):
        return forward  # a receiver's TypeVar is solved to t itself
    backward = judge(t, a)
    return False if backward is False else (forward and backward) or None


def _tuple_element(t: object, n: int) -> tuple[object, ...] | None:
    """A tuple type as the argument of a one-parameter base (Sequence...): its items' union."""
    shape = _tuple_shape(t)
    if shape is None:
        return ()
    items = shape[0]
    element = _UNION_OF[items] if len(items) > 1 else items[0] if items else te.Never
    return (element,) if n == 1 else None


def _project(
    t_origin: type[object], t_args: tuple[object, ...], a_origin: type[object], n: int
) -> tuple[object, ...] | None:
    """``t_args`` as the arguments of t's base ``a_origin``: None if unknown, () if Any."""
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
    a: object,
    a_origin: type[object],
    t_origin: type[object],
    t_args: tuple[object, ...],
    judge: Judge,
) -> bool | None:
    """Judge a class by the parameterised base through which it subclasses ``a_origin``."""
    for cls, alias in _IMPLICIT.items():
        if issubclass(t_origin, cls):
            return judge(a, alias)
    params: tuple[object, ...] = getattr(t_origin, "__parameters__", ())
    subst = dict(zip(params, t_args, strict=True)) if len(params) == len(t_args) else {}
    bases: tuple[Any, ...] = t_origin.__dict__.get("__orig_bases__", t_origin.__bases__)
    for base in bases:  # Any: a class, or a generic alias to fill in
        origin = te.get_origin(base) or base
        if not isinstance(origin, type) or is_form(origin, _GENERIC):
            continue
        if issubclass(origin, a_origin):
            base_params: tuple[object, ...] = getattr(base, "__parameters__", ())
            filled = base[tuple(subst.get(p, Any) for p in base_params)] if base_params else base
            return judge(a, filled)
    return True  # no parameterised base in sight: its arguments are unknown (Any)


def _tuple_shape(tp: object) -> tuple[tuple[object, ...], bool] | None:
    """(items, variadic) of a tuple type, or None when its items are unknown (Any)."""
    if te.get_origin(tp) is None:  # bare tuple, or a NamedTuple with typed fields
        fields: tuple[str, ...] | None = getattr(tp, "_fields", None)
        try:
            hints = te.get_type_hints(tp)
        except Exception:  # unresolvable annotations: items unknown
            return None
        if fields is None or not set(fields) <= set(hints):
            return None
        return tuple(hints[f] for f in fields), False
    args = te.get_args(tp)
    if tp is BARE_TUPLE or any(
        getattr(x, "__unpacked__", False) or is_form(te.get_origin(x), _UNPACK) for x in args
    ):
        return None  # not judged: Any items
    if args == ((),):  # typing.Tuple[()] on old Pythons
        return (), False
    if len(args) == 2 and args[1] is Ellipsis:
        return None if is_form(args[0], ANY) else ((args[0],), True)
    return args, False


def _tuple_accepts(
    want: tuple[tuple[object, ...], bool], have: tuple[tuple[object, ...], bool], judge: Judge
) -> bool | None:
    (items, variadic), (t_items, t_variadic) = want, have
    if variadic:
        return every(judge(items[0], x) for x in t_items)
    if t_variadic or len(items) != len(t_items):
        return False  # tuple[int, ...] may have any length
    return every(judge(x, y) for x, y in zip(items, t_items, strict=True))


def _typeddict_fields(td: type) -> dict[str, tuple[object, bool, bool]]:
    """key -> (type, required, read-only)."""
    try:
        hints: dict[str, object] = te.get_type_hints(td, include_extras=True)
    except Exception:  # unresolvable forward references stay unresolved (then None)
        hints = dict(getattr(td, "__annotations__", {}))
    required: frozenset[str] = getattr(td, "__required_keys__", frozenset())
    readonly: frozenset[str] = getattr(td, "__readonly_keys__", frozenset())
    fields: dict[str, tuple[object, bool, bool]] = {}
    for key, hint in hints.items():
        wrappers: set[str] = set()
        x = hint
        while is_form(te.get_origin(x), _WRAPPERS) and te.get_args(x):
            wrappers.add(getattr(te.get_origin(x), "_name", ""))
            x = te.get_args(x)[0]
        is_required = (key in required and "NotRequired" not in wrappers) or "Required" in wrappers
        fields[key] = (x, is_required, key in readonly or "ReadOnly" in wrappers)
    return fields


def _typeddict_accepts(want: type, have: type, judge: Judge) -> bool | None:
    """PEP 589 and 705: structural compatibility of two TypedDicts."""
    have_fields = _typeddict_fields(have)
    results: list[bool | None] = []
    for key, (a_tp, a_required, a_readonly) in _typeddict_fields(want).items():
        if key not in have_fields:
            return False  # the value may hold anything, or nothing, under that key
        t_tp, t_required, _ = have_fields[key]
        if a_required > t_required or (t_required > a_required and not a_readonly):
            return False  # a key may be missing, or the receiver may delete a required one
        results.append(judge(a_tp, t_tp) if a_readonly else _equivalent(a_tp, t_tp, judge))
    return every(results)


def _protocol_accepts(proto: type, args: tuple[object, ...], cls: type) -> bool | None:
    """Structural check of a runtime-checkable protocol against a class's attributes."""
    if not getattr(proto, "_is_runtime_protocol", False) or cls is type:
        return None
    declared = {m for k in cls.__mro__ for m in getattr(k, "__annotations__", {})}
    missing = [m for m in te.get_protocol_members(proto) if not hasattr(cls, m)]
    missing = [m for m in missing if m not in declared]
    if not missing:
        return True if all(is_form(x, ANY) for x in args) else None  # arguments unchecked
    # A missing data member may be set in __init__; a missing method is missing.
    if hasattr(cls, "__getattr__") or not all(callable(getattr(proto, m, None)) for m in missing):
        return None
    return False
