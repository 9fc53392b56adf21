"""The connect checks: ``sig.connect(r, sender=...)`` and ``@receiver(sig_or_list, sender=...)``.

The annotations take any callable as a receiver (no annotation can state the
rules, see ``typedsignals.protocols``) and a ``sender=`` of the signal's sender
type. Here the rules decide both: ``sender=`` is widened to object, so that a
wrong one gets rule 6's message (not mypy's "cannot infer" at ``@receiver``).

``receiver(...)`` returns a ``ReceiverDecorator``; its type argument, which
the annotations leave as the sender type, here carries what the later
application ``decorator(func)`` needs (the signals and the ``sender=``), as a
tuple tagged with ``_MARK``. No state is kept between hooks, so the check is
the same from mypy's cache and in dmypy.
"""

# mypy's copy_modified() parameters are typed with mypy's Bogus[...] alias (for mypyc),
# which pyright cannot resolve: the calls are typed for mypy, unknown to pyright.
# pyright: reportUnknownMemberType=false

from __future__ import annotations

from collections.abc import Sequence

from mypy.checker import TypeChecker
from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    CallExpr,
    Context,
    Decorator,
    Expression,
    ListExpr,
    RefExpr,
)
from mypy.nodes import TupleExpr as TupleExpression
from mypy.plugin import (
    CheckerPluginInterface,
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    MethodSigContext,
)
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    LiteralType,
    NoneType,
    TupleType,
    Type,
    TypeOfAny,
    TypeVarType,
    get_proper_type,
)

from .receivers import check_receiver, check_sender_argument, narrowed_sender
from .signals import (
    DECORATOR_FULLNAME,
    RECEIVER_FULLNAMES,
    SignalInfo,
    expression_name,
    signal_info,
)

__all__ = [
    "carrying_decorator",
    "connect_hook",
    "connect_signature_hook",
    "decorator_call_hook",
    "decorator_signature_hook",
    "receiver_call_hook",
    "receiver_signature_hook",
]

_MARK = "typedsignals.receiver"


def any_callable(api: CheckerPluginInterface) -> CallableType:
    """``Callable[..., Any]``."""
    any_type = AnyType(TypeOfAny.explicit)
    return CallableType(
        [any_type, any_type],
        [ARG_STAR, ARG_STAR2],
        [None, None],
        any_type,
        api.named_generic_type("builtins.function", []),
        is_ellipsis_args=True,
    )


# -- sig.connect(...) ------------------------------------------------------------------


def _widened(sig: CallableType, widths: dict[str, Type]) -> CallableType:
    """``sig`` with the parameters named in ``widths`` given those types."""
    pairs = zip(sig.arg_names, sig.arg_types, strict=True)
    arg_types = [widths.get(name or "", typ) for name, typ in pairs]
    return sig.copy_modified(arg_types=arg_types)


def connect_signature_hook(ctx: MethodSigContext) -> FunctionLike:
    """Widen ``receiver`` to any callable and ``sender`` to object: the method hook
    applies the rules to both (rule 6 for the sender), in the runtime's words."""
    sig = ctx.default_signature
    widths: dict[str, Type] = {
        "receiver": any_callable(ctx.api),
        "sender": ctx.api.named_generic_type("builtins.object", []),
    }
    return _widened(sig, widths)


def receiver_signature_hook(ctx: FunctionSigContext) -> FunctionLike:
    """``receiver(signal, sender=...)``: the signal alone decides the sender type; the
    call hook checks ``sender=`` against it (else mypy merely cannot infer it)."""
    return _widened(
        ctx.default_signature, {"sender": ctx.api.named_generic_type("builtins.object", [])}
    )


def connect_hook(ctx: MethodContext) -> Type:
    """Apply the rules to ``sig.connect(receiver, sender=...)``."""
    receiver = _actual(ctx.callee_arg_names, ctx.arg_types, ctx.args, "receiver")
    if receiver is None:
        return ctx.default_return_type
    callee = getattr(ctx.context, "callee", None)
    owner = getattr(callee, "expr", None)
    name = expression_name(owner) if isinstance(owner, Expression) else None
    signal = signal_info(ctx.type, name, ctx.api.options)
    if signal is None:
        return ctx.default_return_type
    given = _actual(ctx.callee_arg_names, ctx.arg_types, ctx.args, "sender")
    sender = narrowed_sender(given[0]) if given is not None else None
    if not _checks_enabled(ctx.callee_arg_names, ctx.args):
        # check=False skips the receiver's rules, not the sender's type.
        check_sender_argument(ctx.api, ctx.context, signal, sender)
        return ctx.default_return_type
    check_receiver(
        ctx.api, ctx.context, receiver[0], expression_name(receiver[1]), signal, sender
    )
    return ctx.default_return_type


def _actual(
    names: Sequence[str | None],
    types: list[list[Type]],
    args: list[list[Expression]],
    name: str,
) -> tuple[Type, Expression] | None:
    """The type and expression of the argument given for the parameter ``name``, if one."""
    if name not in names:
        return None
    index = names.index(name)
    if len(types[index]) != 1:
        return None
    return types[index][0], args[index][0]


def _checks_enabled(names: Sequence[str | None], args: list[list[Expression]]) -> bool:
    """False when ``check=`` is given and not literally True: the runtime may skip the rules."""
    if "check" not in names:
        return True
    given = args[names.index("check")]
    if not given:
        return True
    return isinstance(given[0], RefExpr) and given[0].fullname == "builtins.True"


# -- @receiver(...) --------------------------------------------------------------------


def receiver_call_hook(ctx: FunctionContext) -> Type:
    """``receiver(signal_or_list, sender=...)``: check ``sender=`` against each signal
    (rule 6), and carry the signals to the decorator's type for the other rules."""
    default = get_proper_type(ctx.default_return_type)
    if not isinstance(default, Instance) or default.type.fullname != DECORATOR_FULLNAME:
        return ctx.default_return_type
    given = _actual(ctx.callee_arg_names, ctx.arg_types, ctx.args, "signal")
    if given is None:
        return ctx.default_return_type
    signal_type, signal_expr = given
    if isinstance(signal_expr, (ListExpr, TupleExpression)):
        signals = [(item, _type_of(ctx.api, item)) for item in signal_expr.items]
    else:
        signals = [(signal_expr, signal_type)]
    sender = _actual(ctx.callee_arg_names, ctx.arg_types, ctx.args, "sender")
    if sender is not None:
        specific = narrowed_sender(sender[0])
        for expr, typ in signals:
            info = signal_info(typ, expression_name(expr), ctx.api.options)
            if info is not None:
                check_sender_argument(ctx.api, ctx.context, info, specific)
    if not _checks_enabled(ctx.callee_arg_names, ctx.args):
        return ctx.default_return_type
    named = [(expression_name(expr) or "", typ) for expr, typ in signals]
    return carrying_decorator(ctx.api, default, named, sender[0] if sender is not None else None)


# Hook point, also used by typedsignals.mypy.django for Django's own receiver().
def carrying_decorator(
    api: CheckerPluginInterface,
    decorator: Instance,
    signals: Sequence[tuple[str, Type]],
    sender: Type | None,
) -> Instance:
    """``decorator`` (a ReceiverDecorator) carrying the signals, each (name, type), and
    the ``sender=`` type (None: not given) to ``decorator_call_hook``."""
    string = api.named_generic_type("builtins.str", [])
    carried = [_tuple(api, [LiteralType(name, string), typ]) for name, typ in signals]
    carrier = _tuple(
        api,
        [
            LiteralType(_MARK, string),
            _tuple(api, carried),
            sender if sender is not None else NoneType(),
        ],
    )
    return decorator.copy_modified(args=[carrier])


def _type_of(api: CheckerPluginInterface, expr: Expression) -> Type:
    """The type mypy inferred for ``expr`` (an item of the list just checked)."""
    known = api.lookup_type_or_none(expr) if isinstance(api, TypeChecker) else None
    return known if known is not None else api.get_expression_type(expr)


def _tuple(api: CheckerPluginInterface, items: Sequence[Type]) -> TupleType:
    fallback = api.named_generic_type("builtins.tuple", [AnyType(TypeOfAny.special_form)])
    return TupleType(list(items), fallback)


def _carried(typ: Type) -> tuple[list[tuple[str, Type]], Type | None] | None:
    """The signals (name, type) and the ``sender=`` type carried by a ReceiverDecorator."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance) or len(proper.args) != 1:
        return None
    carrier = get_proper_type(proper.args[0])
    if not isinstance(carrier, TupleType) or len(carrier.items) != 3:
        return None
    mark, signals, sender = map(get_proper_type, carrier.items)
    if not (isinstance(mark, LiteralType) and mark.value == _MARK):
        return None
    if not isinstance(signals, TupleType):
        return None
    found: list[tuple[str, Type]] = []
    for item in map(get_proper_type, signals.items):
        if not isinstance(item, TupleType) or len(item.items) != 2:
            return None
        name = get_proper_type(item.items[0])
        found.append((str(name.value) if isinstance(name, LiteralType) else "", item.items[1]))
    return found, None if isinstance(sender, NoneType) else sender


def decorator_signature_hook(ctx: MethodSigContext) -> FunctionLike:
    """Widen ``__call__(func: F) -> F`` to any callable F: the method hook applies the rules."""
    sig = ctx.default_signature
    if len(sig.variables) != 1 or not isinstance(sig.variables[0], TypeVarType):
        return sig
    old = sig.variables[0]
    new = old.copy_modified(upper_bound=any_callable(ctx.api))

    def swap(typ: Type) -> Type:
        proper = get_proper_type(typ)
        return new if isinstance(proper, TypeVarType) and proper.id == old.id else typ

    return sig.copy_modified(
        arg_types=[swap(t) for t in sig.arg_types], ret_type=swap(sig.ret_type), variables=[new]
    )


def decorator_call_hook(ctx: MethodContext) -> Type:
    """``receiver(...)(func)``, as decorator or call: apply the rules for each signal."""
    carried = _carried(ctx.type)
    if carried is None or len(ctx.arg_types) != 1 or len(ctx.arg_types[0]) != 1:
        return ctx.default_return_type
    signals, sender_arg = carried
    func = ctx.arg_types[0][0]
    context = _decorator_context(ctx)
    sender = narrowed_sender(sender_arg) if sender_arg is not None else None
    for name, typ in signals:
        signal = signal_info(typ, name or None, ctx.api.options)
        if signal is None:
            # A list whose items are not known one by one: check the rules that need no types.
            signal = SignalInfo(None, None, f'signal "{name}"' if name else "each signal")
        check_receiver(ctx.api, context, func, None, signal, sender, with_sender_argument=False)
    return ctx.default_return_type


def _decorator_context(ctx: MethodContext) -> Context:
    """Report at the ``@receiver(...)`` line, not at the first decorator's."""
    context = ctx.context
    if not isinstance(context, Decorator):
        return context
    calls = [
        d
        for d in context.decorators
        if isinstance(d, CallExpr)
        and isinstance(d.callee, RefExpr)
        and d.callee.fullname in RECEIVER_FULLNAMES
    ]
    if len(calls) > 1 and isinstance(ctx.api, TypeChecker):
        calls = [d for d in calls if ctx.api.lookup_type_or_none(d) == ctx.type]
    return calls[0] if len(calls) == 1 else context
