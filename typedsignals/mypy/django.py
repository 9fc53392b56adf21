"""Django's own signals: ``django.dispatch.receiver`` and ``Signal.connect`` (django-stubs).

django-stubs types a built-in signal as a plain ``Signal`` or ``ModelSignal``
and its receivers as ``Callable[..., Any]``. This module looks the signal up
by its full name (``django.db.models.signals.post_save``) in
``typedsignals.django.declarations`` — the declarations the system check
reads too, which ``additional_deps`` adds to mypy's build — for the installed
Django version, binds the declaration's type variable to the ``sender=``
given (``sender=Book``: ``instance: Book``; none: ``instance: Model``), and
hands the resulting ``Signal[S, P]`` to the rules as for typedsignals' own
signals. A lazy sender (``"shop.Book"``) is resolved in the app registry
django-stubs' plugin has loaded. Any other Django signal gets the rules that
need no types (``**kwargs``, positional-only).

``receiver(...)`` returns a plain callable in django-stubs; here it returns
typedsignals' ``ReceiverDecorator`` carrying the typed signals, so the
decorator hooks of ``connections.py`` check the decorated function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from mypy.checker import TypeChecker
from mypy.expandtype import expand_type
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    Expression,
    ListExpr,
    MemberExpr,
    MypyFile,
    RefExpr,
    StrExpr,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext, Plugin
from mypy.subtypes import is_subtype
from mypy.typeops import make_simplified_union
from mypy.types import (
    AnyType,
    Instance,
    LiteralType,
    Type,
    TypeOfAny,
    TypeType,
    TypeVarId,
    TypeVarType,
    UnionType,
    get_proper_type,
)

from typedsignals.django import declarations, signals

from .connections import carrying_decorator
from .receivers import UNKNOWN_SENDER, check_receiver, narrowed_sender
from .signals import DECORATOR_FULLNAME, SIGNAL_FULLNAME, SignalInfo, expression_name, signal_info

__all__ = [
    "DJANGO_RECEIVER",
    "DJANGO_SIGNAL",
    "SOURCES",
    "additional_deps",
    "connect_hook",
    "django_version",
    "function_hook",
    "method_hook",
    "receiver_hook",
]

DJANGO_RECEIVER = "django.dispatch.dispatcher.receiver"
DJANGO_SIGNAL = "django.dispatch.dispatcher.Signal"
_DECLARATIONS = declarations.__name__
#: What this module reads by import: a change to them must invalidate mypy's cache.
SOURCES = (Path(declarations.__file__), Path(signals.__file__))
_PRI_LOW = 20  # mypy.build.PRI_LOW: an import the file does not spell out


def additional_deps(file: MypyFile) -> list[tuple[int, str, int]]:
    """A file that imports Django gets the declarations (and typedsignals' Signal) in its build."""
    if file.fullname == "django" or file.fullname.startswith(("django.", "typedsignals.")):
        return []
    if not any(_names_django(imp) for imp in file.imports):
        return []
    return [(_PRI_LOW, _DECLARATIONS, -1), (_PRI_LOW, "typedsignals.dispatcher", -1)]


def _names_django(imp: object) -> bool:
    ids: list[str] = [i for i, _ in getattr(imp, "ids", [])] or [getattr(imp, "id", "")]
    return any(i == "django" or i.startswith("django.") for i in ids)


@cache
def django_version() -> tuple[int, int]:
    """The installed Django's (major, minor); the newest declarations if it is not installed."""
    try:
        major, minor = metadata.version("django").split(".")[:2]
        return int(major), int("".join(c for c in minor if c.isdigit()) or 0)
    except (metadata.PackageNotFoundError, ValueError):
        return (sys.maxsize, 0)


# -- the hooks ----------------------------------------------------------------------------


def function_hook(plugin: Plugin, fullname: str) -> Callable[[FunctionContext], Type] | None:
    """The hook for Django's ``receiver()``, or None for any other function."""
    return receiver_hook(plugin) if fullname == DJANGO_RECEIVER else None


def method_hook(plugin: Plugin, fullname: str) -> Callable[[MethodContext], Type] | None:
    """The hook for ``connect`` of Django's ``Signal`` or a subclass of it, else None."""
    owner, _, method = fullname.rpartition(".")
    if method != "connect":
        return None
    symbol = plugin.lookup_fully_qualified(owner)
    node = symbol.node if symbol is not None else None
    if isinstance(node, TypeInfo) and node.has_base(DJANGO_SIGNAL):
        return connect_hook(plugin)
    return None


def receiver_hook(plugin: Plugin) -> Callable[[FunctionContext], Type]:
    """``django.dispatch.receiver(signal_or_list, sender=...)``."""

    def hook(ctx: FunctionContext) -> Type:
        given = _argument(ctx, "signal")
        if given is None:
            return ctx.default_return_type
        items = list(given.items) if isinstance(given, (ListExpr, TupleExpr)) else [given]
        sender_expr = _argument(ctx, "sender")
        sender = _sender_type(plugin, ctx.api, sender_expr)
        carried = [
            (expression_name(item) or "", _typed_signal(plugin, ctx.api, item, sender))
            for item in items
        ]
        decorator = _instance(plugin, DECORATOR_FULLNAME, [AnyType(TypeOfAny.special_form)])
        if decorator is None:
            return ctx.default_return_type  # typedsignals is not part of this build
        return carrying_decorator(ctx.api, decorator, carried, sender)

    return hook


def connect_hook(plugin: Plugin) -> Callable[[MethodContext], Type]:
    """``signal.connect(receiver, sender=...)`` on a Django ``Signal`` or ``ModelSignal``."""

    def hook(ctx: MethodContext) -> Type:
        receiver = _argument(ctx, "receiver")
        owner = getattr(getattr(ctx.context, "callee", None), "expr", None)
        if receiver is None or not isinstance(owner, Expression):
            return ctx.default_return_type
        sender = _sender_type(plugin, ctx.api, _argument(ctx, "sender"))
        typed = _typed_signal(plugin, ctx.api, owner, sender)
        name = expression_name(owner)
        info = signal_info(typed, name, ctx.api.options) or SignalInfo(
            None, None, f'signal "{name}"' if name else "a Django signal"
        )
        check_receiver(
            ctx.api,
            ctx.context,
            _type_of(ctx.api, receiver),
            expression_name(receiver),
            info,
            narrowed_sender(sender) if sender is not None else None,
        )
        return ctx.default_return_type

    return hook


def _argument(ctx: FunctionContext | MethodContext, name: str) -> Expression | None:
    """The expression given for the parameter ``name``: one, by position or keyword."""
    if name not in ctx.callee_arg_names:
        return None
    index = ctx.callee_arg_names.index(name)
    given, kinds = ctx.args[index], ctx.arg_kinds[index]
    if len(given) != 1 or kinds[0] not in (ARG_POS, ARG_NAMED):
        return None  # absent, or inside *args / **kwargs
    return given[0]


def _type_of(api: CheckerPluginInterface, expr: Expression) -> Type:
    known = api.lookup_type_or_none(expr) if isinstance(api, TypeChecker) else None
    return known if known is not None else api.get_expression_type(expr)


# -- a declared signal as a typedsignals Signal[S, P] ------------------------------------


def _typed_signal(
    plugin: Plugin, api: CheckerPluginInterface, signal: Expression, sender: Type | None
) -> Type:
    """``Signal[S, P]`` for a declared built-in signal, S and P bound to ``sender``;
    else the expression's own type (a project's signal, or a typedsignals one)."""
    fullname = _fullname(signal)
    declared = signals.declared_signals(django_version()).get(fullname or "")
    info = _declaration(plugin, declared.declaration.__name__) if declared else None
    if info is None:
        return _type_of(api, signal)
    declared_sender, payload = (_attribute_type(info, name) for name in ("sender", "payload"))
    if declared_sender is None or payload is None:
        return _type_of(api, signal)
    narrowed = narrowed_sender(sender) if sender is not None else None
    bindings = _bindings(plugin, info, declared_sender, narrowed)
    typed = _instance(
        plugin,
        SIGNAL_FULLNAME,
        [expand_type(declared_sender, bindings), expand_type(payload, bindings)],
    )
    return typed if typed is not None else _type_of(api, signal)


def _fullname(expr: Expression) -> str | None:
    """``django.db.models.signals.post_save`` for ``post_save`` or ``signals.post_save``."""
    if isinstance(expr, (RefExpr, MemberExpr)) and expr.fullname:
        return expr.fullname
    return None


def _declaration(plugin: Plugin, name: str) -> TypeInfo | None:
    return _class(plugin, f"{_DECLARATIONS}.{name}")


def _class(plugin: Plugin, fullname: str) -> TypeInfo | None:
    """The class ``fullname`` if its module is part of the build (the checker's own lookup
    asserts that it is)."""
    symbol = plugin.lookup_fully_qualified(fullname)
    node = symbol.node if symbol is not None else None
    return node if isinstance(node, TypeInfo) else None


def _instance(plugin: Plugin, fullname: str, args: list[Type]) -> Instance | None:
    info = _class(plugin, fullname)
    return Instance(info, args) if info is not None else None


def _attribute_type(info: TypeInfo, name: str) -> Type | None:
    node = info.names[name].node if name in info.names else None
    return node.type if isinstance(node, Var) else None


def _bindings(
    plugin: Plugin, info: TypeInfo, declared_sender: Type, narrowed: object
) -> dict[TypeVarId, Type]:
    """The declaration's type variables, from the narrowed sender, else their bounds.

    As at run time (``typedsignals.django.hints``): a sender declared
    ``type[M]`` binds M to the class given; one declared ``A`` to the type of
    the object given; an unknown sender, or one outside the bound, gives Any.
    Without a sender filter, a user model variable is ``AUTH_USER_MODEL``'s model.
    """
    bindings: dict[TypeVarId, Type] = {}
    members = get_proper_type(declared_sender)
    items = members.items if isinstance(members, UnionType) else [members]
    for item in map(get_proper_type, items):
        if isinstance(item, TypeType) and isinstance(item.item, TypeVarType):
            variable, value = item.item, _class_of(narrowed)
        elif isinstance(item, TypeVarType):
            variable, value = item, narrowed
        else:
            continue
        if value is None and variable.name in declarations.USER_MODEL_VARIABLES:
            value = _user_model(plugin)
        bindings[variable.id] = _bound(variable, value)
    for declared in info.defn.type_vars:
        if declared.id not in bindings:
            bindings[declared.id] = AnyType(TypeOfAny.special_form)
    return bindings


def _class_of(narrowed: object) -> object:
    """The class C of a narrowed ``type[C]`` (or union of them); else what was given."""
    if narrowed is None or narrowed is UNKNOWN_SENDER or not isinstance(narrowed, Type):
        return narrowed
    proper = get_proper_type(narrowed)
    items = proper.items if isinstance(proper, UnionType) else [proper]
    classes = [get_proper_type(i) for i in items]
    if all(isinstance(c, TypeType) for c in classes):
        return make_simplified_union([c.item for c in classes if isinstance(c, TypeType)])
    return UNKNOWN_SENDER  # not a class: the sender is outside the declared type


def _bound(variable: TypeVarType, value: object) -> Type:
    if value is None:
        return variable.upper_bound
    if not isinstance(value, Type) or not is_subtype(value, variable.upper_bound):
        return AnyType(TypeOfAny.special_form)
    return value


# -- senders ------------------------------------------------------------------------------


def _sender_type(
    plugin: Plugin, api: CheckerPluginInterface, expr: Expression | None
) -> Type | None:
    """The type of ``sender=``; a string is a lazy ``"app.Model"``: the model's
    ``type[Model]``, or Any when it cannot be resolved (a string sender of a plain
    signal, such as ``user_login_failed``'s, is then unknown too: never a false refusal).
    """
    if expr is None:
        return None
    if isinstance(expr, StrExpr):
        return _lazy_model(plugin, expr.value)
    typ = _type_of(api, expr)
    proper = get_proper_type(typ)
    literal = proper.last_known_value if isinstance(proper, Instance) else proper
    if isinstance(literal, LiteralType) and isinstance(literal.value, str):
        return _lazy_model(plugin, literal.value)
    if isinstance(proper, Instance) and proper.type.has_base("builtins.str"):
        # A reference not known until run time (sender=settings.AUTH_USER_MODEL).
        return AnyType(TypeOfAny.special_form)
    return typ


def _user_model(plugin: Plugin) -> Type | None:
    """The project's user model (``AUTH_USER_MODEL``), if django-stubs has set Django up."""
    conf = sys.modules.get("django.conf")
    try:
        reference = cast(Any, conf).settings.AUTH_USER_MODEL
    except Exception:  # no django.conf, or settings not configured
        return None
    model = get_proper_type(_lazy_model(plugin, str(reference)))
    return model.item if isinstance(model, TypeType) else None


def _lazy_model(plugin: Plugin, reference: str) -> Type:
    """``type[Book]`` for ``"shop.Book"``, from the app registry django-stubs has set up."""
    unknown = AnyType(TypeOfAny.special_form)
    registry = sys.modules.get("django.apps")
    apps = getattr(registry, "apps", None)
    if apps is None or not getattr(apps, "ready", False):
        return unknown  # no django-stubs plugin: Django was never set up in this process
    try:
        model = apps.get_model(reference)
    except (LookupError, ValueError):
        return unknown
    node = _class(plugin, f"{model.__module__}.{model.__qualname__}")
    if node is None:
        return unknown  # the model's module is not part of this build
    args = [AnyType(TypeOfAny.special_form)] * len(node.defn.type_vars)
    return TypeType(Instance(node, args))
