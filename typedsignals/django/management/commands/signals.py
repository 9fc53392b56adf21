"""``manage.py signals list|check|graph [MODULE[:SIGNAL] ...]``: the command line, in a project.

The same commands as ``python -m typedsignals`` (``typedsignals.cli``), run
once Django is set up. Without modules: Django's built-in signals that have
receivers, and the signals of every installed app (its module and the
submodules it has imported). ``check`` reads Django's built-in signals as
the system check does (``typedsignals.django.checks``: their declared
senders and payloads); every other signal gets the runtime validator.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from typedsignals.cli import LoadError, add_commands, load, run
from typedsignals.introspection import ReceiverInfo, ReceiverProblem, check, receivers, signals_in

from ...checks import builtin_receivers, receiver_violations
from ...signals import DeclaredSignal, declared_signals

__all__ = ["Command"]


class Command(BaseCommand):
    """``manage.py signals``."""

    help = (
        "List, check or graph signals and their receivers: Django's built-in signals and "
        "those of the installed apps, or those of the modules named."
    )
    # The system check would report the same receivers before ``check`` does.
    requires_system_checks = ()

    def add_arguments(self, parser: CommandParser) -> None:
        """``list``, ``check`` and ``graph``, as ``python -m typedsignals`` has them.

        Arguments:

            parser
                Django's parser for this command.
        """
        add_commands(
            parser.add_subparsers(dest="action", required=True, metavar="COMMAND"),
            modules_required=False,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the command named.

        Arguments:

            args
                Unused (the arguments are parsed into ``options``).

            options
                ``action``, ``modules``, ``json`` and ``format``.
        """
        try:
            signals = load(options["modules"]) if options["modules"] else _project_signals()
        except LoadError as error:
            raise CommandError(str(error), returncode=2) from error
        out = io.StringIO()
        status = run(
            options["action"],
            signals,
            out,
            as_json=options.get("json", False),
            fmt=options.get("format", "mermaid"),
            checker=_checker(),
            read=_reader(),
        )
        self.stdout.write(out.getvalue(), ending="")
        if status:
            raise CommandError("Some receivers break a rule (see above).", returncode=status)


def _builtins() -> dict[int, tuple[DeclaredSignal, object]]:
    """Django's built-in signals for this version, by ``id()``; their modules imported."""
    import django

    found: dict[int, tuple[DeclaredSignal, object]] = {}
    for name, declared in declared_signals(django.VERSION[:2]).items():
        module_name, _, attribute = name.rpartition(".")
        signal = getattr(importlib.import_module(module_name), attribute)
        found[id(signal)] = (declared, signal)
    return found


def _project_signals() -> list[object]:
    """The built-in signals that have receivers, then the installed apps' signals."""
    found: dict[int, object] = {
        key: signal for key, (_, signal) in _builtins().items() if receivers(signal)
    }
    for app in apps.get_app_configs():
        for signal in signals_in(app.module) if app.module is not None else []:
            found.setdefault(id(signal), signal)
    return list(found.values())


def _reader() -> Callable[[object], list[ReceiverInfo]]:
    """Receivers, the senders of the built-in signals found as the system check finds them."""
    builtins = _builtins()

    def read(signal: object) -> list[ReceiverInfo]:
        entry = builtins.get(id(signal))
        if entry is None or entry[1] is not signal:
            return receivers(signal)
        return builtin_receivers(entry[0], signal)

    return read


def _checker() -> Callable[[object, str], list[ReceiverProblem]]:
    builtins = _builtins()

    def check_signal(signal: object, name: str) -> list[ReceiverProblem]:
        entry = builtins.get(id(signal))
        if entry is None or entry[1] is not signal:
            return check(signal, name)
        return [
            ReceiverProblem(name, connection, violation)
            for connection, _, violations in receiver_violations(entry[0], signal)
            for violation in violations
        ]

    return check_signal
