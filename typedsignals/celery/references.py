"""What travels by reference: Django model instances and classes, other classes.

A model instance crosses the broker as ``{"model": "books.Book", "pk": 7}``
(plus ``"db"`` when it was read from another database than ``default``) and
is read again in the worker; a model class as ``{"model": "books.Book"}``; any
other class as ``{"class": "module:QualName"}``, found in the worker among the
modules already imported (a message never makes the worker import anything).
A value typed ``Any`` or ``object`` travels as one of those when it is a
model or a class, and as ``{"value": <JSON>}`` otherwise.

``TravelsByReference`` is the pydantic marker that ``serialisation.py`` puts
on such types, ``Annotated[Book, TravelsByReference(Book, "instance")]``; it
has a sending side (validate a Python value, dump the reference) and a loading
side (validate the JSON, return the object). Django is imported only when a
model is met, so projects without Django need none of it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic_core import core_schema, to_jsonable_python

from .errors import ModelRowMissing

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler

__all__ = ["Kind", "TravelsByReference", "dump_reference", "is_model_class", "load_reference"]

#: "instance": a model instance; "class": a class (a model class or any other); "any": anything.
Kind = Literal["instance", "class", "any"]


def is_model_class(value: object) -> bool:
    """Whether ``value`` is a Django model class (Django is not imported to find out)."""
    models = sys.modules.get("django.db.models")
    return (
        models is not None and isinstance(value, type) and issubclass(value, models.Model)
    )


def _model_label(model: Any) -> str:
    return str(model._meta.label)


def dump_reference(value: object) -> dict[str, Any] | None:
    """The reference for a model instance, a model class or a class; None for anything else."""
    if isinstance(value, type):
        if is_model_class(value):
            return {"model": _model_label(value)}
        if "<locals>" in value.__qualname__:
            raise ValueError(
                f"the class {value.__qualname__} is local to a function: "
                "a worker cannot find it by name"
            )
        return {"class": f"{value.__module__}:{value.__qualname__}"}
    if is_model_class(type(value)):
        instance: Any = value
        pk = instance.pk
        if pk is None:
            raise ValueError(
                f"the {_model_label(type(value))} instance is not saved (its pk is None): "
                "a worker can only read saved rows"
            )
        found: dict[str, Any] = {"model": _model_label(type(value)), "pk": to_jsonable_python(pk)}
        db = instance._state.db
        if db not in (None, "default"):
            found["db"] = db
        return found
    return None


def _model(label: object, base: type) -> type:
    from django.apps import apps

    if not isinstance(label, str):
        raise ValueError(f"expected a model label such as 'books.Book', found {label!r}")
    try:
        model: type = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValueError(f"no model {label!r} is installed in this worker") from None
    if not issubclass(model, base):
        raise ValueError(f"the model {label} is not a {base.__qualname__}")
    return model


def _class(path: object, base: type) -> type:
    if not isinstance(path, str) or ":" not in path:
        raise ValueError(f"expected a class path such as 'module:Class', found {path!r}")
    module_name, _, qualname = path.partition(":")
    found: object = sys.modules.get(module_name)
    if found is None:
        raise ValueError(f"the module {module_name!r} of class {path!r} is not imported here")
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if not isinstance(found, type):
        raise ValueError(f"{path!r} is not a class")
    if not issubclass(found, base):
        raise ValueError(f"{path!r} is not a subclass of {base.__qualname__}")
    return found


def _row(reference: dict[str, Any], base: type) -> object:
    model: Any = _model(reference["model"], base)
    pk = reference["pk"]
    if isinstance(pk, bool) or not isinstance(pk, (int, str)):
        raise ValueError(f"expected a primary key (an int or a str), found {pk!r}")
    db = reference.get("db", "default")
    if not isinstance(db, str):
        raise ValueError(f"expected a database alias, found {db!r}")
    # The base manager, as Django's related-object access uses: a default manager
    # that filters rows (soft deletion, say) must not make a row look deleted.
    manager = model._base_manager.db_manager(db)
    try:
        row: object = manager.get(pk=pk)
    except model.DoesNotExist:
        label = reference["model"]
        raise ModelRowMissing(
            f"{label} with pk={pk!r} no longer exists (database {db!r})", label, pk
        ) from None
    return row


_SHAPES: dict[Kind, tuple[frozenset[str], ...]] = {
    "instance": (frozenset({"model", "pk"}), frozenset({"model", "pk", "db"})),
    "class": (frozenset({"model"}), frozenset({"class"})),
}
_SHAPES["any"] = (*_SHAPES["instance"], *_SHAPES["class"], frozenset({"value"}))
_EXPECTED: dict[Kind, str] = {
    "instance": "a model reference {'model': ..., 'pk': ...}",
    "class": "a class reference {'model': ...} or {'class': ...}",
    "any": "{'value': ...} or a model or class reference",
}


def load_reference(data: object, base: type, kind: Kind) -> object:
    """The object that the JSON ``data`` refers to.

    Arguments:

        data
            The reference, as the worker received it.

        base
            The declared type: the object (or class) found must be one.

        kind
            What the declared type allows (``Kind``).

    Raises ``ValueError`` for a reference that does not fit (pydantic reports
    it as a validation error) and ``ModelRowMissing`` for a deleted row.
    """
    reference = cast("dict[str, Any]", data) if isinstance(data, dict) else None
    if reference is None or frozenset(reference) not in _SHAPES[kind]:
        raise ValueError(f"expected {_EXPECTED[kind]}, found {data!r}")
    if "value" in reference:
        return reference["value"]
    if "pk" in reference:
        return _row(reference, base)
    if "model" in reference:
        return _model(reference["model"], base)
    return _class(reference["class"], base)


class TravelsByReference:
    """The pydantic marker for a type whose values travel by reference (see the module).

    Arguments:

        base
            The declared class: the model of an instance, the bound of a
            ``type[...]``, or ``object``.

        kind
            What is declared (``Kind``).

        loading
            False for the sender's side (a Python value in, its JSON out), True
            for the worker's (the JSON in, the object out).
    """

    def __init__(self, base: type, kind: Kind, *, loading: bool) -> None:
        self.base = base
        self.kind: Kind = kind
        self.loading = loading

    def __repr__(self) -> str:
        side = "loading" if self.loading else "sending"
        return f"TravelsByReference({self.base.__qualname__}, {self.kind!r}, {side})"

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """The schema of one side: a plain validator, or a check and a serializer."""
        base, kind = self.base, self.kind
        if self.loading:
            return core_schema.no_info_plain_validator_function(
                lambda data: load_reference(data, base, kind)
            )
        dump = core_schema.plain_serializer_function_ser_schema(
            _dump_any if kind == "any" else _dump
        )
        if kind == "instance":
            return core_schema.is_instance_schema(base, serialization=dump)
        if kind == "class":
            return core_schema.is_subclass_schema(base, serialization=dump)
        return core_schema.any_schema(serialization=dump)


def _dump(value: object) -> dict[str, Any]:
    found = dump_reference(value)
    if found is None:  # pragma: no cover - the check before it lets only references through
        raise ValueError(f"{value!r} cannot travel by reference")
    return found


def _dump_any(value: object) -> dict[str, Any]:
    found = dump_reference(value)
    return found if found is not None else {"value": to_jsonable_python(value)}
