"""Receivers as the rules see them: mypy callable types mapped to ``rules.Param``.

``accepts`` is mypy's own subtype check; ``rules.check_receiver`` does the rest,
exactly as for the runtime validator. What mypy calls a receiver may have
several signatures: an overloaded function is accepted when one of its
overloads is (or, for a union of senders, when each sender is accepted by
one); a ``functools.partial`` is checked by what is left of its function's
signature once the partial's arguments are bound (mypy 1.11+ records it).
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
from mypy.type_visitor import TypeTranslator
from mypy.typeops import make_simplified_union
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    Overloaded,
    ProperType,
    Type,
    TypeAliasType,
    TypedDictType,
    TypeType,
    TypeVarType,
    UnionType,
    UnpackType,
    get_proper_type,
    has_type_vars,
)

from typedsignals import rules

from .errorcodes import SIGNAL_RECEIVER
from .signals import SignalInfo, payload_fields

__all__ = [
    "UNKNOWN_SENDER",
    "accepts",
    "bounded",
    "check_receiver",
    "check_sender_argument",
    "narrowed_sender",
    "receiver_params",
    "receiver_signatures",
]

_KINDS = {
    ARG_POS: rules.ParamKind.POSITIONAL_OR_KEYWORD,
    ARG_OPT: rules.ParamKind.POSITIONAL_OR_KEYWORD,
    ARG_STAR: rules.ParamKind.VAR_POSITIONAL,
    ARG_NAMED: rules.ParamKind.KEYWORD_ONLY,
    ARG_NAMED_OPT: rules.ParamKind.KEYWORD_ONLY,
    ARG_STAR2: rules.ParamKind.VAR_KEYWORD,
}
_PARTIAL = "functools.partial"


class _Unknown:
    """A specific sender whose type is not known (Any): the sender rules are not checked."""


UNKNOWN_SENDER = _Unknown()


def receiver_signatures(typ: Type) -> list[CallableType] | None:
    """The signatures the dispatcher may call: a function's, each overload's, a bound
    method's, a class's, a partial's remainder or ``__call__``'s. None when not known
    (Any, a union), and then nothing is checked.
    """
    proper: ProperType | None = get_proper_type(typ)
    if isinstance(proper, Instance):
        partial = _partial_remainder(proper)
        if partial is not None:
            return [partial]
        call = find_member("__call__", proper, proper, is_operator=True)
        proper = get_proper_type(call) if call is not None else None
    if isinstance(proper, CallableType):
        return [proper]
    if isinstance(proper, Overloaded):
        return list(proper.items)
    return None


def _partial_remainder(instance: Instance) -> CallableType | None:
    """What mypy's functools plugin (1.11+) records of ``partial(f, ...)``: f, args bound."""
    if instance.type.fullname != _PARTIAL or instance.extra_attrs is None:
        return None
    found = instance.extra_attrs.attrs.get("__mypy_partial")
    proper = get_proper_type(found) if found is not None else None
    return proper if isinstance(proper, CallableType) else None


def receiver_params(callee: CallableType) -> list[rules.Param[Type]]:
    """The parameters of ``callee`` as ``rules.Param``, annotations as mypy types.

    ``**kwargs: Unpack[TD]`` is spelled out as TD's keys (``rules.unpack_kwargs``).
    """
    names = _definition_names(callee)
    params: list[rules.Param[Type]] = []
    unpacked: TypedDictType | None = None
    for i, (kind, name, typ) in enumerate(
        zip(callee.arg_kinds, callee.arg_names, callee.arg_types, strict=True)
    ):
        if kind.is_positional() and name is None:
            param_kind = rules.ParamKind.POSITIONAL_ONLY
        else:
            param_kind = _KINDS[kind]
        if kind == ARG_STAR2 and callee.unpack_kwargs:
            unpacked = _unpacked(typ)
        shown = name or (names[i] if names else None) or f"#{i + 1}"
        params.append(rules.Param(shown, param_kind, kind.is_optional(), _annotation(typ)))
    keys = payload_fields(unpacked) if unpacked is not None else None
    return rules.unpack_kwargs(params, keys) if keys is not None else params


def _unpacked(typ: Type) -> TypedDictType | None:
    proper = get_proper_type(typ)
    if isinstance(proper, UnpackType):  # how some mypy versions wrap it
        proper = get_proper_type(proper.type)
    return proper if isinstance(proper, TypedDictType) else None


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


class _Bounds(TypeTranslator):
    """Type variables replaced by what they may be: their bound, or their values' union."""

    def visit_type_var(self, t: TypeVarType) -> Type:
        if t.values:
            return make_simplified_union([v.accept(self) for v in t.values])
        return t.upper_bound.accept(self)

    def visit_type_alias_type(self, t: TypeAliasType) -> Type:
        return t.copy_modified(args=[arg.accept(self) for arg in t.args])


def bounded(typ: Type) -> Type:
    """``typ`` with its type variables replaced by their bounds (``type[Self]`` -> ``type[C]``).

    A value of a type variable's type is one of its bound's values, so what
    accepts the bound accepts the value.
    """
    return typ.accept(_Bounds()) if has_type_vars(typ) else typ


def accepts(annotation: Type, value: Type) -> bool | None:
    """Whether a parameter annotated ``annotation`` accepts every ``value``; None if unknown.

    A type variable of a generic receiver accepts what its bound accepts; a
    type variable in the value is judged by its bound.
    """
    target = get_proper_type(annotation)
    if isinstance(target, TypeVarType):
        if target.values:
            return None
        target = get_proper_type(target.upper_bound)
    if has_type_vars(target):
        return None  # a generic parameter type (list[T]): mypy would solve T; not here
    return is_subtype(bounded(value), target)


def narrowed_sender(typ: Type) -> Type | _Unknown | None:
    """The type of a specific ``sender=<typ>``, as the rules compare it.

    As at run time: a class ``C`` is a sender of type ``type[C]``, an object
    of its type; None (no specific sender) narrows nothing and gives None;
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


def _violations(
    callee: CallableType,
    signal: SignalInfo,
    specific: Type | None,
    sender: Type | None,
    options: Options,
) -> list[rules.Violation]:
    return rules.check_receiver(
        receiver_params(callee),
        sender=sender,
        specific=specific,
        payload=signal.fields,
        accepts=accepts,
        show=lambda t: format_type_bare(t, options),
    )


def _each_sender_has_an_overload(
    items: list[CallableType], signal: SignalInfo, specific: Type | None, options: Options
) -> bool:
    """Union math, as mypy does for a call: each sender in a union fits some overload."""
    union = get_proper_type(specific if specific is not None else signal.sender)
    if not isinstance(union, UnionType):
        return False
    for member in union.items:
        sender, one = (signal.sender, member) if specific is not None else (member, None)
        if all(_violations(item, signal, one, sender, options) for item in items):
            return False
    return True


def _fail(
    api: CheckerPluginInterface, context: Context, text: str, violation: rules.Violation
) -> None:
    api.fail(f"{text}: {violation.describe()}", context, code=SIGNAL_RECEIVER)


def check_sender_argument(
    api: CheckerPluginInterface,
    context: Context,
    signal: SignalInfo,
    sender: Type | _Unknown | None,
) -> bool:
    """Rule 6 alone: report a specific ``sender=`` not of the signal's sender type."""
    if isinstance(sender, _Unknown):
        return True
    options = api.options
    violations = rules.check_sender_argument(
        signal.sender, sender, accepts, lambda t: format_type_bare(t, options)
    )
    for violation in violations:
        _fail(api, context, f"Cannot connect a receiver to {signal.label}", violation)
    return not violations


def check_receiver(
    api: CheckerPluginInterface,
    context: Context,
    receiver: Type,
    name: str | None,
    signal: SignalInfo,
    sender: Type | _Unknown | None,
    *,
    with_sender_argument: bool = True,
) -> bool:
    """Report every rule ``receiver`` breaks for ``signal``; True if it breaks none.

    ``sender`` is the type of a specific ``sender=`` (see ``narrowed_sender``);
    ``with_sender_argument=False`` leaves rule 6 out (checked where ``sender=`` was given).
    """
    items = receiver_signatures(receiver)
    if not items:
        return True
    options = api.options
    unknown = isinstance(sender, _Unknown)
    specific = None if isinstance(sender, _Unknown) else sender
    signal_sender = None if unknown else signal.sender
    found = [_violations(item, signal, specific, signal_sender, options) for item in items]
    if not with_sender_argument:
        found = [[v for v in vs if v.rule is not rules.SENDER_ARGUMENT] for vs in found]
    if not all(found):
        return True  # the receiver, or one of its overloads, takes the call
    if len(items) > 1 and _each_sender_has_an_overload(items, signal, specific, options):
        return True
    shown = name or items[0].name or format_type_bare(receiver, options)
    for number, violations in enumerate(found, 1):
        which = f": overload {number} of {len(items)}" if len(items) > 1 else ""
        text = f'Receiver "{shown}" cannot be connected to {signal.label}{which}'
        for violation in violations:
            _fail(api, context, text, violation)
    return False
