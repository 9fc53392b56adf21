"""The plugin class: which hook handles which call.

Method hooks are looked up by the fullname of the class that defines the
method, so ``Signal.connect`` covers every subclass that does not override it;
a subclass that does is recognised through its MRO.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from mypy.nodes import MypyFile, TypeInfo
from mypy.plugin import (
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    MethodSigContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from typedsignals import rules

from . import django as django_hooks
from .connections import (
    connect_hook,
    connect_signature_hook,
    decorator_call_hook,
    decorator_signature_hook,
    receiver_call_hook,
    receiver_signature_hook,
)
from .payloads import check_send
from .signals import DECORATOR_FULLNAME, RECEIVER_FULLNAMES, SIGNAL_FULLNAME

__all__ = ["TypedSignalsPlugin"]


def _revision() -> str:
    """A digest of the plugin's code and the rules: a change invalidates mypy's cache."""
    digest = hashlib.sha256()
    # Django's declarations are read by import too (typedsignals.mypy.django).
    sources = [Path(rules.__file__), *django_hooks.SOURCES]
    for path in [*sorted(Path(__file__).parent.glob("*.py")), *sources]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


PLUGIN_REVISION = _revision()
_SENDS = frozenset({"send", "send_robust", "asend", "asend_robust"})


class TypedSignalsPlugin(Plugin):
    """Checks receivers (``signal-receiver``) and payloads (``signal-payload``)."""

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        """Tie cached results to this plugin's revision."""
        return {"typedsignals.mypy": PLUGIN_REVISION}

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        """``receiver(...)`` and ``task_receiver(...)``: ``sender=`` is checked by the rules."""
        return receiver_signature_hook if fullname in RECEIVER_FULLNAMES else None

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """Django projects: the declarations of Django's built-in signals (see ``django.py``)."""
        return django_hooks.additional_deps(file)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        """``receiver(...)``, typedsignals' and Django's, and ``task_receiver(...)``."""
        django_hook = django_hooks.function_hook(self, fullname)  # Django projects (django.py)
        if django_hook is not None:
            return django_hook
        return receiver_call_hook if fullname in RECEIVER_FULLNAMES else None

    def get_method_signature_hook(
        self, fullname: str
    ) -> Callable[[MethodSigContext], FunctionLike] | None:
        """``sig.connect`` and ``receiver(...)(func)``: widen the receiver's type."""
        if fullname == f"{DECORATOR_FULLNAME}.__call__":
            return decorator_signature_hook
        if self._signal_method(fullname) == "connect":
            return connect_signature_hook
        return None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        """``sig.connect``, ``receiver(...)(func)`` and the four sends."""
        if fullname == f"{DECORATOR_FULLNAME}.__call__":
            return decorator_call_hook
        django_hook = django_hooks.method_hook(self, fullname)  # Django projects (django.py)
        if django_hook is not None:
            return django_hook
        method = self._signal_method(fullname)
        if method == "connect":
            return connect_hook
        if method in _SENDS:
            return partial(_send_hook, method=method)
        return None

    def _signal_method(self, fullname: str) -> str | None:
        """The method name if ``fullname`` is a method of Signal or of a subclass of it."""
        owner, _, method = fullname.rpartition(".")
        if method != "connect" and method not in _SENDS:
            return None
        if owner == SIGNAL_FULLNAME:
            return method
        symbol = self.lookup_fully_qualified(owner)
        node = symbol.node if symbol is not None else None
        if isinstance(node, TypeInfo) and node.has_base(SIGNAL_FULLNAME):
            return method
        return None


def _send_hook(ctx: MethodContext, *, method: str) -> Type:
    check_send(ctx, method)
    return ctx.default_return_type
