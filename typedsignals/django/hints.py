"""The declarations of ``declarations.py`` read at run time, for one sender filter.

``declarations.py`` imports Django for type checkers only; once Django is set
up, ``resolve_names`` imports those same names (read from that module's
``if TYPE_CHECKING:`` block, so the list is written once) and binds them in
it, so that ``typing.get_type_hints`` and the validator's ``payload_fields``
resolve its annotations as they resolve any other. A name whose module this
Django lacks (``django.tasks`` before 6.0) stays unresolved, and the
validator then treats the types that use it as unknown.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import typing_extensions as te

from typedsignals import rules, typecompat, validation

from . import declarations
from .signals import DeclaredSignal

__all__ = ["ReceiverTypes", "receiver_types", "resolve_names", "sender_classes"]

_TYPE_VARIABLES = (typing.TypeVar, te.TypeVar)


def resolve_names() -> None:
    """Import the names ``declarations.py`` imports for type checkers, and bind them there.

    Names already bound are kept; one that cannot be imported yet (a model
    class before the app registry is ready) is tried again on the next call.
    """
    names = declarations.__dict__
    for module_name, name, bound_as in _type_checking_imports():
        if bound_as in names:
            continue
        try:
            module = importlib.import_module(module_name)
        except Exception:  # ImportError, or Django's AppRegistryNotReady
            continue
        if hasattr(module, name):
            names[bound_as] = getattr(module, name)


@cache
def _type_checking_imports() -> tuple[tuple[str, str, str], ...]:
    """(module, name, bound as) for each ``from module import name`` under ``TYPE_CHECKING``."""
    tree = ast.parse(inspect.getsource(declarations))
    found: list[tuple[str, str, str]] = []
    for node in tree.body:
        if not (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and statement.module is not None:
                module_name = statement.module
                found += [(module_name, a.name, a.asname or a.name) for a in statement.names]
    return tuple(found)


@dataclass(frozen=True)
class ReceiverTypes:
    """What a receiver of one declared signal, for one sender filter, must accept.

    Attributes:
        sender: the type its ``sender`` parameter must accept, or None when unknown.
        fields: the payload keys, the signal's type variables bound; None if the
            declaration cannot be read (the rules that need no types apply).
        label: names the signal in messages:
            ``signal 'post_save' (Signal[type[Book], PostSave[Book]])``.
        specific: the type of the specific sender the receiver was connected
            for (None for every sender, or when unknown), which must be of the
            signal's declared sender type (rule 6).
        declared: the signal's sender type, its type variables their bounds.
    """

    sender: object
    fields: Mapping[str, rules.Field[object]] | None
    label: str
    specific: object = None
    declared: object = None


def receiver_types(
    declared: DeclaredSignal, sender: object, *, known: bool = True
) -> ReceiverTypes:
    """The types a receiver connected to ``declared`` with ``sender=sender`` must accept.

    Arguments:

        declared
            The built-in signal's declaration.

        sender
            The specific sender the receiver was connected for, or None for
            every sender (then the declared sender type applies, a model
            signal's type variable being its bound: ``instance: Model``).

        known
            False when the receiver has a specific sender that could not be
            identified: its type variables, and the sender rule, are unknown.
    """
    resolve_names()
    try:
        hints = te.get_type_hints(declared.declaration)
    except Exception:  # a name this Django lacks: check what needs no types
        return ReceiverTypes(None, None, f"signal '{declared.name}'")
    declared_sender, payload = hints["sender"], hints["payload"]
    payload_class = te.get_origin(payload) or payload
    bindings = _bindings(declared_sender, sender, known)
    fields = validation.payload_fields(payload_class) or {}
    bound = {
        key: rules.Field(key, _substitute(field.type, bindings), field.required)
        for key, field in fields.items()
    }
    specific: object = None
    if not known:
        sender_type: object = None
    elif sender is not None:
        sender_type = specific = type[sender] if isinstance(sender, type) else type(sender)
    else:
        sender_type = _substitute(declared_sender, bindings)
    shown = f"Signal[{typecompat.show(_substitute(declared_sender, bindings))}, "
    shown += f"{typecompat.show(_substitute(payload, bindings))}]"
    unbound = _substitute(declared_sender, _bindings(declared_sender, None, True))
    label = f"signal '{declared.name}' ({shown})"
    return ReceiverTypes(sender_type, bound, label, specific, unbound)


def _bindings(declared_sender: object, sender: object, known: bool) -> dict[object, object]:
    """The declaration's type variables: from the specific sender, else their bounds.

    A sender declared ``type[M]`` binds M to the sender class; one declared
    ``A`` binds A to the sender's type. Without a specific sender each is
    its bound; with one that is unknown, or outside the bound, it is Any.
    """
    bindings: dict[object, object] = {}
    for item in _members(declared_sender):
        if isinstance(item, _TYPE_VARIABLES):
            bindings[item] = _bound(item, type(sender) if sender is not None else None, known)
        elif te.get_origin(item) is type and isinstance(te.get_args(item)[0], _TYPE_VARIABLES):
            variable = te.get_args(item)[0]
            given = sender if isinstance(sender, type) else None
            bindings[variable] = _bound(
                variable, given, known and (sender is None or given is not None)
            )
    return bindings


def _members(tp: object) -> tuple[object, ...]:
    return te.get_args(tp) if te.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)


def _bound(variable: Any, given: type | None, known: bool) -> object:
    """What ``variable`` stands for: the sender's class ``given`` if it is within the bound."""
    bound = _resolved(variable.__bound__)
    if not known:
        return Any
    if given is None and variable.__name__ in declarations.USER_MODEL_VARIABLES:
        bound = _user_model() or bound
    if given is None:
        return bound if bound is not None else Any
    if isinstance(bound, type) and not issubclass(given, bound):
        return Any  # a sender outside the declared type: the signal never sends it
    return given


def _user_model() -> type | None:
    """The project's user model, or None before the app registry is ready."""
    try:
        from django.contrib.auth import get_user_model

        return get_user_model()
    except Exception:  # ImportError, AppRegistryNotReady, ImproperlyConfigured
        return None


def _resolved(bound: object) -> object:
    """A TypeVar's bound, its forward reference resolved in ``declarations``."""
    if isinstance(bound, typing.ForwardRef):
        holder = type("_Bound", (), {"__annotations__": {"bound": bound.__forward_arg__}})
        try:
            return te.get_type_hints(holder, globalns=declarations.__dict__)["bound"]
        except Exception:
            return None
    return bound


def _substitute(tp: object, bindings: Mapping[object, object]) -> object:
    """``tp`` with the bound type variables replaced (``type[M]`` -> ``type[Book]``)."""
    if isinstance(tp, _TYPE_VARIABLES):
        return bindings.get(tp, Any)
    parameters: tuple[object, ...] = getattr(tp, "__parameters__", ())
    # (A plain generic class has parameters too; on 3.10 type[M] passes isinstance(..., type).)
    if not parameters or (te.get_origin(tp) is None and isinstance(tp, type)):
        return tp
    # A parameterised alias binds its remaining variables when subscripted again.
    try:
        return typing.cast(Any, tp)[tuple(bindings.get(p, Any) for p in parameters)]
    except TypeError:
        return Any  # an alias that cannot be subscripted again: unknown


def sender_classes(declared: DeclaredSignal) -> list[type]:
    """The classes a specific sender of ``declared`` is, or is an instance of (bounds for
    type variables): where the system check looks for a sender known only by its ``id()``.
    """
    resolve_names()
    try:
        declared_sender = te.get_type_hints(declared.declaration)["sender"]
    except Exception:
        return []
    found: list[type] = []
    for item in _members(declared_sender):
        target = te.get_args(item)[0] if te.get_origin(item) is type else item
        if isinstance(target, _TYPE_VARIABLES):
            target = _resolved(target.__bound__)
        if isinstance(target, type) and target is not type(None):
            found.append(target)
    return found
