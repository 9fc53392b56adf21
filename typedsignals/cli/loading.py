"""``MODULE[:SIGNAL]`` arguments: import the modules, find the signals."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from typedsignals.introspection import is_signal, signals_in

__all__ = ["LoadError", "load"]


class LoadError(Exception):
    """An argument names a module that does not import, or something that is not a signal."""


def load(specs: Sequence[str]) -> list[object]:
    """The signals named by ``specs``, each once, in order.

    Every module is imported before any is searched, so the receivers their
    imports connect are all connected when the signals are read.

    Arguments:

        specs
            ``module`` (its signals and its imported submodules'), or
            ``module:name`` (one signal; ``name`` may be dotted,
            ``module:Class.attribute``). The current directory is on the
            import path, as for ``python -m``.

    Raises ``LoadError`` naming the argument and the problem.
    """
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    parsed = [_parse(spec) for spec in specs]
    modules = {name: _import(name, spec) for spec, name, _ in parsed}
    found: dict[int, object] = {}
    for spec, module_name, attribute in parsed:
        module = modules[module_name]
        if attribute is None:
            signals = signals_in(module)
            if not signals:
                raise LoadError(
                    f"{spec}: module {module_name!r} holds no signals (nor does any "
                    "submodule it imported); name the module that defines them."
                )
        else:
            signals = [_attribute(module, attribute, spec)]
        for signal in signals:
            found.setdefault(id(signal), signal)
    return list(found.values())


def _parse(spec: str) -> tuple[str, str, str | None]:
    module, colon, attribute = spec.partition(":")
    if not module or (colon and not attribute):
        raise LoadError(
            f"{spec!r}: expected MODULE or MODULE:SIGNAL, e.g. shop.signals:pizza_done."
        )
    return spec, module, attribute or None


def _import(name: str, spec: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(f"{error.name}.")):
            raise LoadError(f"{spec}: cannot import module {name!r}: {error}.") from error
        raise LoadError(
            f"{spec}: importing {name!r} failed: {type(error).__name__}: {error}"
        ) from error
    except Exception as error:
        raise LoadError(
            f"{spec}: importing {name!r} failed: {type(error).__name__}: {error}"
        ) from error


def _attribute(module: ModuleType, attribute: str, spec: str) -> object:
    value: object = module
    walked: list[str] = []
    for part in attribute.split("."):
        walked.append(part)
        try:
            value = getattr(value, part)
        except AttributeError:
            raise LoadError(
                f"{spec}: module {module.__name__!r} has no attribute {'.'.join(walked)!r}."
            ) from None
    if not is_signal(value):
        raise LoadError(f"{spec} is {type(value).__qualname__} {_short(value)}, not a signal.")
    return value


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
