"""What is connected to a signal, and where: the public introspection API.

``receivers(signal)`` describes each live receiver of a signal (qualified
name, module, file:line, sender filter, weak or strong, sync or async,
dispatch_uid), read from its ``receivers`` list: a typedsignals ``Signal``
builds it from its registry's entries, Django's own ``Signal`` keeps it (6.1's
4-tuples or 5.2's 3-tuples). ``check(signal)`` runs the runtime validator over
each of them. ``signals_in(module)`` finds the signals a module holds, and
``signal_label`` / ``signal_path`` name a signal.

The command line (``python -m typedsignals``), the Django management command
``signals`` and the pytest plugin's leak check are built on this module.
Nothing here imports Django.
"""

from __future__ import annotations

import reprlib
import sys
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, cast

from . import hooks, rules, typecompat, validation
from ._utils import NONE_ID, locate, make_id
from .dispatcher import Signal
from .errors import ReceiverError

__all__ = [
    "ReceiverInfo",
    "ReceiverProblem",
    "check",
    "is_signal",
    "receivers",
    "short_repr",
    "signal_label",
    "signal_path",
    "signals_in",
]


@dataclass(frozen=True)
class ReceiverInfo:
    """One live receiver of a signal.

    Attributes:
        receiver: the callable the signal calls.
        module: the module it is defined in ("" if unknown).
        qualname: its qualified name (``"Kitchen.on_done"``; a callable
            object is ``"Kitchen instance"``).
        path: its source file, or None if unknown.
        line: its first line, or None if unknown.
        sender: the specific sender it was connected for, or None (every sender).
        sender_known: False if it has a specific sender this process cannot
            name (Django 5.2 keeps only its ``id()``).
        weak: whether the signal holds it by a weak reference.
        is_async: whether it is an async receiver.
        dispatch_uid: the ``dispatch_uid`` it was connected with, or None.
        lookup_key: Django's ``(receiver key, sender key)``.
    """

    receiver: Callable[..., Any]
    module: str
    qualname: str
    path: str | None
    line: int | None
    sender: object
    sender_known: bool
    weak: bool
    is_async: bool
    dispatch_uid: Hashable | None
    lookup_key: tuple[Hashable, Hashable]

    @property
    def name(self) -> str:
        """``module.qualname`` (the qualname alone for builtins or an unknown module)."""
        if self.module and self.module != "builtins":
            return f"{self.module}.{self.qualname}"
        return self.qualname

    @property
    def location(self) -> str:
        """``path:line``, or ``<unknown location>``."""
        return f"{self.path}:{self.line}" if self.path is not None else "<unknown location>"

    @property
    def sender_text(self) -> str:
        """The sender filter in words: ``any``, a class's dotted name, or the sender's repr."""
        if not self.sender_known:
            key = self.lookup_key[1]
            return f"unknown (id {key:#x})" if isinstance(key, int) else f"unknown ({key!r})"
        if self.sender is None:
            return "any"
        if isinstance(self.sender, type):
            return f"{self.sender.__module__}.{self.sender.__qualname__}"
        return short_repr(self.sender)

    def as_json(self) -> dict[str, Any]:
        """The JSON form: every attribute but the objects, as text."""
        return {
            "receiver": self.name,
            "module": self.module,
            "qualname": self.qualname,
            "path": self.path,
            "line": self.line,
            "sender": self.sender_text,
            "weak": self.weak,
            "async": self.is_async,
            "dispatch_uid": None if self.dispatch_uid is None else repr(self.dispatch_uid),
        }


@dataclass(frozen=True)
class ReceiverProblem:
    """A rule a connected receiver breaks.

    Attributes:
        signal: the signal's label (``signal_path`` or ``signal_label``).
        receiver: the receiver.
        violation: the broken rule, parameter, expected and found.
    """

    signal: str
    receiver: ReceiverInfo
    violation: rules.Violation

    def as_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "signal": self.signal,
            **self.receiver.as_json(),
            "rule": self.violation.rule.id,
            "parameter": self.violation.parameter,
            "message": self.violation.describe(),
        }


_REPR = reprlib.Repr()
_REPR.maxother = _REPR.maxstring = 80


def short_repr(obj: object) -> str:
    """``repr(obj)``, shortened past 80 characters (``reprlib``).

    Arguments:

        obj
            Anything.
    """
    return _REPR.repr(obj)


def is_signal(obj: object) -> bool:
    """Whether ``obj`` is a typedsignals ``Signal`` or Django's ``django.dispatch.Signal``.

    Arguments:

        obj
            Anything (Django is not imported to tell).
    """
    if isinstance(obj, Signal):
        return True
    # type(), not isinstance(): a lazy object would set itself up when asked for its class.
    return any(
        cls.__module__ == "django.dispatch.dispatcher" and cls.__qualname__ == "Signal"
        for cls in type(obj).__mro__
    )


def receivers(signal: object) -> list[ReceiverInfo]:
    """The live receivers of ``signal``, in connect order (a send calls the sync ones first).

    Arguments:

        signal
            A typedsignals ``Signal`` or Django's own; its ``receivers`` list
            is read (under its lock), not changed.
    """
    items: list[object] = list(cast("list[object]", getattr(signal, "receivers", [])))
    found: list[ReceiverInfo] = []
    for item in items:
        entry = _entry(item)
        if entry is None:
            continue  # not Django's shape (a project assigned something else)
        key, held, sender_ref, is_async = entry
        weak = isinstance(held, weakref.ReferenceType)
        receiver: Any = cast(Any, held)() if weak else held
        if receiver is None:
            continue  # a weak receiver that died
        sender: object = None
        known = True
        if key[1] != NONE_ID:
            if sender_ref is None:
                known = False  # Django keeps only the id() of this sender
            else:
                sender = sender_ref()
                if sender is None:
                    continue  # its sender died: it never fires again
        module, qualname, path, line = locate(receiver)
        uid = key[0] if key[0] != make_id(receiver) else None
        found.append(
            ReceiverInfo(
                receiver, module, qualname, path, line, sender, known, weak, bool(is_async),
                uid, key,
            )
        )  # fmt: skip
    return found


def _entry(item: object) -> tuple[tuple[Hashable, Hashable], object, Any, object] | None:
    """A 4-tuple or 3-tuple item as ``(key, held, sender_ref, is_async)``; None if neither."""
    if not isinstance(item, tuple):
        return None
    parts: tuple[Any, ...] = cast(Any, item)
    if len(parts) not in (3, 4):
        return None
    key: object = parts[0]
    if not (isinstance(key, tuple) and len(cast("tuple[object, ...]", key)) == 2):
        return None
    sender_ref = parts[2] if len(parts) == 4 else None
    if sender_ref is not None and not callable(sender_ref):
        return None
    return cast("tuple[Hashable, Hashable]", key), parts[1], sender_ref, parts[-1]


# -- checking ---------------------------------------------------------------------------


def check(signal: object, label: str | None = None) -> list[ReceiverProblem]:
    """Run the runtime validator over every receiver connected to ``signal``.

    A receiver refused at ``connect`` is never connected; this finds those
    connected with ``check=False``, assigned through ``receivers``, or
    connected to Django's own ``Signal`` (which checks nothing: only the rules
    that need no types apply there).

    Arguments:

        signal
            A typedsignals ``Signal`` or Django's own.

        label
            How problems name the signal (default: ``signal_path`` or ``signal_label``).
    """
    name = label or signal_path(signal) or signal_label(signal)
    problems: list[ReceiverProblem] = []
    for info in receivers(signal):
        problems += [ReceiverProblem(name, info, v) for v in _violations(signal, info)]
    return problems


def _violations(signal: object, info: ReceiverInfo) -> tuple[rules.Violation, ...]:
    typed: Signal[Any, Any] | None = cast(Any, signal) if isinstance(signal, Signal) else None
    if typed is not None and info.sender_known:
        try:
            validation.check_receiver(typed, info.receiver, info.sender)
        except ReceiverError as error:
            return error.violations
        return ()
    params = validation.receiver_params(info.receiver)
    if params is None:
        return ()  # no signature to read (a builtin): accepted, as at connect time
    types = validation.signal_types(typed) if typed is not None else None
    return tuple(
        rules.check_receiver(
            params,
            sender=None,  # unknown here: the sender rule is left out
            payload=types.fields if types is not None else None,
            accepts=typecompat.accepts,
            show=typecompat.show,
        )
    )


# -- finding and naming signals -----------------------------------------------------------


def signals_in(module: ModuleType, submodules: bool = True) -> list[object]:
    """The signals that are attributes of ``module`` (and of its imported submodules).

    In definition order, the module's own first, then its submodules' by name;
    each signal once, whatever number of names it has.

    Arguments:

        module
            An imported module.

        submodules
            Also look in the modules of ``sys.modules`` under its name (``shop.signals``
            for ``shop``), without importing any.
    """
    modules = [module]
    if submodules:
        prefix = f"{module.__name__}."
        loaded: dict[str, object] = dict(sys.modules)  # may hold None, or other objects
        modules += [
            m
            for name, m in sorted(loaded.items())
            if name.startswith(prefix) and isinstance(m, ModuleType)
        ]
    found: dict[int, object] = {}
    for each in modules:
        for value in list(vars(each).values()):
            if id(value) not in found and is_signal(value):
                found[id(value)] = value
    return list(found.values())


def signal_label(signal: object) -> str:
    """A short name for ``signal``: its ``name``, else the name it is bound to, else its repr.

    Arguments:

        signal
            Any signal.
    """
    name = getattr(signal, "name", None)
    if isinstance(name, str) and name:
        return name
    home = _home(signal)
    return home[1] if home is not None else repr(signal)


def signal_path(signal: object) -> str | None:
    """Where ``signal`` is bound at module level, as ``module:name``; None if nowhere.

    A typedsignals ``Signal`` is looked for in the module that created it; a
    signal bound in several modules (imported elsewhere) is named by its home:
    the module that created it, else a module whose name ends in ``signals``,
    else the deepest, then the first alphabetically.

    Arguments:

        signal
            Any signal.
    """
    home = _home(signal)
    return f"{home[0]}:{home[1]}" if home is not None else None


#: signal -> (module, name) or None, and how many modules were loaded when it was looked for.
_homes: weakref.WeakKeyDictionary[Any, tuple[tuple[str, str] | None, int]] = (
    weakref.WeakKeyDictionary()
)


def _home(signal: object) -> tuple[str, str] | None:
    try:
        cached = _homes.get(signal)
    except TypeError:  # not weakly referenceable: look it up every time
        return _find_home(signal)
    if cached is not None and (cached[0] is not None or cached[1] == len(sys.modules)):
        return cached[0]
    home = _find_home(signal)
    _homes[signal] = (home, len(sys.modules))
    return home


def _find_home(signal: object) -> tuple[str, str] | None:
    created = hooks.origin(signal)
    home = sys.modules.get(created[0]) if created is not None else None
    if created is not None and home is not None:
        names = [name for name, value in vars(home).items() if value is signal]
        if names:
            return created[0], names[0]
    bound: list[tuple[str, str]] = []
    modules: dict[str, object] = dict(sys.modules)  # may hold None, or other objects
    for module_name, module in modules.items():
        if not isinstance(module, ModuleType):
            continue
        for name, value in list(vars(module).items()):
            if value is signal:
                bound.append((module_name, name))
    if not bound:
        return None
    return min(bound, key=_rank)


def _rank(home: tuple[str, str]) -> tuple[bool, int, str, str]:
    module, name = home
    return (not module.endswith("signals"), -module.count("."), module, name)
