"""What a signal's type arguments say at run time: its sender type and payload keys.

``Signal[S, P]()`` keeps its arguments on the instance (``__orig_class__``);
a subclass ``class S(Signal[Store, P])`` keeps them on its bases
(``__orig_bases__``), perhaps through generic subclasses of its own
(``class ModelSignal(Signal[type[M], P], Generic[M, P])``, used as
``ModelSignal[Book, Saved]()``), whose type variables are substituted on the
way down to ``Signal``. The payload is a TypedDict, perhaps a generic one
(``Event[int]``). What cannot be known (an annotation-only declaration, a
type variable left open) is None: the rules that need it are not checked.

``Signal`` itself is recognised as the class whose own type parameters are
``SenderT`` and ``PayloadT``, so this module needs no import of the dispatcher.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import typing_extensions as te

from . import rules, typecompat
from .errors import SignalTypeError
from .generics import MAX_DEPTH, forms, is_form
from .typevars import PayloadT, SenderT

__all__ = [
    "SignalTypes",
    "check_type_arguments",
    "key_type",
    "payload_fields",
    "signal_text",
    "signal_types",
    "substitute",
    "type_arguments",
    "typeddict_fields",
    "typeddict_hints",
]

_TYPE_VARS = (typing.TypeVar, te.TypeVar)
_REQUIRED = forms("Required")
_NOT_REQUIRED = forms("NotRequired")
_KEY_WRAPPERS = (*_REQUIRED, *_NOT_REQUIRED, *forms("ReadOnly"))
_WRAPPERS = (*_KEY_WRAPPERS, *forms("Annotated"))


@dataclass(frozen=True)
class SignalTypes:
    """What a signal's type arguments say, as far as they are known at run time.

    Attributes:
        sender: the sender type, or None when unknown (Any or not declared).
        payload_type: the payload TypedDict (perhaps ``Event[int]``), or None for an
            untyped signal.
        fields: the payload keys (``rules.Field``), or None for an untyped signal.
    """

    sender: object
    payload_type: object
    fields: Mapping[str, rules.Field[object]] | None


def _is_unknown(tp: object) -> bool:
    return tp is Any or isinstance(tp, (*_TYPE_VARS, typing.ForwardRef, str))


def substitute(tp: object, env: Mapping[object, object]) -> object:
    """``tp`` with the type variables of ``env`` replaced (``type[M]`` -> ``type[Book]``)."""
    if not env:
        return tp
    if isinstance(tp, _TYPE_VARS):
        return env.get(tp, tp)
    params: object = getattr(tp, "__parameters__", None)
    is_class = isinstance(tp, type) and not isinstance(tp, types.GenericAlias)  # 3.10: list[T] is
    if is_class or not isinstance(params, tuple) or not params:
        return tp  # a class, or an alias without type variables
    try:
        return cast(Any, tp)[tuple(env.get(p, p) for p in cast("tuple[object, ...]", params))]
    except Exception:  # an alias that cannot be subscripted again: left as it is
        return tp


def typeddict_hints(td: object, depth: int = 0) -> dict[str, object]:
    """A TypedDict's keys and types (Required/NotRequired kept), type arguments applied.

    The keys a generic base declares are read from that base with its own
    arguments (``class Sub(Event[int])``): Python merges them unsubstituted.
    """
    origin: Any = te.get_origin(td) or td
    params: tuple[object, ...] = getattr(origin, "__parameters__", ())
    env: dict[object, object] = dict(zip(params, te.get_args(td), strict=False))
    try:
        hints: dict[str, object] = te.get_type_hints(origin, include_extras=True)
    except Exception:  # an unresolvable forward reference: keys known, types not
        hints = dict.fromkeys(getattr(origin, "__annotations__", {}), Any)
    if depth < MAX_DEPTH:
        for base in origin.__dict__.get("__orig_bases__", ()):
            base_origin = te.get_origin(base)
            if base_origin is not None and te.is_typeddict(base_origin):
                hints.update(typeddict_hints(base, depth + 1))
    return {key: substitute(hint, env) for key, hint in hints.items()}


def key_type(hint: object) -> object:
    """A TypedDict key's hint without its Required, NotRequired and ReadOnly wrappers."""
    for _ in range(MAX_DEPTH):
        if not is_form(te.get_origin(hint), _KEY_WRAPPERS) or not te.get_args(hint):
            break
        hint = te.get_args(hint)[0]
    return hint


def typeddict_fields(td: object) -> dict[str, rules.Field[object]]:
    """The keys of a TypedDict (generic ones too, ``Event[int]``): type, and whether Required."""
    origin = te.get_origin(td) or td
    hints = typeddict_hints(td)
    required = set(getattr(origin, "__required_keys__", hints))
    fields: dict[str, rules.Field[object]] = {}
    for key, hint in hints.items():
        # With string annotations (PEP 563) __required_keys__ misses Required and
        # NotRequired; the resolved hints still carry them.
        tp = hint
        for _ in range(MAX_DEPTH):
            wrapper = te.get_origin(tp)
            if not is_form(wrapper, _WRAPPERS) or not te.get_args(tp):
                break
            if is_form(wrapper, _NOT_REQUIRED):
                required.discard(key)
            elif is_form(wrapper, _REQUIRED):
                required.add(key)
            tp = te.get_args(tp)[0]
        fields[key] = rules.Field(key, tp, key in required)
    return fields


def payload_fields(payload: object) -> dict[str, rules.Field[object]] | None:
    """The keys of a payload TypedDict (generic ones too, ``Event[int]``).

    None when the payload is unknown (Any, a type variable); SignalTypeError if
    it is not a TypedDict or has a key the dispatcher passes itself.
    """
    if _is_unknown(payload):
        return None
    if not te.is_typeddict(te.get_origin(payload) or payload):
        raise SignalTypeError(
            f"The payload type of a Signal must be a TypedDict naming the keyword arguments "
            f"sent; got {typecompat.show(payload)}."
        )
    fields = typeddict_fields(payload)
    reserved = rules.RESERVED_NAMES & set(fields)
    if reserved:
        raise SignalTypeError(
            f"The payload TypedDict {typecompat.show(payload)} has key(s) "
            f"{', '.join(sorted(reserved))}: the dispatcher passes 'signal' and 'sender' itself."
        )
    return fields


def check_type_arguments(args: tuple[object, ...], cls: type | None = None) -> None:
    """Refuse, when ``Signal[S, P]`` (or ``cls[...]``) is written, a P that cannot be a payload.

    Arguments:

        args
            The type arguments written.

        cls
            The class they are given to: a generic subclass of Signal has type
            parameters of its own, in its own order. None means Signal (S, P).
    """
    if cls is None:
        if len(args) == 2:
            payload_fields(args[1])
        return
    params: tuple[object, ...] = cls.__dict__.get("__parameters__", ())
    payload_fields(_signal_arguments(cls, dict(zip(params, args, strict=False)))[1])


def _is_signal_class(cls: type) -> bool:
    own: object = cls.__dict__.get("__parameters__")
    if not isinstance(own, tuple):
        return False
    params = cast("tuple[object, ...]", own)
    return len(params) == 2 and params[0] is SenderT and params[1] is PayloadT


def _derives_from_signal(cls: type) -> bool:
    return any(_is_signal_class(klass) for klass in cls.__mro__)


def _signal_arguments(
    cls: type, env: Mapping[object, object], depth: int = 0
) -> tuple[object, object]:
    """S and P of ``cls`` whose own type parameters are bound by ``env``."""
    if _is_signal_class(cls):
        return env.get(SenderT, Any), env.get(PayloadT, Any)
    bases: tuple[object, ...] = cls.__dict__.get("__orig_bases__", cls.__bases__)
    for base in bases:
        origin: object = te.get_origin(base) or base
        if depth >= MAX_DEPTH or not isinstance(origin, type) or not _derives_from_signal(origin):
            continue
        args = [substitute(arg, env) for arg in te.get_args(base)]
        params: tuple[object, ...] = origin.__dict__.get("__parameters__", ())
        return _signal_arguments(origin, dict(zip(params, args, strict=False)), depth + 1)
    return Any, Any


def _declared(signal: object) -> tuple[type, tuple[object, ...]]:
    """The signal's class and the type arguments written on it (``Signal[Store, P]()``)."""
    # getattr, not vars(): on 3.12+ making the instance's __dict__ slows every
    # attribute and method it reads (send's among them).
    orig = getattr(signal, "__orig_class__", None)
    if orig is None:
        return type(signal), ()
    # The class that was subscripted, not type(signal): while a test helper or
    # tracing intercepts the signal, its class is a subclass made for it (hooks.py).
    origin = te.get_origin(orig)
    return (origin if isinstance(origin, type) else type(signal)), te.get_args(orig)


def _arguments_of(cls: type, args: tuple[object, ...]) -> tuple[object, object]:
    params: tuple[object, ...] = cls.__dict__.get("__parameters__", ())
    return _signal_arguments(cls, dict(zip(params, args, strict=False)))


def type_arguments(signal: object) -> tuple[object, object]:
    """S and P of a signal instance, through generic subclasses."""
    return _arguments_of(*_declared(signal))


def declared_types(cls: type, args: tuple[object, ...] = ()) -> SignalTypes:
    """The run-time types of the signals ``cls[*args]()`` creates (``cls()`` without args).

    Arguments:

        cls
            Signal or a subclass.

        args
            The type arguments written on it, e.g. ``(Store, PizzaDone)``.
    """
    sender, payload = _arguments_of(cls, args)
    fields = payload_fields(payload)
    return SignalTypes(
        None if _is_unknown(sender) else sender,
        payload if fields is not None else None,
        fields,
    )


def signal_types(signal: object) -> SignalTypes:
    """The run-time types of ``signal``, read once and kept on it."""
    cached: SignalTypes | None = getattr(signal, "_signal_types", None)
    if cached is not None:
        return cached
    result = declared_types(*_declared(signal))
    cast(Any, signal)._signal_types = result
    return result


def signal_text(signal: object) -> str:
    """Name a signal in messages: ``signal 'pizza_done' (Signal[Store, PizzaDone])``."""
    cls, args = _declared(signal)
    shown = cls.__qualname__
    if args:
        shown += f"[{', '.join(typecompat.show(a) for a in args)}]"
    name = getattr(signal, "name", None)
    if name:
        return f"signal '{name}' ({shown})"
    return f"<{shown} at {id(signal):#x}>"
