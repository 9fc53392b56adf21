"""The receiver rules, written once for the runtime validator and the mypy plugin.

A rule speaks of parameters and types in the abstract: the runtime validator
feeds it ``inspect.Parameter`` data and Python annotations, the mypy plugin
feeds it mypy's argument kinds and types. Each caller passes the one thing
that differs, ``accepts(annotation, value_type)``: True, False, or None when
it cannot decide. Only a definite False breaks a rule, so an undecidable
annotation never causes a false refusal.

The rules (stable ids, used in messages and in documentation):

1. ``receiver-kwargs``: the receiver accepts ``**kwargs``.
2. ``receiver-sender-type``: an annotated ``sender`` parameter accepts the
   signal's sender type (or the specific sender given to connect).
3. ``receiver-unknown-parameter``: every parameter the dispatcher must fill is
   ``signal``, ``sender`` or a Required payload key; a NotRequired key needs a
   default.
4. ``receiver-payload-type``: an annotated payload parameter accepts its
   field's type.
5. ``receiver-positional-only``: no positional-only parameter without a default.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = [
    "ALL_RULES",
    "KWARGS",
    "PAYLOAD_TYPE",
    "POSITIONAL_ONLY",
    "RESERVED_NAMES",
    "SENDER_TYPE",
    "UNKNOWN_PARAMETER",
    "Field",
    "Param",
    "ParamKind",
    "Rule",
    "Violation",
    "check_receiver",
]

T = TypeVar("T")

#: Keyword arguments the dispatcher passes to every receiver itself.
RESERVED_NAMES = frozenset({"signal", "sender"})


@dataclass(frozen=True)
class Rule:
    """A receiver rule: a stable id, its number in the docs, and its sentence."""

    id: str
    number: int
    summary: str


KWARGS = Rule(
    "receiver-kwargs", 1, "Signal receivers must accept keyword arguments (**kwargs)."
)
SENDER_TYPE = Rule(
    "receiver-sender-type", 2, "The receiver's 'sender' parameter must accept the signal's sender."
)
UNKNOWN_PARAMETER = Rule(
    "receiver-unknown-parameter",
    3,
    "Every parameter without a default must be 'signal', 'sender' or a payload key"
    " the signal always sends.",
)
PAYLOAD_TYPE = Rule(
    "receiver-payload-type", 4, "A payload parameter must accept the type the signal sends."
)
POSITIONAL_ONLY = Rule(
    "receiver-positional-only",
    5,
    "Receivers are called with keyword arguments only: no positional-only parameter"
    " without a default.",
)
ALL_RULES = (KWARGS, SENDER_TYPE, UNKNOWN_PARAMETER, PAYLOAD_TYPE, POSITIONAL_ONLY)


class ParamKind(enum.Enum):
    """The five kinds of Python parameter (as ``inspect.Parameter.kind``)."""

    POSITIONAL_ONLY = 0
    POSITIONAL_OR_KEYWORD = 1
    VAR_POSITIONAL = 2
    KEYWORD_ONLY = 3
    VAR_KEYWORD = 4


@dataclass(frozen=True)
class Param(Generic[T]):
    """One receiver parameter: ``annotation`` is None when it has none."""

    name: str
    kind: ParamKind
    has_default: bool
    annotation: T | None = None


@dataclass(frozen=True)
class Field(Generic[T]):
    """One payload key of a signal: its type and whether every send includes it."""

    name: str
    type: T
    required: bool


@dataclass(frozen=True)
class Violation:
    """One broken rule: which, about which parameter, expected versus found."""

    rule: Rule
    parameter: str | None
    expected: str
    found: str

    def describe(self) -> str:
        """One line for an error message."""
        where = f" Parameter '{self.parameter}':" if self.parameter else ""
        return (
            f"[{self.rule.id}] {self.rule.summary}{where} "
            f"expected {self.expected}; found {self.found}."
        )


def _signature_text(params: Sequence[Param[T]], show: Callable[[T], str]) -> str:
    parts: list[str] = []
    for p in params:
        prefix = {ParamKind.VAR_POSITIONAL: "*", ParamKind.VAR_KEYWORD: "**"}.get(p.kind, "")
        text = prefix + p.name
        if p.annotation is not None:
            text += f": {show(p.annotation)}"
        if p.has_default:
            text += "=..."
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def check_receiver(
    params: Sequence[Param[T]],
    *,
    sender: T | None,
    payload: Mapping[str, Field[T]] | None,
    accepts: Callable[[T, T], bool | None],
    show: Callable[[T], str],
) -> list[Violation]:
    """Return every rule the receiver breaks (an empty list when it is fine).

    Arguments:

        params
            The receiver's parameters as called (a bound method without ``self``).

        sender
            The sender type the receiver must accept, or None when unknown (Any).

        payload
            The signal's payload keys, or None for an untyped signal, which may
            send any keyword (rules 3 and 4 then have nothing to check).

        accepts
            ``accepts(annotation, value_type)``: True, False, or None if unknown.

        show
            Renders a type (or annotation) for messages.
    """
    violations: list[Violation] = []
    kinds = {p.kind for p in params}

    if ParamKind.VAR_KEYWORD not in kinds:
        violations.append(
            Violation(KWARGS, None, "a **kwargs parameter", _signature_text(params, show))
        )

    for p in params:
        if p.kind in (ParamKind.VAR_POSITIONAL, ParamKind.VAR_KEYWORD):
            continue
        if p.kind is ParamKind.POSITIONAL_ONLY:
            if not p.has_default:
                violations.append(
                    Violation(
                        POSITIONAL_ONLY,
                        p.name,
                        "a parameter that can be passed by keyword, or a default",
                        "a positional-only parameter without a default",
                    )
                )
            continue  # never filled by keyword: nothing else to check

        field = payload.get(p.name) if payload is not None else None
        if p.name == "sender":
            _check_type(violations, SENDER_TYPE, p, sender, accepts, show)
        elif p.name == "signal":
            pass
        elif payload is not None and not p.has_default:
            if field is None:
                violations.append(
                    Violation(
                        UNKNOWN_PARAMETER,
                        p.name,
                        f"one of {_names(payload)}",
                        "a parameter the signal never sends, without a default",
                    )
                )
            elif not field.required:
                violations.append(
                    Violation(
                        UNKNOWN_PARAMETER,
                        p.name,
                        "a default, because the signal may leave this key out (NotRequired)",
                        "no default",
                    )
                )
        if field is not None and p.name not in RESERVED_NAMES:
            _check_type(violations, PAYLOAD_TYPE, p, field.type, accepts, show)
    return violations


def _names(payload: Mapping[str, Field[T]]) -> str:
    keys = sorted(name for name, f in payload.items() if f.required)
    shown = ", ".join(repr(k) for k in ["signal", "sender", *keys])
    return shown


def _check_type(
    violations: list[Violation],
    rule: Rule,
    p: Param[T],
    value_type: T | None,
    accepts: Callable[[T, T], bool | None],
    show: Callable[[T], str],
) -> None:
    if p.annotation is None or value_type is None:
        return
    if accepts(p.annotation, value_type) is False:
        violations.append(
            Violation(
                rule,
                p.name,
                f"an annotation that accepts {show(value_type)}",
                show(p.annotation),
            )
        )
