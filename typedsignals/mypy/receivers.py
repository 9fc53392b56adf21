"""Receivers as the rules see them: mypy callable types mapped to ``rules.Param``.

``accepts`` is mypy's own subtype check; ``rules.check_receiver`` does the rest,
exactly as for the runtime validator.
"""

from __future__ import annotations

from collections.abc import Sequence

from mypy.erasetype import erase_typevars
from mypy.messages import format_type_bare
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    Context,
    FuncDef,
)
from mypy.options import Options
from mypy.plugin import CheckerPluginInterface
from mypy.subtypes import find_member, is_subtype
from mypy.typeops import make_simplified_union
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    Type,
    TypeType,
    TypeVarType,
    UnionType,
    get_proper_type,
    has_type_vars,
)

from typedsignals import rules

from .errorcodes import SIGNAL_RECEIVER
from .signals import SignalInfo

__all__ = ["accepts", "check_receiver", "narrowed_sender", "receiver_callable", "receiver_params"]

_KINDS = {
    ARG_POS: rules.ParamKind.POSITIONAL_OR_KEYWORD,
    ARG_OPT: rules.ParamKind.POSITIONAL_OR_KEYWORD,
    ARG_STAR: rules.ParamKind.VAR_POSITIONAL,
    ARG_NAMED: rules.ParamKind.KEYWORD_ONLY,
    ARG_NAMED_OPT: rules.ParamKind.KEYWORD_ONLY,
    ARG_STAR2: rules.ParamKind.VAR_KEYWORD,
}


class _Unknown:
    """A specific sender whose type is not known (Any): the sender rule is not checked."""


UNKNOWN_SENDER = _Unknown()


def receiver_callable(typ: Type) -> CallableType | None:
    """The signature the dispatcher calls: a function's, a bound method's, a class's or
    ``__call__``'s. None when it is not known, and then nothing is checked: Any, a
    union, or an overload (the runtime reads the implementation, which mypy does not
    see, and a builtin may have no signature at all).
    """
    proper = get_proper_type(typ)
    if isinstance(proper, Instance):
        call = find_member("__call__", proper, proper, is_operator=True)
        found = get_proper_type(call) if call is not None else None
        return found if isinstance(found, CallableType) else None
    return proper if isinstance(proper, CallableType) else None


def receiver_params(callee: CallableType) -> list[rules.Param[Type]]:
    """The parameters of ``callee`` as ``rules.Param``, annotations as mypy types."""
    names = _definition_names(callee)
    params: list[rules.Param[Type]] = []
    for i, (kind, name, typ) in enumerate(
        zip(callee.arg_kinds, callee.arg_names, callee.arg_types, strict=True)
    ):
        if kind.is_positional() and name is None:
            param_kind = rules.ParamKind.POSITIONAL_ONLY
        else:
            param_kind = _KINDS[kind]
        shown = name or (names[i] if names else None) or f"#{i + 1}"
        params.append(rules.Param(shown, param_kind, kind.is_optional(), _annotation(typ)))
    return params


def _definition_names(callee: CallableType) -> Sequence[str | None] | None:
    """Names of positional-only parameters, from the definition (a bound method skips self)."""
    definition = callee.definition
    arguments = getattr(definition, "arguments", None) if isinstance(definition, FuncDef) else None
    if not arguments:
        return None  # a definition loaded from mypy's cache has no argument nodes
    names = [argument.variable.name for argument in arguments]
    extra = len(names) - len(callee.arg_names)
    return names[extra:] if extra in (0, 1) else None


def _annotation(typ: Type) -> Type | None:
    proper = get_proper_type(typ)
    return None if isinstance(proper, AnyType) else typ


def accepts(annotation: Type, value: Type) -> bool | None:
    """Whether a parameter annotated ``annotation`` accepts every ``value``; None if unknown.

    A type variable of a generic receiver accepts what its bound accepts.
    """
    target = get_proper_type(annotation)
    if isinstance(target, TypeVarType):
        if target.values:
            return None
        target = get_proper_type(target.upper_bound)
    if has_type_vars(target) or has_type_vars(value):
        return None
    return is_subtype(value, target)


def narrowed_sender(typ: Type) -> Type | _Unknown | None:
    """What a receiver connected with ``sender=<typ>`` must accept.

    As at run time: a class ``C`` must be accepted as ``type[C]``, an object as
    its type; None (no specific sender) narrows nothing and gives None;
    ``UNKNOWN_SENDER`` when the sender's type is Any.
    """
    proper = get_proper_type(typ)
    items = proper.items if isinstance(proper, UnionType) else [proper]
    kept: list[Type] = []
    for item in map(get_proper_type, items):
        if isinstance(item, NoneType):
            continue
        if isinstance(item, AnyType):
            return UNKNOWN_SENDER
        if isinstance(item, FunctionLike) and item.is_type_obj():
            instance = erase_typevars(item.items[0].ret_type)
            kept.append(TypeType.make_normalized(instance))
        else:
            kept.append(item)
    return make_simplified_union(kept) if kept else None


def check_receiver(
    api: CheckerPluginInterface,
    context: Context,
    receiver: Type,
    name: str | None,
    signal: SignalInfo,
    sender: Type | _Unknown | None,
) -> bool:
    """Report every rule ``receiver`` breaks for ``signal``; True if it breaks none.

    ``sender`` is the narrowed type of a specific ``sender=`` (see ``narrowed_sender``).
    """
    callee = receiver_callable(receiver)
    if callee is None:
        return True
    options = api.options
    if isinstance(sender, _Unknown):
        expected_sender = None
    else:
        expected_sender = sender if sender is not None else signal.sender
    violations = rules.check_receiver(
        receiver_params(callee),
        sender=expected_sender,
        payload=signal.fields,
        accepts=accepts,
        show=lambda t: _show(t, options),
    )
    shown = name or callee.name or format_type_bare(receiver, options)
    for violation in violations:
        api.fail(
            f'Receiver "{shown}" cannot be connected to {signal.label}: {violation.describe()}',
            context,
            code=SIGNAL_RECEIVER,
        )
    return not violations


def _show(typ: Type, options: Options) -> str:
    return format_type_bare(typ, options)
