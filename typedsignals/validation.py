"""The signature validator: receivers checked at connect time.

It reads a receiver's parameters with ``inspect.signature`` and their
annotations with ``typing.get_type_hints``, the signal's types with
``signaltypes``, and applies the rules of ``rules.py`` (the same rules the
mypy plugin applies) with ``typecompat.accepts`` as the judge of "does this
annotation accept that type".

Reading a receiver is the costly part, so each signal remembers the
receivers it accepted (``verdicts.py``): the closures of one ``def`` are read
once, and nothing is kept alive by it.
"""

from __future__ import annotations

import contextlib
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, cast

import typing_extensions as te

from . import rules, typecompat, verdicts
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
    "check_unremembered",
    "payload_fields",
    "recall",
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
    if recall(signal, receiver, sender) is None:
        check_unremembered(signal, receiver, sender)


def recall(signal: object, receiver: Callable[..., Any], sender: object) -> bool | None:
    """Whether ``signal`` accepted a receiver like this one before: None if not, else
    whether ``receiver`` is a coroutine function (what connect needs to know next).

    Arguments:

        signal
            The signal it is being connected to.

        receiver
            The callable.

        sender
            The specific sender given to connect, or None.
    """
    try:
        return verdicts.recall(signal, receiver, sender)
    except Exception:  # a sender class with a hostile __eq__ or __hash__: read it
        return None


def check_unremembered(signal: object, receiver: Callable[..., Any], sender: object) -> None:
    """``check_receiver`` for a receiver ``recall`` does not know: read, check, remember.

    Arguments:

        signal
            The signal it is being connected to.

        receiver
            The callable.

        sender
            The specific sender given to connect, or None.
    """
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
    with contextlib.suppress(Exception):  # a hostile annotation or sender: not remembered
        verdicts.remember(signal, receiver, sender)
