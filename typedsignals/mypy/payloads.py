"""The send checks: the keyword arguments of send / send_robust / asend / asend_robust.

They are checked against the signal's payload TypedDict as the runtime
``validate=True`` does: a missing Required key, an unknown key, a value of
the wrong type. The sender's own type is an ordinary argument (``SenderT``),
checked by mypy itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.messages import format_type_bare
from mypy.nodes import ARG_NAMED, ARG_STAR2, Expression
from mypy.plugin import CheckerPluginInterface, MethodContext
from mypy.subtypes import is_subtype
from mypy.types import Type, TypedDictType, get_proper_type, has_type_vars

from typedsignals.rules import Field

from .errorcodes import SIGNAL_PAYLOAD
from .receivers import bounded
from .signals import expression_name, signal_info

__all__ = ["MISSING_KEY", "PAYLOAD_VALUE_TYPE", "UNKNOWN_KEY", "PayloadRule", "check_send"]


@dataclass(frozen=True)
class PayloadRule:
    """A payload rule: a stable id and its sentence (as ``rules.Rule``)."""

    id: str
    summary: str


MISSING_KEY = PayloadRule(
    "payload-missing-key", "A send must pass every Required key of the signal's payload."
)
UNKNOWN_KEY = PayloadRule(
    "payload-unknown-key", "A send may pass only the keys of the signal's payload."
)
PAYLOAD_VALUE_TYPE = PayloadRule(
    "payload-type", "Each payload value must have the type of its key."
)


def check_send(ctx: MethodContext, method: str) -> None:
    """Report each problem with the payload of ``sig.<method>(sender, **payload)``."""
    callee = getattr(ctx.context, "callee", None)
    owner = getattr(callee, "expr", None)
    name = expression_name(owner) if isinstance(owner, Expression) else None
    signal = signal_info(ctx.type, name, ctx.api.options)
    if signal is None or signal.fields is None:
        return
    fields = signal.fields
    where = f"{method}() of {signal.label}"
    provided: set[str] = set()
    maybe_missing: dict[str, str] = {}  # key -> the spread TypedDict that may lack it
    open_ended = False  # a **mapping whose keys are unknown

    def report(rule: PayloadRule, key: str, expected: str, found: str) -> None:
        ctx.api.fail(
            f"Invalid payload for {where}: [{rule.id}] {rule.summary} "
            f"Key '{key}': expected {expected}; found {found}.",
            ctx.context,
            code=SIGNAL_PAYLOAD,
        )

    def check_key(key: str, value: Type, expr: Expression | None) -> None:
        field = fields.get(key)
        if field is None:
            report(UNKNOWN_KEY, key, f"one of {_keys(fields)}", "a key the payload does not have")
            return
        found = _value_type(ctx.api, value, expr, field)
        if found is not None:
            expected = format_type_bare(field.type, ctx.api.options)
            report(PAYLOAD_VALUE_TYPE, key, expected, format_type_bare(found, ctx.api.options))

    for formal, formal_name in enumerate(ctx.callee_arg_names):
        if formal_name == "sender":
            continue
        for kind, key, value, expr in zip(
            ctx.arg_kinds[formal],
            ctx.arg_names[formal],
            ctx.arg_types[formal],
            ctx.args[formal],
            strict=True,
        ):
            if kind == ARG_NAMED and key is not None:
                provided.add(key)
                check_key(key, value, expr)
            elif kind == ARG_STAR2:
                mapping = get_proper_type(value)
                if not isinstance(mapping, TypedDictType):
                    open_ended = True
                    continue
                # Only the keys it always has are provided: a NotRequired one may be missing.
                provided.update(mapping.required_keys)
                for item_key in sorted(mapping.items):
                    check_key(item_key, mapping.items[item_key], None)
                    if item_key not in mapping.required_keys:
                        maybe_missing[item_key] = format_type_bare(mapping, ctx.api.options)
    if open_ended:
        return
    for key, field in fields.items():
        if field.required and key not in provided:
            source = maybe_missing.get(key)
            report(
                MISSING_KEY,
                key,
                f"a value of type {format_type_bare(field.type, ctx.api.options)}",
                f'a key that "**{source}" may leave out (NotRequired)' if source else "none",
            )


def _value_type(
    api: CheckerPluginInterface, value: Type, expr: Expression | None, field: Field[Type]
) -> Type | None:
    """None if the value is accepted, else its type (for the message).

    An argument is inferred against ``**named: Any``, so ``[1]`` is a list[Any]
    there: it is inferred again against the key's type, as mypy infers an
    argument against its parameter's type. A value whose type holds a type
    variable (``cls()`` in a ``-> Self`` classmethod) is judged by its bound.
    """
    if has_type_vars(field.type):
        return None  # a payload of a signal typed by a type variable: unknown here
    if expr is None:
        return None if is_subtype(bounded(value), field.type) else value
    with api.msg.filter_errors() as errors:
        again = api.get_expression_type(expr, type_context=field.type)
    if not errors.has_new_errors() and is_subtype(bounded(again), field.type):
        return None
    with api.msg.filter_errors():
        return api.get_expression_type(expr)


def _keys(fields: dict[str, Field[Type]]) -> str:
    return ", ".join(f"'{key}'" for key in fields) or "no key (the payload is empty)"
