"""Hypothesis strategies for generated receivers and signals, as Python source text.

Source text, so that one generated case can go both through the runtime
validator (``exec`` it, then connect) and through mypy with the plugin (write
it to a file). Shared by tests/test_static_crosscheck.py and runtime tests.

- ``receiver_signatures()``: a receiver's parameters (names from ``NAMES``,
  every kind, defaults or not, annotations from ``ANNOTATIONS``) and its source
  with ``ReceiverSignature.source(name)``;
- ``payload_shapes()``: a payload TypedDict's keys, types and Required /
  NotRequired, and its source with ``PayloadShape.source(name)``;
- ``connect_cases()``: a signal (sender type, payload or untyped; declared as
  ``Signal[S, P]()``, a subclass, or a generic subclass given its arguments), a
  receiver (a function, or a class whose ``__init__`` takes the parameters;
  ``**kwargs`` perhaps ``Unpack[TD]``) and how it is connected (``connect`` or
  ``receiver(...)(r)``, with or without a specific ``sender=``, which may be of
  another type than the signal's senders).

``PRELUDE`` is the source every generated module starts with (imports and the
classes the annotations name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "ANNOTATIONS",
    "FIELD_TYPES",
    "NAMES",
    "PRELUDE",
    "SENDER_ARGUMENTS",
    "SENDER_TYPES",
    "STYLES",
    "ConnectCase",
    "Kind",
    "Parameter",
    "PayloadShape",
    "ReceiverSignature",
    "connect_cases",
    "payload_shapes",
    "receiver_signatures",
]

PRELUDE = """\
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Optional, TypeVar

from typing_extensions import NotRequired, Required, TypedDict, Unpack

from typedsignals import Signal, receiver


class Store: ...


class BigStore(Store): ...


S_ = TypeVar("S_")
P_ = TypeVar("P_")
"""

#: Parameter names: the reserved two, payload keys, and names no payload has.
NAMES = ("signal", "sender", "size", "toppings", "note", "extra", "colour")
#: Payload keys (never ``signal`` or ``sender``: the dispatcher passes those).
KEYS = ("size", "toppings", "note", "extra")
#: Annotation -> a default value of that type.
ANNOTATIONS: dict[str, str] = {
    "int": "0",
    "bool": "False",
    "float": "0.0",
    "str": "''",
    "object": "None",
    "Any": "None",
    "Optional[int]": "None",
    "list[str]": "[]",
    "list[object]": "[]",
    "Sequence[str]": "()",
    "Store": "Store()",
    "BigStore": "BigStore()",
    "type[Store]": "Store",
}
FIELD_TYPES = ("int", "bool", "str", "float", "Optional[int]", "list[str]", "Store")
#: The signal's sender type; None for an untyped signal (``Signal()``).
SENDER_TYPES = ("Store", "BigStore", "object", "Any", None)
#: Specific senders a signal of each sender type can be given, as source (None: every
#: sender); some of another type than the signal's senders (rule 6).
SENDER_ARGUMENTS: dict[str | None, tuple[str | None, ...]] = {
    "Store": (None, "Store()", "BigStore()", "Store", "0"),
    "BigStore": (None, "BigStore()", "Store()"),
    "object": (None, "Store()", "BigStore()", "Store"),
    "Any": (None, "Store()", "Store"),
    None: (None, "BigStore()", "Store"),
}
#: How a signal is declared: ``Signal[S, P]()``, ``class Sig(Signal[S, P])``, or a
#: generic subclass ``class Sig(Signal[S_, P_], Generic[S_, P_])`` used as ``Sig[S, P]()``.
STYLES = ("alias", "subclass", "generic")


class Kind(Enum):
    """Parameter kinds, in the order Python requires them."""

    POSITIONAL_ONLY = 0
    POSITIONAL_OR_KEYWORD = 1
    KEYWORD_ONLY = 3


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: Kind
    default: bool
    annotation: str | None

    def source(self) -> str:
        text = self.name
        if self.annotation is not None:
            text += f": {self.annotation}"
        if self.default:
            value = ANNOTATIONS[self.annotation] if self.annotation is not None else "None"
            text += f" = {value}"
        return text


@dataclass(frozen=True)
class ReceiverSignature:
    params: tuple[Parameter, ...]
    star_args: bool
    star_kwargs: bool
    is_async: bool
    as_class: bool = False  # a class whose __init__ takes the parameters
    unpacked: PayloadShape | None = None  # **kwargs: Unpack[U{name}]

    def source(self, name: str) -> str:
        """The receiver ``name`` (and, before it, the TypedDict it unpacks, if any)."""
        if self.as_class:
            return f"class {name}:\n    {self._def('__init__', name, 'self')}"
        return self._def(name, name, None)

    def unpacked_source(self, name: str) -> str | None:
        """The TypedDict ``U{name}`` its ``**kwargs`` unpacks, if any."""
        if self.unpacked is None or not self.star_kwargs:
            return None
        return self.unpacked.source(f"U{name}")

    def _def(self, function: str, name: str, first: str | None) -> str:
        parts: list[str] = [] if first is None else [first]
        positional_only = [p for p in self.params if p.kind is Kind.POSITIONAL_ONLY]
        parts += [p.source() for p in positional_only]
        if positional_only:
            parts.append("/")
        parts += [p.source() for p in self.params if p.kind is Kind.POSITIONAL_OR_KEYWORD]
        keyword_only = [p.source() for p in self.params if p.kind is Kind.KEYWORD_ONLY]
        if self.star_args:
            parts.append("*args: Any")
        elif keyword_only:
            parts.append("*")
        parts += keyword_only
        if self.star_kwargs:
            unpacked = self.unpacked is not None
            parts.append(f"**kwargs: Unpack[U{name}]" if unpacked else "**kwargs: Any")
        prefix = "async def" if self.is_async and not self.as_class else "def"
        return f"{prefix} {function}({', '.join(parts)}) -> None: ..."


@st.composite
def receiver_signatures(draw: st.DrawFn) -> ReceiverSignature:
    """Any valid signature over ``NAMES``: kinds, defaults and annotations mixed."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    drafted: list[Parameter] = []
    for name in names:
        annotation = draw(st.none() | st.sampled_from(sorted(ANNOTATIONS)))
        drafted.append(
            Parameter(name, draw(st.sampled_from(Kind)), draw(st.booleans()), annotation)
        )
    drafted.sort(key=lambda p: p.kind.value)
    params: list[Parameter] = []
    seen_default = False
    for p in drafted:  # after a positional default, every positional parameter needs one
        if p.kind is not Kind.KEYWORD_ONLY:
            if seen_default and not p.default:
                p = Parameter(p.name, p.kind, True, p.annotation)
            seen_default |= p.default
        params.append(p)
    star_kwargs = draw(st.sampled_from((True, True, False)))
    unpacked = None
    if star_kwargs and draw(st.integers(0, 3)) == 0:
        # PEP 692 forbids a key that is also a parameter's name.
        taken = {p.name for p in params}
        shape = draw(payload_shapes())
        unpacked = PayloadShape(tuple(f for f in shape.fields if f[0] not in taken), shape.total)
    return ReceiverSignature(
        tuple(params),
        star_args=draw(st.booleans()),
        star_kwargs=star_kwargs,
        is_async=draw(st.booleans()),
        as_class=draw(st.integers(0, 4)) == 0,
        unpacked=unpacked,
    )


@dataclass(frozen=True)
class PayloadShape:
    fields: tuple[tuple[str, str, bool], ...]  # (key, type, required)
    total: bool

    def source(self, name: str) -> str:
        lines = [f"class {name}(TypedDict{'' if self.total else ', total=False'}):"]
        for key, typ, required in self.fields:
            if required == self.total:
                lines.append(f"    {key}: {typ}")
            else:
                lines.append(f"    {key}: {'Required' if required else 'NotRequired'}[{typ}]")
        if not self.fields:
            lines.append("    pass")
        return "\n".join(lines)


@st.composite
def payload_shapes(draw: st.DrawFn) -> PayloadShape:
    """A payload TypedDict: keys from ``KEYS``, Required or NotRequired, total or not."""
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=4))
    fields = tuple((k, draw(st.sampled_from(FIELD_TYPES)), draw(st.booleans())) for k in keys)
    return PayloadShape(fields, total=draw(st.booleans()))


@dataclass(frozen=True, repr=False)
class ConnectCase:
    """A receiver connected to a signal of its own.

    ``sender_type`` None: an untyped ``Signal()``; ``payload`` None: ``Signal[S]()``
    (the payload is Any).
    """

    signature: ReceiverSignature
    sender_type: str | None
    payload: PayloadShape | None
    style: str  # one of STYLES
    decorator: bool  # connected with ``receiver(sig, ...)(r)`` instead of ``sig.connect(r, ...)``
    sender_argument: str | None

    def __repr__(self) -> str:
        # Short: a failing batch is shown as source by the tests; hypothesis prints reprs.
        how = "receiver(...)" if self.decorator else "connect"
        return f"<{self.style} Signal[{self.sender_type}, ...] {how} sender={self.sender_argument}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis's printer would spell out every field

    def declarations(self, i: int | str) -> str:
        """The payloads, receiver and signal of case ``i``: ``P{i}``, ``r{i}``, ``sig{i}``."""
        unpacked = self.signature.unpacked_source(f"r{i}")
        parts = [*([unpacked] if unpacked else []), self.signature.source(f"r{i}")]
        if self.sender_type is None:
            parts.append(f"sig{i} = Signal()")
            return "\n\n\n".join(parts)
        payload = "Any"
        if self.payload is not None:
            parts.insert(0, self.payload.source(f"P{i}"))
            payload = f"P{i}"
        args = f"{self.sender_type}, {payload}" if self.payload is not None else self.sender_type
        if self.style == "subclass":
            parts.append(f"class Sig{i}(Signal[{args}]): ...\n\n\nsig{i} = Sig{i}()")
        elif self.style == "generic":
            parts.append(
                f"class Sig{i}(Signal[S_, P_], Generic[S_, P_]): ...\n\n\n"
                f"sig{i} = Sig{i}[{self.sender_type}, {payload}]()"
            )
        else:
            parts.append(f"sig{i} = Signal[{args}]()")
        return "\n\n\n".join(parts)

    def connect(self, i: int | str) -> str:
        """One line connecting ``r{i}`` to ``sig{i}``."""
        sender = f", sender={self.sender_argument}" if self.sender_argument else ""
        if self.decorator:
            return f"receiver(sig{i}{sender})(r{i})"
        return f"sig{i}.connect(r{i}{sender})"


@st.composite
def connect_cases(draw: st.DrawFn) -> ConnectCase:
    """A receiver, its signal, and a connect with a sender the signal's type allows."""
    sender_type = draw(st.sampled_from(SENDER_TYPES))
    return ConnectCase(
        signature=draw(receiver_signatures()),
        sender_type=sender_type,
        payload=draw(st.none() | payload_shapes()),
        style=draw(st.sampled_from(STYLES)),
        decorator=draw(st.booleans()),
        sender_argument=draw(st.sampled_from(SENDER_ARGUMENTS[sender_type])),
    )
