"""Payload validation at send time, with pydantic (``Signal(validate=True)``).

A validated signal checks every send's keyword arguments against its payload
TypedDict in pydantic's strict mode (no coercion) before any receiver runs.
pydantic is optional: it is imported here, only when a signal asks for it.

pydantic is given the payload's keys as this package reads them (type
arguments of a generic payload applied, ``Annotated`` constraints kept), with
``arbitrary_types_allowed``: a value of a class pydantic knows nothing of (a
model instance) is checked with ``isinstance``. Should pydantic still refuse
the whole TypedDict, each key is checked on its own; a key whose type pydantic
cannot check at all is checked with ``isinstance`` if its type is a class,
else not checked.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import typing_extensions as te

from . import rules, typecompat
from .errors import PayloadError, SignalTypeError
from .signaltypes import key_type, signal_text, signal_types, typeddict_hints

if TYPE_CHECKING:
    import pydantic

__all__ = ["payload_checker"]

#: Checks one value; raises pydantic's ValidationError, or returns its error dicts.
_KeyCheck = Callable[[object], list[dict[str, Any]]]


def _pydantic() -> Any:
    try:
        import pydantic
    except ImportError:
        raise ImportError(
            "Payload validation (validate=True) needs pydantic: "
            "pip install 'typedsignals[pydantic]'."
        ) from None
    return pydantic


def _is_static_protocol(tp: object) -> bool:
    """A Protocol that isinstance() refuses (not @runtime_checkable)."""
    return (
        isinstance(tp, type)
        and getattr(tp, "_is_protocol", False) is True
        and not getattr(tp, "_is_runtime_protocol", False)
    )


def _checkable(tp: object, depth: int = 0) -> object:
    """``tp`` with static Protocols replaced by Any: pydantic would isinstance() them
    and raise TypeError at the first send; such a value cannot be checked at run time."""
    if _is_static_protocol(tp):
        return Any
    args = te.get_args(tp)
    if not args or depth > 32 or any(isinstance(a, list) for a in args):
        return tp  # nothing inside (a Callable's parameters are not checked by pydantic)
    new = tuple(_checkable(a, depth + 1) for a in args)
    if all(x is y for x, y in zip(new, args, strict=True)):
        return tp
    origin = te.get_origin(tp)
    try:
        if origin is te.Annotated:
            annotated: Any = te.Annotated
            params = (new[0], *args[1:])
            return annotated[params]
        if origin is typing.Union or isinstance(tp, types.UnionType):
            return typing.Union[new]  # noqa: UP007 (built from a tuple)
        if isinstance(tp, types.GenericAlias):
            return types.GenericAlias(cast(type, origin), new)
        return cast(Any, tp).copy_with(new)
    except Exception:  # a form that cannot be rebuilt: not checked
        return Any


def _mentions_static_protocol(tp: object) -> bool:
    return _checkable(tp) is not tp


def _typeddict(payload: object, fields: Mapping[str, rules.Field[object]], config: Any) -> Any:
    """A TypedDict of the payload's keys for pydantic: arguments applied, static
    Protocols left unchecked, config set."""
    origin: Any = te.get_origin(payload) or payload
    hints = typeddict_hints(payload)
    checked = {key: _checkable(key_type(hint)) for key, hint in hints.items()}
    keys = {
        key: tp if fields[key].required else te.NotRequired[tp] for key, tp in checked.items()
    }
    make: Any = te.TypedDict  # the functional form, with keys known only at run time
    td = make(origin.__name__, keys)
    td.__module__ = origin.__module__
    td.__pydantic_config__ = config
    return td


def _adapter(
    pydantic_: Any, payload: object, fields: Mapping[str, rules.Field[object]], config: Any
) -> Any:
    """A TypeAdapter of the payload itself if pydantic takes it, else of ``_typeddict``; or None.

    pydantic refuses a TypedDict with a value of a class it does not know
    (unless configured), and before Python 3.12 a ``typing.TypedDict``.
    """
    builds: list[Callable[[], object]] = [lambda: _typeddict(payload, fields, config)]
    if not any(_mentions_static_protocol(f.type) for f in fields.values()):
        builds.insert(0, lambda: payload)
    for build in builds:
        try:
            return pydantic_.TypeAdapter(build())
        except Exception:
            continue
    return None


def _key_check(pydantic_: Any, tp: object, config: Any) -> _KeyCheck | None:
    """One key's check: pydantic's, else isinstance for a class, else None (unchecked)."""
    tp = _checkable(tp)
    try:
        adapter = pydantic_.TypeAdapter(tp, config=config)
    except Exception:
        pass
    else:
        validate = adapter.validator.validate_python

        def by_pydantic(value: object) -> list[dict[str, Any]]:
            try:
                validate(value, strict=True)
            except pydantic_.ValidationError as exc:
                return list(exc.errors())
            return []

        return by_pydantic
    if isinstance(tp, types.GenericAlias) or not isinstance(tp, type) or te.is_typeddict(tp):
        return None
    cls = cast("type[object]", tp)
    message = f"Input should be an instance of {typecompat.show(cls)}"

    def by_isinstance(value: object) -> list[dict[str, Any]]:
        if isinstance(value, cls):
            return []
        return [{"type": "is_instance_of", "loc": (), "msg": message, "input": value}]

    return by_isinstance


def payload_checker(signal: object) -> Callable[[dict[str, Any]], None]:
    """Build the payload check of a ``validate=True`` signal.

    The check raises ``PayloadError`` listing every unknown, missing or
    mistyped key; values are validated by pydantic in strict mode (no
    coercion). The pydantic validator is built here, once per signal.
    """
    known = signal_types(signal)
    if known.payload_type is None or known.fields is None:
        raise SignalTypeError(
            f"{signal_text(signal)} was created with validate=True but its payload type is "
            "not known at run time; declare it as Signal[Sender, Payload](validate=True) "
            "or as a subclass of Signal[Sender, Payload]."
        )
    pydantic_ = _pydantic()
    config = pydantic_.ConfigDict(arbitrary_types_allowed=True)
    fields = known.fields
    validate: Callable[..., object] | None = None
    by_key: dict[str, _KeyCheck | None] = {}
    adapter = _adapter(pydantic_, known.payload_type, fields, config)
    if adapter is not None:
        validate = adapter.validator.validate_python  # pydantic-core's, without the wrapper
    else:
        by_key = {k: _key_check(pydantic_, f.type, config) for k, f in fields.items()}
    allowed = frozenset(fields)
    text = signal_text(signal)
    invalid: type[pydantic.ValidationError] = pydantic_.ValidationError

    def errors(named: dict[str, Any]) -> list[dict[str, Any]]:
        if validate is not None:
            try:
                validate(named, strict=True)
            except invalid as exc:
                return cast("list[dict[str, Any]]", exc.errors())
            return []
        found: list[dict[str, Any]] = []
        for key, field in fields.items():  # declaration order, as pydantic reports
            if key not in named:
                if field.required:
                    found.append({"type": "missing", "loc": (key,)})
                continue
            check = by_key.get(key)
            if check is not None:
                found += [{**err, "loc": (key, *err["loc"])} for err in check(named[key])]
        return found

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

