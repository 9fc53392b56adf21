"""What the plugin knows of a signal: its sender type S and payload P, from its mypy type."""

from __future__ import annotations

from dataclasses import dataclass

from mypy.maptype import map_instance_to_supertype
from mypy.messages import format_type_bare
from mypy.nodes import Expression, LambdaExpr, MemberExpr, NameExpr
from mypy.options import Options
from mypy.types import AnyType, Instance, Type, TypedDictType, get_proper_type, has_type_vars

from typedsignals.rules import Field

__all__ = [
    "DECORATOR_FULLNAME",
    "RECEIVER_FULLNAME",
    "RECEIVER_FULLNAMES",
    "SIGNAL_FULLNAME",
    "SignalInfo",
    "expression_name",
    "payload_fields",
    "signal_info",
]

SIGNAL_FULLNAME = "typedsignals.dispatcher.Signal"
RECEIVER_FULLNAME = "typedsignals.dispatcher.receiver"
#: The decorators checked as ``@receiver`` is: they return a ReceiverDecorator.
RECEIVER_FULLNAMES = frozenset({RECEIVER_FULLNAME, "typedsignals.celery.receivers.task_receiver"})
DECORATOR_FULLNAME = "typedsignals.protocols.ReceiverDecorator"


@dataclass(frozen=True)
class SignalInfo:
    """A signal as the rules see it.

    Attributes:
        sender: S, or None when unknown (Any, or a type variable).
        fields: the payload keys, or None for an untyped signal (P is Any or unknown).
        label: names the signal in messages: ``signal "pizza_done" (Signal[Store, PizzaDone])``.
    """

    sender: Type | None
    fields: dict[str, Field[Type]] | None
    label: str


def signal_info(typ: Type, name: str | None, options: Options) -> SignalInfo | None:
    """The S and P of ``typ`` if it is a ``Signal`` (or a subclass of one); else None."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return None
    base = next((info for info in proper.type.mro if info.fullname == SIGNAL_FULLNAME), None)
    if base is None:
        return None
    args = map_instance_to_supertype(proper, base).args
    if len(args) != 2:
        return None
    sender = None if _unknown(args[0]) else args[0]
    shown = format_type_bare(proper, options)
    label = f'signal "{name}" ({shown})' if name else f'a signal of type "{shown}"'
    return SignalInfo(sender, payload_fields(args[1]), label)


def payload_fields(payload: Type) -> dict[str, Field[Type]] | None:
    """The keys of a payload TypedDict, by name; None when it is unknown or not a TypedDict.

    By name, not in declaration order: mypy's cache keeps the keys sorted, and
    messages must not change between a fresh run and a cached one.
    """
    proper = get_proper_type(payload)
    if _unknown(proper) or not isinstance(proper, TypedDictType):
        return None  # not a TypedDict: refused at run time where declared, not here
    return {
        key: Field(key, proper.items[key], key in proper.required_keys)
        for key in sorted(proper.items)
    }


def _unknown(typ: Type) -> bool:
    return isinstance(get_proper_type(typ), AnyType) or has_type_vars(typ)


def expression_name(expr: Expression) -> str | None:
    """``name`` or ``a.b.name`` for a name or attribute expression, else None."""
    if isinstance(expr, LambdaExpr):
        return "<lambda>"
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        owner = expression_name(expr.expr)
        return f"{owner}.{expr.name}" if owner else None
    return None
