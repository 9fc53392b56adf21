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
6. ``receiver-sender-argument``: a specific sender given to connect is of the
   signal's sender type.

A receiver whose ``**kwargs`` is annotated ``Unpack[SomeTypedDict]`` (PEP 692)
takes the TypedDict's keys as keyword parameters: ``unpack_kwargs`` spells
them out, so that rules 2 to 4 apply to them as to any parameter.
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
    "SENDER_ARGUMENT",
    "SENDER_TYPE",
    "UNKNOWN_PARAMETER",
    "Field",
    "Param",
    "ParamKind",
    "Rule",
    "Violation",
    "check_receiver",
    "check_sender_argument",
    "unpack_kwargs",
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
SENDER_ARGUMENT = Rule(
    "receiver-sender-argument",
    6,
    "A specific sender given to connect must be of the signal's sender type.",
)
ALL_RULES = (KWARGS, SENDER_TYPE, UNKNOWN_PARAMETER, PAYLOAD_TYPE, POSITIONAL_ONLY, SENDER_ARGUMENT)


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
    specific: T | None = None,
) -> list[Violation]:
    """Return every rule the receiver breaks (an empty list when it is fine).

    Arguments:

        params
            The receiver's parameters as called (a bound method without ``self``),
            ``**kwargs: Unpack[...]`` spelled out (``unpack_kwargs``).

        sender
            The signal's sender type, or None when unknown (Any).

        specific
            The type of the specific sender given to connect, or None for every
            sender (or when its type is unknown). When given, the receiver's
            ``sender`` annotation must accept it instead of ``sender`` (rule 2),
            and ``sender`` must accept it (rule 6).

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
            expected = specific if specific is not None else sender
            _check_type(violations, SENDER_TYPE, p, expected, accepts, show)
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
    return violations + check_sender_argument(sender, specific, accepts, show)


def check_sender_argument(
    sender: T | None,
    specific: T | None,
    accepts: Callable[[T, T], bool | None],
    show: Callable[[T], str],
) -> list[Violation]:
    """Rule 6 alone: the specific sender given to connect is of the signal's sender type.

    The arguments are those of ``check_receiver``; it needs no receiver.
    """
    if specific is None or sender is None or accepts(sender, specific) is not False:
        return []
    found = f"a sender of type {show(specific)}"
    return [Violation(SENDER_ARGUMENT, None, f"a sender of type {show(sender)}", found)]


def unpack_kwargs(params: Sequence[Param[T]], keys: Mapping[str, Field[T]]) -> list[Param[T]]:
    """``params`` with ``**kwargs: Unpack[TD]`` (PEP 692) read as TD's keys.

    ``keys`` are TD's keys: each becomes a keyword-only parameter of its type,
    with a default when it is NotRequired; ``**kwargs`` itself stays (it still
    takes any other keyword at run time), unannotated.
    """
    named = {p.name for p in params if p.kind is not ParamKind.VAR_KEYWORD}
    spelled: list[Param[T]] = []
    for p in params:
        if p.kind is ParamKind.VAR_KEYWORD:
            spelled += [
                Param(k.name, ParamKind.KEYWORD_ONLY, not k.required, k.type)
                for k in keys.values()
                if k.name not in named
            ]
            spelled.append(Param(p.name, p.kind, p.has_default))
        else:
            spelled.append(p)
    return spelled


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
