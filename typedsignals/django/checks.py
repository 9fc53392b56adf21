"""The system check: every receiver of Django's built-in signals against the receiver rules.

Registered by the app (``INSTALLED_APPS = [..., "typedsignals.django"]``), so
``manage.py check``, ``runserver``, ``migrate`` and ``test`` run it. Each
broken rule is one ``checks.Error`` whose id is the rule's number,
``typedsignals.E001`` (``receiver-kwargs``) to ``typedsignals.E006``
(``receiver-sender-argument``), so ``SILENCED_SYSTEM_CHECKS`` can silence one
kind. The rules are those of ``typedsignals.rules``, applied by the runtime
validator's own readers (``validation.receiver_params``, ``typecompat``) to
the declarations of ``declarations.py`` for the running Django version.

Django's registry is read as it is (``connected.py``), whether or not
typedsignals has replaced ``django.dispatch.Signal``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any, cast

try:
    import django
    from django.apps import AppConfig, apps
    from django.core import checks
    from django.db.models import Model
except ImportError as error:
    raise ImportError(
        "typedsignals.django needs Django: pip install 'typedsignals[django]'"
    ) from error

from typedsignals import rules, typecompat, validation
from typedsignals._utils import describe_callable, unwrap

from .connected import Connection, connections, subclasses
from .hints import ReceiverTypes, receiver_types, sender_classes
from .signals import DeclaredSignal, declared_signals

__all__ = ["builtin_receivers", "check_receivers", "receiver_violations", "rule_id"]


def rule_id(rule: rules.Rule) -> str:
    """The check id of a rule: ``typedsignals.E003`` for rule 3."""
    return f"typedsignals.E{rule.number:03d}"


def check_receivers(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Django's check hook: an Error for each rule a receiver of a built-in signal breaks.

    Arguments:

        app_configs
            Check only receivers defined in these apps' modules (``manage.py
            check shop``); None checks every receiver.

        kwargs
            Further arguments Django passes to checks (``databases``), unused.
    """
    errors: list[checks.CheckMessage] = []
    for declared in declared_signals(django.VERSION[:2]).values():
        signal = _signal(declared)
        if signal is None:
            continue
        for connection, types, violations in receiver_violations(declared, signal, app_configs):
            errors.extend(_errors(connection, types, violations))
    return errors


def receiver_violations(
    declared: DeclaredSignal, signal: object, app_configs: Sequence[AppConfig] | None = None
) -> Iterator[tuple[Connection, ReceiverTypes, list[rules.Violation]]]:
    """Each live receiver of a built-in signal, with the rules it breaks (maybe none).

    Arguments:

        declared
            The signal's declaration.

        signal
            The signal (Django's or, swapped in, typedsignals').

        app_configs
            Only receivers defined in these apps' modules; None: every receiver.
    """
    seen: dict[tuple[int, bool], ReceiverTypes] = {}
    for connection in builtin_receivers(declared, signal):
        if app_configs is not None and not _in_apps(connection.receiver, app_configs):
            continue
        key = (id(connection.sender), connection.sender_known)
        if key not in seen:
            seen[key] = receiver_types(declared, connection.sender, known=connection.sender_known)
        yield connection, seen[key], _violations(connection, seen[key])


def builtin_receivers(declared: DeclaredSignal, signal: object) -> list[Connection]:
    """The live receivers of a built-in signal, a sender known by ``id()`` only found if it can be.

    Arguments:

        declared
            The signal's declaration (it names the classes its senders may be).

        signal
            The signal.
    """
    return connections(signal, partial(_candidates, declared))


def _signal(declared: DeclaredSignal) -> object:
    module_name, _, name = declared.signal.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, name, None)


def _candidates(declared: DeclaredSignal) -> Iterator[object]:
    """What a sender known only by its ``id()`` may be."""
    for cls in sender_classes(declared):
        yield from subclasses(cls)
    yield from apps.get_app_configs()
    yield from apps.get_models(include_auto_created=True)  # a model where it does not belong


def _in_apps(receiver: object, app_configs: Sequence[AppConfig]) -> bool:
    module = getattr(unwrap(receiver), "__module__", None) or ""
    return any(module == app.name or module.startswith(f"{app.name}.") for app in app_configs)


def _violations(connection: Connection, types: ReceiverTypes) -> list[rules.Violation]:
    params = validation.receiver_params(connection.receiver)
    if params is None:
        return []  # no signature to read (a builtin): accepted, as at connect time
    violations = rules.check_receiver(
        params,
        sender=types.sender,
        payload=types.fields,
        accepts=typecompat.accepts,
        show=typecompat.show,
    )
    # Rule 6: the sender filter itself must be of the signal's sender type.
    return violations + rules.check_sender_argument(
        types.declared, types.specific, typecompat.accepts, typecompat.show
    )


def _errors(
    connection: Connection, types: ReceiverTypes, violations: list[rules.Violation]
) -> list[checks.CheckMessage]:
    receiver = _receiver_text(connection.receiver)
    sender = _sender_text(connection)
    module = getattr(unwrap(connection.receiver), "__module__", None)
    return [
        checks.Error(
            f"Receiver {receiver}, connected to {types.label} {sender}: {violation.describe()}",
            obj=module,
            id=rule_id(violation.rule),
        )
        for violation in violations
    ]


def _receiver_text(receiver: object) -> str:
    """``shop.receivers.on_save (shop/receivers.py:12)``, the path relative to the cwd."""
    text = describe_callable(receiver)
    prefix = f" ({os.getcwd()}{os.sep}"
    return text.replace(prefix, " (", 1)


def _sender_text(connection: Connection) -> str:
    sender = connection.sender
    if not connection.sender_known:
        return "for a sender the check cannot identify"
    if sender is None:
        return "for every sender"
    if isinstance(sender, type) and issubclass(sender, Model):
        return f"for sender {cast(Any, sender)._meta.label}"
    if isinstance(sender, type):
        return f"for sender {sender.__module__}.{sender.__qualname__}"
    if isinstance(sender, AppConfig):
        return f"for sender {type(sender).__qualname__} (app {sender.label!r})"
    return f"for sender {sender!r}"
