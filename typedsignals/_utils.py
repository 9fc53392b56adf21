"""Small helpers shared by the dispatcher, the registry and the validator.

``from typedsignals import Signal`` loads this module: ``inspect`` and
``logging`` are imported where a message or a log record needs them.
"""

from __future__ import annotations

import functools
import importlib
import operator
from collections.abc import Callable, Hashable
from types import CodeType, FunctionType, MethodType
from typing import TYPE_CHECKING, Any, NamedTuple, cast

if TYPE_CHECKING:
    import logging

    #: Where send_robust() and asend_robust() report receiver errors (made on first use).
    logger: logging.Logger

__all__ = [
    "NONE_ID",
    "LazyModule",
    "Location",
    "describe_callable",
    "locate",
    "log_robust_failure",
    "logger",
    "make_id",
    "resolve",
    "sender_key",
    "unwrap",
    "why_not_weak",
]

#: Calls a snapshot's deref in C: ``[*map(resolve, derefs)]`` resolves every receiver
#: without a comprehension's frame (a function call of its own before Python 3.12).
resolve: Callable[[Callable[[], Any]], Any] = getattr(
    operator, "call", operator.methodcaller("__call__")
)


def make_id(target: object) -> Hashable:
    """Return the identity key Django uses for a receiver or a sender.

    A bound method is keyed by its instance and its function, because every
    attribute access creates a new method object; anything else by ``id()``.
    """
    if type(target) is FunctionType:
        return id(target)  # the common case, without a failing getattr's cost
    func: object = getattr(target, "__func__", None)
    if func is not None and hasattr(target, "__self__"):
        return (id(cast(Any, target).__self__), id(func))
    return id(target)


#: The key of "no specific sender": receivers connected with ``sender=None``.
NONE_ID: Hashable = make_id(None)


def sender_key(sender: object) -> Hashable:
    """The send-time twin of :func:`make_id`, without ``hasattr``'s cost.

    Bound methods are the only senders with ``__func__`` that matter; a failed
    ``hasattr`` on every send would cost more than the rest of the lookup.
    """
    if type(sender) is MethodType:
        return (id(sender.__self__), id(sender.__func__))
    return id(sender)


def unwrap(obj: object) -> Any:
    """The function behind a bound method, partial or decorated callable."""
    for _ in range(100):  # a bound on __wrapped__ chains, which may loop
        if isinstance(obj, functools.partial):
            obj = cast("functools.partial[object]", obj).func
        elif isinstance(obj, (MethodType, classmethod, staticmethod)):
            obj = cast(Any, obj).__func__
        elif hasattr(obj, "__wrapped__"):
            obj = cast(Any, obj).__wrapped__
        else:
            break
    return obj


class Location(NamedTuple):
    """Where a callable is defined, as messages and introspection name it.

    Attributes:
        module: its module's name ("" if unknown).
        qualname: its qualified name; a callable instance is ``"Class instance"``.
        path: its source file, or None if unknown.
        line: the line it starts on, or None if unknown.
    """

    module: str
    qualname: str
    path: str | None
    line: int | None


def locate(obj: object) -> Location:
    """Where the function behind ``obj`` is defined (a callable instance: its ``__call__``)."""
    import inspect

    target = unwrap(obj)
    qualname = getattr(target, "__qualname__", None)
    if qualname is None or not (
        inspect.isfunction(target) or inspect.isclass(target) or inspect.isbuiltin(target)
    ):
        # A callable instance: name its class and point at its __call__.
        cls = type(cast(object, target))
        qualname = f"{cls.__qualname__} instance"
        target = unwrap(cls.__call__)
    module = getattr(target, "__module__", None) or ""
    try:
        path = inspect.getsourcefile(target) or inspect.getfile(target)
        code: CodeType | None = getattr(target, "__code__", None)
        line = code.co_firstlineno if code is not None else inspect.getsourcelines(target)[1]
    except (TypeError, OSError):
        return Location(module, qualname, None, None)
    return Location(module, qualname, path, line)


def describe_callable(obj: object) -> str:
    """Name a callable for error messages: ``qualname (file:line)``. Never raises."""
    try:
        module, qualname, path, line = locate(obj)
    except Exception:  # a hostile __getattr__, say: name its class and address
        return f"{type(obj).__module__}.{type(obj).__qualname__} object at {id(obj):#x}"
    prefix = f"{module}." if module and module != "builtins" else ""
    where = f"{path}:{line}" if path is not None else "<unknown location>"
    return f"{prefix}{qualname} ({where})"


def why_not_weak(receiver: object) -> str:
    """Why a receiver cannot be held weakly, and the fix."""
    instance = getattr(receiver, "__self__", None)
    if isinstance(receiver, MethodType) and instance is not None:
        cls = type(instance).__qualname__
        return (
            f"it is a method of a {cls} instance, and {cls} objects cannot be weakly "
            f"referenced. Add '__weakref__' to {cls}.__slots__, or pass weak=False to "
            "keep a strong reference."
        )
    return (
        f"{type(receiver).__qualname__} objects cannot be weakly referenced. "
        "Pass weak=False to keep a strong reference."
    )


def log_robust_failure(receiver: object, err: BaseException) -> None:
    """Log a receiver's error as Django does, at ERROR with the traceback.

    The logger is ``typedsignals`` (Django's is ``django.dispatch``).
    """
    name = getattr(receiver, "__qualname__", None) or type(receiver).__qualname__
    _logger().error("Error calling %s in Signal.send_robust() (%s)", name, err, exc_info=err)


def _logger() -> logging.Logger:
    import logging

    return logging.getLogger("typedsignals")


def __getattr__(name: str) -> object:
    # ``logger``: where send_robust() and asend_robust() report receiver errors,
    # made on first use so that importing the dispatcher does not load logging.
    if name == "logger":
        return _logger()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LazyModule:
    """A module imported on first use, which then takes this object's place.

    ``validation = LazyModule(".validation", __name__, globals(), "validation")``
    stands for the module until an attribute is read; then the module is
    imported (the import lock makes that safe from any thread) and put in
    ``namespace`` under ``as_``, so later reads cost nothing extra. The
    dispatcher loads this way what it needs only later: the validator (at the
    first connect or ``Signal[...]``), asyncio and asgiref (with the first
    async receiver).
    """

    __slots__ = ("_as", "_name", "_namespace", "_package")

    def __init__(self, name: str, package: str, namespace: dict[str, Any], as_: str) -> None:
        self._name = name
        self._package = package
        self._namespace = namespace
        self._as = as_

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name, self._package)
        self._namespace[self._as] = module
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r} from package {self._package!r}, not loaded yet>"
