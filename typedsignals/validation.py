"""The signature validator: receivers checked at connect time, payloads at send time.

It reads a signal's type arguments (``Signal[S, P]()`` or a subclass of
``Signal[S, P]``), reads a receiver's parameters with ``inspect.signature``
and ``typing.get_type_hints``, and applies the rules of ``rules.py`` (the same
rules the mypy plugin applies) with ``typecompat.accepts`` as the judge of
"does this annotation accept that type".

Reading a receiver is the costly part, so it is cached per function, keyed by
its code object and annotations: the closures of one ``def`` share an entry.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import typing
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any, cast

import typing_extensions as te

from . import rules, typecompat
from ._utils import describe_callable, unwrap
from .errors import ReceiverError, SignalTypeError

if TYPE_CHECKING:
    from .dispatcher import Signal

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


@dataclass(frozen=True)
class SignalTypes:
    """What a signal's type arguments say, as far as they are known at run time.

    Attributes:
        sender: the sender type, or None when unknown (Any or not declared).
        payload_type: the payload TypedDict, or None for an untyped signal.
        fields: the payload keys (``rules.Field``), or None for an untyped signal.
    """

    sender: object
    payload_type: type | None
    fields: Mapping[str, rules.Field[object]] | None


_UNKNOWN = SignalTypes(None, None, None)


def _is_unknown(tp: object) -> bool:
    return tp is Any or isinstance(tp, (TypeVar_types, typing.ForwardRef, str))


TypeVar_types = (typing.TypeVar, te.TypeVar)


def payload_fields(payload: object) -> dict[str, rules.Field[object]] | None:
    """The keys of a payload TypedDict; None when unknown; SignalTypeError if not a TypedDict."""
    if _is_unknown(payload):
        return None
    if not te.is_typeddict(payload):
        raise SignalTypeError(
            f"The payload type of a Signal must be a TypedDict naming the keyword arguments "
            f"sent; got {typecompat.show(payload)}."
        )
    try:
        hints = te.get_type_hints(payload)
        wrapped = te.get_type_hints(payload, include_extras=True)
    except Exception:  # an unresolvable forward reference: keys known, types not
        hints = wrapped = {key: Any for key in payload.__annotations__}
    required = set(getattr(payload, "__required_keys__", hints))
    # With string annotations (PEP 563) __required_keys__ misses Required and
    # NotRequired; the resolved hints still carry them.
    for key, hint in wrapped.items():
        origin: object = te.get_origin(hint)
        if origin is te.NotRequired:
            required.discard(key)
        elif origin is te.Required:
            required.add(key)
    reserved = rules.RESERVED_NAMES & set(hints)
    if reserved:
        raise SignalTypeError(
            f"The payload TypedDict {typecompat.show(payload)} has key(s) "
            f"{', '.join(sorted(reserved))}: the dispatcher passes 'signal' and 'sender' itself."
        )
    return {k: rules.Field(k, tp, k in required) for k, tp in hints.items()}


def check_type_arguments(args: tuple[object, ...]) -> None:
    """Refuse, when ``Signal[S, P]`` is written, a P that cannot be a payload."""
    if len(args) == 2:
        payload_fields(args[1])


def _type_arguments(signal: object) -> tuple[object, object]:
    """Find S and P of a signal instance, through generic subclasses."""
    from .dispatcher import PayloadT, SenderT, Signal

    env: dict[object, object] = {}
    orig = getattr(signal, "__orig_class__", None)
    if orig is not None:
        origin = te.get_origin(orig)
        env.update(zip(getattr(origin, "__parameters__", ()), te.get_args(orig), strict=False))
    for klass in type(signal).__mro__:
        for base in klass.__dict__.get("__orig_bases__", ()):
            origin = te.get_origin(base)
            if not (isinstance(origin, type) and issubclass(origin, Signal)):
                continue
            origin = cast("type[object]", origin)
            args = [env.get(a, a) if isinstance(a, TypeVar_types) else a for a in te.get_args(base)]
            for param, arg in zip(getattr(origin, "__parameters__", ()), args, strict=False):
                env.setdefault(param, arg)
    return env.get(SenderT, Any), env.get(PayloadT, Any)


def signal_types(signal: Signal[Any, Any]) -> SignalTypes:
    """The run-time types of ``signal``, read once and kept on it."""
    cached: SignalTypes | None = signal.__dict__.get("_signal_types")
    if cached is not None:
        return cached
    sender, payload = _type_arguments(signal)
    fields = payload_fields(payload)
    result = SignalTypes(
        None if _is_unknown(sender) else sender,
        payload if fields is not None else None,  # type: ignore[arg-type]
        fields,
    )
    signal.__dict__["_signal_types"] = result
    return result


def signal_text(signal: Signal[Any, Any]) -> str:
    """Name a signal in messages: ``signal 'pizza_done' (Signal[Store, PizzaDone])``."""
    try:
        sender, payload = _type_arguments(signal)
    except Exception:
        sender = payload = Any
    cls = type(signal).__qualname__
    shown = cls
    if not (sender is Any and payload is Any) and "__orig_class__" in signal.__dict__:
        shown = f"{cls}[{typecompat.show(sender)}, {typecompat.show(payload)}]"
    name = getattr(signal, "name", None)
    if name:
        return f"signal '{name}' ({shown})"
    return f"<{shown} at {id(signal):#x}>"


# -- receivers -----------------------------------------------------------------------


def _hints(target: object) -> dict[str, object]:
    """Resolved annotations; names that cannot be resolved are left out (unknown)."""
    try:
        return dict(typing.get_type_hints(target))
    except Exception:
        pass
    raw: dict[str, object] = getattr(target, "__annotations__", None) or {}
    namespace: dict[str, Any] = getattr(target, "__globals__", {})
    hints: dict[str, object] = {}
    for name, ann in raw.items():
        try:
            hints[name] = typing.get_type_hints(
                _Holder(name, ann), globalns=namespace
            )[name]
        except Exception:
            continue
    return hints


class _Holder:
    """An object with one annotation, to resolve annotations one at a time."""

    def __init__(self, name: str, annotation: object) -> None:
        self.__annotations__ = {name: annotation}


def _annotated_target(receiver: object) -> object:
    target = unwrap(receiver)
    if not (inspect.isfunction(target) or inspect.isbuiltin(target)) and callable(target):
        target = unwrap(type(target).__call__)  # a callable instance
    return target


def _cache_key(receiver: object) -> Hashable | None:
    """The code object and annotations of a plain function or bound method, if hashable."""
    is_method = type(receiver) is MethodType
    func = cast(Any, receiver).__func__ if is_method else receiver
    # Only plain functions; a decorated one (__wrapped__) is read through its wrapper.
    if type(func) is not FunctionType or "__wrapped__" in func.__dict__:
        return None
    try:
        annotations = tuple(func.__annotations__.items())
        key = (
            func.__code__,
            is_method,
            annotations,
            func.__defaults__ is not None and len(func.__defaults__),
            tuple(func.__kwdefaults__ or ()),
            _string_bindings(func.__globals__, annotations),
        )
        hash(key)
    except TypeError:
        return None
    return key


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _string_bindings(namespace: dict[str, Any], annotations: tuple[Any, ...]) -> tuple[Any, ...]:
    """What the names in string annotations are bound to now (by identity).

    A string annotation means whatever its names mean when it is resolved: after
    a module reload, the same text names new classes, so it needs a new entry.
    The cache holds the old objects alive, so their ids cannot be reused.
    """
    names = _names_in.get(annotations)
    if names is None:
        names = tuple(
            sorted(
                {
                    name
                    for _, ann in annotations
                    if isinstance(ann, str)
                    for name in _IDENTIFIER.findall(ann)
                }
            )
        )
        if len(_names_in) > 4096:
            _names_in.clear()  # bounded, as _params_cache
        _names_in[annotations] = names
    return (names, tuple(map(id, map(namespace.get, names))))


#: The names each tuple of annotations mentions: parsing them was most of a cache key.
_names_in: dict[tuple[Any, ...], tuple[str, ...]] = {}


_params_cache: dict[Hashable, tuple[rules.Param[object], ...] | None] = {}


def receiver_params(receiver: Callable[..., Any]) -> tuple[rules.Param[object], ...] | None:
    """The receiver's parameters as the dispatcher calls it; None if it has no signature."""
    return _receiver_params(receiver, _cache_key(receiver))


def _receiver_params(
    receiver: Callable[..., Any], key: Hashable | None
) -> tuple[rules.Param[object], ...] | None:
    if key is not None and key in _params_cache:
        return _params_cache[key]
    try:
        signature = inspect.signature(receiver)
    except (TypeError, ValueError):
        params = None  # a builtin without a signature: accepted, as in Django
    else:
        hints = _hints(_annotated_target(receiver))
        params = tuple(
            rules.Param(
                p.name,
                _KINDS[p.kind],
                p.default is not inspect.Parameter.empty,
                hints.get(p.name),
            )
            for p in signature.parameters.values()
        )
    if key is not None:
        if len(_params_cache) > 4096:
            _params_cache.clear()  # bounded: dynamic code must not grow it forever
        _params_cache[key] = params
    return params


def _value_type(sender: object) -> object:
    return type[sender] if isinstance(sender, type) else type(sender)


#: Verdicts kept per signal: receiver cache key -> the sender types it passed for.
_MAX_ACCEPTED = 4096


def check_receiver(signal: Signal[Any, Any], receiver: Callable[..., Any], sender: object) -> None:
    """Raise ``ReceiverError`` listing every rule ``receiver`` breaks for ``signal``.

    Arguments:

        signal
            The signal it is being connected to.

        receiver
            The callable; parameters are read as the dispatcher will call it.

        sender
            The specific sender given to connect, or None for every sender;
            when given, the receiver's ``sender`` annotation must accept it
            (instead of the signal's whole sender type).
    """
    key = _cache_key(receiver)
    sender_type = _value_type(sender) if sender is not None else None
    accepted: dict[Hashable, set[object]] | None = signal.__dict__.get("_accepted")
    if key is not None and accepted is not None:
        passed = accepted.get(key)
        try:
            if passed is not None and sender_type in passed:
                return  # the same code, annotations and sender type passed before
        except TypeError:  # a sender class with an unhashable metaclass
            pass
    params = _receiver_params(receiver, key)
    if params is None:
        return
    types = signal_types(signal)
    violations = rules.check_receiver(
        params,
        sender=sender_type if sender is not None else types.sender,
        payload=types.fields,
        accepts=typecompat.accepts,
        show=typecompat.show,
    )
    if violations:
        raise ReceiverError(
            receiver, signal, violations, describe_callable(receiver), signal_text(signal)
        )
    if key is not None:
        verdicts: dict[Hashable, set[object]] = (
            signal.__dict__.setdefault("_accepted", {}) if accepted is None else accepted
        )
        if len(verdicts) < _MAX_ACCEPTED:  # bounded: dynamic code must not grow it forever
            with contextlib.suppress(TypeError):  # an unhashable sender type
                verdicts.setdefault(key, set()).add(sender_type)
