"""Payload validation at send time, with pydantic (``Signal(validate=True)``).

A validated signal checks every send's keyword arguments against its payload
TypedDict in pydantic's strict mode (no coercion) before any receiver runs.
pydantic is optional: it is imported here, only when a signal asks for it.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import rules, typecompat
from .errors import PayloadError, SignalTypeError
from .validation import signal_text, signal_types

if TYPE_CHECKING:
    from pydantic import ValidationError

    from .dispatcher import Signal

__all__ = ["payload_checker"]


def _per_key_errors(
    fields: Mapping[str, rules.Field[object]],
    by_key: Mapping[str, Any],
    named: Mapping[str, Any],
    invalid: type[ValidationError],
) -> list[Any]:
    """pydantic's errors, one key at a time, in declaration order as pydantic reports."""
    found: list[Any] = []
    for key, field in fields.items():
        if key not in named:
            if field.required:
                found.append({"type": "missing", "loc": (key,)})
            continue
        try:
            by_key[key].validate_python(named[key], strict=True)
        except invalid as exc:
            found += [{**err, "loc": (key, *err["loc"])} for err in exc.errors()]
    return found


def payload_checker(signal: Signal[Any, Any]) -> Callable[[dict[str, Any]], None]:
    """Build the payload check of a ``validate=True`` signal.

    The check raises ``PayloadError`` listing every unknown, missing or
    mistyped key; values are validated by pydantic in strict mode (no
    coercion). The pydantic adapter is built here, once per signal.
    """
    types = signal_types(signal)
    if types.payload_type is None or types.fields is None:
        raise SignalTypeError(
            f"{signal_text(signal)} was created with validate=True but its payload type is "
            "not known at run time; declare it as Signal[Sender, Payload](validate=True) "
            "or as a subclass of Signal[Sender, Payload]."
        )
    try:
        import pydantic
    except ImportError:
        raise ImportError(
            "Payload validation (validate=True) needs pydantic: "
            "pip install 'typedsignals[pydantic]'."
        ) from None
    fields = types.fields
    by_key: dict[str, pydantic.TypeAdapter[Any]] = {}
    try:
        adapter: pydantic.TypeAdapter[Any] | None = pydantic.TypeAdapter(types.payload_type)
    except pydantic.PydanticUserError as exc:
        # Before Python 3.12 pydantic refuses a typing.TypedDict (it wants
        # typing_extensions'), yet that is how most payloads are declared there:
        # check the keys here and each value against its own type instead.
        adapter = None
        try:
            by_key = {k: pydantic.TypeAdapter(typing.cast(Any, f.type)) for k, f in fields.items()}
        except pydantic.PydanticUserError:
            raise SignalTypeError(
                f"{signal_text(signal)}: pydantic cannot validate the payload type "
                f"{typecompat.show(types.payload_type)}: {exc}"
            ) from exc
    allowed = frozenset(fields)
    text = signal_text(signal)

    def errors(named: dict[str, Any]) -> list[Any]:
        if adapter is not None:
            try:
                adapter.validate_python(named, strict=True)
            except pydantic.ValidationError as exc:
                return list(exc.errors())
            return []
        return _per_key_errors(fields, by_key, named, pydantic.ValidationError)

    # pydantic-core's validator itself, without TypeAdapter's Python wrapper.
    validate = adapter.validator.validate_python if adapter is not None else None
    invalid = pydantic.ValidationError

    def check(named: dict[str, Any]) -> None:
        if validate is not None and allowed.issuperset(named):
            try:
                validate(named, strict=True)
            except invalid:
                pass  # described below
            else:
                return
        problems = [f"{key!r}: unknown key" for key in named if key not in allowed]
        for err in errors(named):
            where = ".".join(str(part) for part in err["loc"]) or "payload"
            if err["type"] == "missing":
                problems.append(f"{where!r}: missing required key")
            else:
                problems.append(f"{where!r}: {err['msg']} (got {err.get('input')!r})")
        if problems:
            raise PayloadError(text, problems, signal)

    return check

