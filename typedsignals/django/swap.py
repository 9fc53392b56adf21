"""Put typedsignals in place of ``django.dispatch.Signal``, as a project does once.

Call ``install()`` before anything imports a module that creates signals
(``django.core.signals``, ``django.db.models.signals``, an app's
``signals.py``): at the top of ``manage.py``, ``wsgi.py`` and ``asgi.py``
(under pytest-django, in a plugin module given with ``pytest -p``: conftest.py
is read too late). From then on ``from django.dispatch import
Signal, receiver`` gives typedsignals' ``Signal`` and ``receiver``, so every
signal of Django and of the project's apps is a typedsignals signal; the
rest of ``django.dispatch.dispatcher`` (its logger, ``_make_id``) stays
Django's.

Only this module imports Django; the core (``typedsignals/*.py``) never does.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import cast

from ..dispatcher import Signal, receiver

__all__ = ["SwapError", "install", "installed"]

_EXTRA_HINT = "pip install 'typedsignals[django]'"
# How many modules and names an error spells out before it says "and N more".
_MAX_NAMED = 8


class SwapError(RuntimeError):
    """``install()`` came too late: signals were already made with Django's class."""


def _dispatcher() -> ModuleType:
    try:
        return importlib.import_module("django.dispatch.dispatcher")
    except ImportError as error:
        raise ImportError(
            "typedsignals.django.swap.install() needs Django, which is not installed "
            f"({error}). Install the extra: {_EXTRA_HINT}"
        ) from error


def installed() -> bool:
    """Whether ``django.dispatch.Signal`` is typedsignals' ``Signal`` (False without Django)."""
    dispatcher = sys.modules.get("django.dispatch.dispatcher")
    return dispatcher is not None and getattr(dispatcher, "Signal", None) is Signal


def _made_with(django_signal: type) -> dict[str, list[str]]:
    """Module name -> names in it that are Django's Signal class, a subclass or an instance."""
    found: dict[str, list[str]] = {}
    modules: dict[str, object] = dict(sys.modules)  # may hold None, or other objects
    for module_name, module in modules.items():
        if not isinstance(module, ModuleType) or module_name in (
            "django.dispatch",
            "django.dispatch.dispatcher",
        ):
            continue
        names: dict[str, object] = dict(vars(module))
        for name, value in names.items():
            # type(), never isinstance(): a lazy proxy (django.conf.settings) would
            # set itself up when asked for its __class__.
            kind = type(value)
            if issubclass(kind, django_signal) or (
                issubclass(kind, type) and issubclass(cast(type, value), django_signal)
            ):
                found.setdefault(module_name, []).append(name)
    return found


def _too_late(found: dict[str, list[str]]) -> SwapError:
    modules = sorted(found)
    listed = [f"{m} ({', '.join(sorted(found[m])[:_MAX_NAMED])})" for m in modules[:_MAX_NAMED]]
    if len(modules) > _MAX_NAMED:
        listed.append(f"and {len(modules) - _MAX_NAMED} more")
    return SwapError(
        "typedsignals.django.swap.install() was called after these modules had made "
        "signals with Django's own django.dispatch.Signal: "
        f"{'; '.join(listed)}. Those signals would stay Django's. Call install() before "
        "any other django import: first thing in manage.py, wsgi.py and asgi.py; under "
        "pytest-django, in a module loaded with 'pytest -p' (pytest-django sets Django up "
        "before it reads conftest.py)."
    )


def install() -> None:
    """Make ``django.dispatch.Signal`` and ``django.dispatch.receiver`` typedsignals'.

    Replaces ``Signal`` and ``receiver`` in ``django.dispatch`` and
    ``django.dispatch.dispatcher``, so that every signal created afterwards,
    Django's own included, is a ``typedsignals.Signal``. Calling it again is
    harmless.

    Raises ``ImportError`` naming the ``django`` extra if Django is not
    installed, and ``SwapError`` (changing nothing) if some module already
    holds a signal made with Django's class, or the class itself: those
    modules are named.
    """
    dispatcher = _dispatcher()
    if dispatcher.Signal is Signal:
        return
    found = _made_with(dispatcher.Signal)
    if found:
        raise _too_late(found)
    package = importlib.import_module("django.dispatch")
    for module in (dispatcher, package):
        vars(module).update(Signal=Signal, receiver=receiver)
    # Django's model checks recognise a lazy signal connect (a string sender
    # whose model never loads: signals.E001) by the connect method's module,
    # ("django.dispatch.dispatcher", "connect"). Where the swap is installed,
    # that name resolves to this very method, so say so.
    Signal.connect.__module__ = dispatcher.__name__
