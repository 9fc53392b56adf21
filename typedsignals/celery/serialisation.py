"""A send's sender and payload as the JSON a task carries, and back again in the worker.

The types come from the signal (``validation.signal_types``): the sender type
``S`` and each key of the payload TypedDict. Each is rewritten so that what
cannot be JSON travels by reference (``references.py``): a Django model by
``app_label.Model`` and pk, a class by its import path, a value typed ``Any``
tagged. One pydantic ``TypeAdapter`` per key and side is built when the
receiver is decorated, so a type pydantic cannot serialise is refused there,
and a send only validates and dumps.

The message, the task's only (keyword) arguments::

    {"typedsignals": 1, "signal": "pizza_done", "sender": ..., "payload": {"size": 12, ...}}

The sender side validates in pydantic's strict mode (as ``validate=True``
does), the worker side validates the JSON in strict JSON mode: ``"12"`` is no
int there either.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import pydantic
import typing_extensions as te
from pydantic_core import PydanticSerializationError, to_json

from typedsignals import PayloadError, SignalTypeError
from typedsignals.validation import signal_text, signal_types

from .errors import MessageRefused, ModelRowMissing
from .references import TravelsByReference, is_model_class

if TYPE_CHECKING:
    from typedsignals import Signal

__all__ = ["MESSAGE_VERSION", "SignalCodec", "signal_label", "travelling_type"]

#: The format of the message; a worker refuses another.
MESSAGE_VERSION = 1
_MESSAGE_KEYS = frozenset({"typedsignals", "signal", "sender", "payload"})
_UNIONS: tuple[object, ...] = (typing.Union, types.UnionType)


def travelling_type(tp: object, *, loading: bool) -> object:
    """``tp`` with each part that travels by reference marked (see the module).

    Arguments:

        tp
            A declared type: the sender type, or the type of a payload key.

        loading
            Build the worker's side (True) or the sender's (False).
    """
    if tp is Any or tp is object:
        return te.Annotated[Any, TravelsByReference(object, "any", loading=loading)]
    # Before Python 3.11, isinstance(type[X], type) is true: an alias is no class.
    if isinstance(tp, type) and te.get_origin(tp) is None:
        if is_model_class(tp):
            return te.Annotated[tp, TravelsByReference(tp, "instance", loading=loading)]
        return tp
    origin, args = te.get_origin(tp), te.get_args(tp)
    if origin is type and len(args) == 1:
        base = object if args[0] is Any else args[0]
        if isinstance(base, type):
            return te.Annotated[tp, TravelsByReference(base, "class", loading=loading)]
        return tp
    if origin is te.Annotated:
        inner = travelling_type(args[0], loading=loading)
        params: tuple[object, ...] = (inner, *tp.__metadata__)  # type: ignore[attr-defined]
        return tp if inner is args[0] else te.Annotated[params]
    if origin is None or not args or origin is te.Literal:
        return tp
    new = tuple(a if a is Ellipsis else travelling_type(a, loading=loading) for a in args)
    if all(n is a for n, a in zip(new, args, strict=True)):
        return tp
    if origin in _UNIONS:
        return typing.Union[new]  # noqa: UP007 (built from a tuple)
    if isinstance(tp, types.GenericAlias):
        return types.GenericAlias(origin, new)
    return tp.copy_with(new)  # type: ignore[attr-defined]  # typing's own aliases


def signal_label(signal: Signal[Any, Any]) -> str:
    """A name for ``signal`` that is the same in every process: its name or its payload type."""
    if signal.name:
        return signal.name
    payload = signal_types(signal).payload_type
    if payload is None:
        return "?"
    origin: Any = te.get_origin(payload) or payload  # a generic payload: Event[int]
    arguments = te.get_args(payload)
    shown = f"[{', '.join(map(repr, arguments))}]" if arguments else ""
    return f"{origin.__module__}.{origin.__qualname__}{shown}"


def _problems(where: str, exc: pydantic.ValidationError) -> list[str]:
    found: list[str] = []
    for err in exc.errors():
        at = ".".join([where, *map(str, err["loc"])])
        found.append(f"{at!r}: {err['msg']} (got {err.get('input')!r})")
    return found


class _Side:
    """One side's adapters: the sender's and one per payload key."""

    def __init__(self, sender_type: object, fields: Mapping[str, Any], *, loading: bool) -> None:
        def adapter(where: str, tp: object) -> pydantic.TypeAdapter[Any]:
            try:
                travelling: Any = travelling_type(tp, loading=loading)
                return pydantic.TypeAdapter(travelling)
            except pydantic.PydanticUserError as exc:  # an arbitrary class, for one
                raise SignalTypeError(
                    f"{where} cannot travel to a Celery worker as JSON: pydantic says: {exc} "
                    "(declare a pydantic-serialisable type: a dataclass, a TypedDict, a "
                    "pydantic model, a Django model, or type[...] for a class)"
                ) from exc

        self.sender = adapter(f"The sender type {sender_type!r}", sender_type)
        self.keys = {
            key: adapter(f"Payload key {key!r} (of type {field.type!r})", field.type)
            for key, field in fields.items()
        }


class SignalCodec:
    """Turns a send into a task's message and a message back into the send's arguments.

    Arguments:

        signal
            A signal whose payload type is known at run time (``Signal[S, P]()``
            or a subclass of ``Signal[S, P]``); ``SignalTypeError`` otherwise,
            or when a type cannot travel as JSON.
    """

    def __init__(self, signal: Signal[Any, Any]) -> None:
        found = signal_types(signal)
        if found.fields is None:
            raise SignalTypeError(
                f"{signal_text(signal)} has no payload type known at run time, so its payload "
                "cannot be validated and serialised for a Celery worker: declare it as "
                "Signal[Sender, Payload]() or as a subclass of Signal[Sender, Payload]."
            )
        self.signal = signal
        self.label = signal_label(signal)
        self.text = signal_text(signal)
        self.fields = found.fields
        sender_type = Any if found.sender is None else found.sender
        self._sending = _Side(sender_type, found.fields, loading=False)
        self._loading = _Side(sender_type, found.fields, loading=True)
        self._required = frozenset(k for k, f in found.fields.items() if f.required)

    def _key_problems(self, payload: Mapping[str, Any]) -> list[str]:
        unknown = [f"{key!r}: unknown key" for key in payload if key not in self.fields]
        missing = [f"{k!r}: missing required key" for k in sorted(self._required - set(payload))]
        return unknown + missing

    def encode(self, sender: object, named: Mapping[str, Any]) -> dict[str, Any]:
        """The message for a send; ``PayloadError`` naming every value that does not fit."""
        problems = self._key_problems(named)
        values = [("sender", self._sending.sender, sender)]
        values += [(k, self._sending.keys[k], v) for k, v in named.items() if k in self.fields]
        dumped: dict[str, Any] = {}
        for where, adapter, value in values:
            try:
                dumped[where] = adapter.dump_python(
                    adapter.validate_python(value, strict=True), mode="json"
                )
            except pydantic.ValidationError as exc:
                problems += _problems(where, exc)
            except (PydanticSerializationError, ValueError) as exc:
                problems.append(f"{where!r}: cannot be serialised to JSON: {exc}")
        if problems:
            raise PayloadError(f"{self.text}, for a Celery task", problems, self.signal)
        sender_json = dumped.pop("sender")
        return {
            "typedsignals": MESSAGE_VERSION,
            "signal": self.label,
            "sender": sender_json,
            "payload": dumped,
        }

    def decode(self, message: Mapping[str, Any]) -> tuple[object, dict[str, Any]]:
        """The sender and payload of a message, validated and with their rows read.

        Raises ``MessageRefused`` listing what does not fit, or, when all fits
        but a model row is gone, ``ModelRowMissing``.
        """
        problems = self._message_problems(message)
        if problems:
            raise MessageRefused(self._refusal(problems), problems)
        payload: dict[str, Any] = message["payload"]
        problems = self._key_problems(payload)
        values = [("sender", self._loading.sender, message["sender"])]
        values += [(k, self._loading.keys[k], v) for k, v in payload.items() if k in self.fields]
        loaded: dict[str, Any] = {}
        gone: ModelRowMissing | None = None
        for where, adapter, value in values:
            try:
                loaded[where] = adapter.validate_json(to_json(value), strict=True)
            except pydantic.ValidationError as exc:
                problems += _problems(where, exc)
            except ModelRowMissing as exc:
                gone = gone or exc
        if problems:
            raise MessageRefused(self._refusal(problems), problems)
        if gone is not None:
            raise gone
        return loaded.pop("sender"), loaded

    def _message_problems(self, message: Mapping[str, Any]) -> list[str]:
        if frozenset(message) != _MESSAGE_KEYS:
            return [
                f"expected the keyword arguments {sorted(_MESSAGE_KEYS)}, found {sorted(message)}"
            ]
        odd = _not_json(message)
        if odd is not None:
            return [f"only JSON crosses the broker; found a Python {odd} in the message"]
        problems: list[str] = []
        if message["typedsignals"] != MESSAGE_VERSION:
            problems.append(
                f"message format {message['typedsignals']!r}; this worker reads {MESSAGE_VERSION}"
            )
        if message["signal"] != self.label:
            problems.append(f"the message is for signal {message['signal']!r}, not {self.label!r}")
        if not isinstance(message["payload"], dict):
            problems.append(f"the payload is not a JSON object: {message['payload']!r}")
        return problems

    def _refusal(self, problems: list[str]) -> str:
        return "\n".join([f"Message refused for {self.text}:", *(f"  - {p}" for p in problems)])


def _not_json(value: object) -> str | None:
    """The type name of the first value that JSON cannot carry, or None when all can."""
    if value is None or type(value) in (str, int, float, bool):
        return None
    if type(value) is list:
        items = cast("list[object]", value)
        return next((odd for item in items if (odd := _not_json(item)) is not None), None)
    if type(value) is dict:
        mapping = cast("dict[object, object]", value)
        for key, item in mapping.items():
            odd = "non-str key" if type(key) is not str else _not_json(item)
            if odd is not None:
                return odd
        return None
    return type(value).__qualname__
