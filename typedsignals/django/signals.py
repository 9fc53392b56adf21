"""Django's built-in signals: which declaration of ``declarations.py`` applies, per version.

Read by the system check and, by import, by the mypy plugin
(``typedsignals.mypy.django``). Tested on Django 5.2 and 6.1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .declarations import (
    AutoreloadStartedSignal,
    ClassPreparedSignal,
    ConnectionCreatedSignal,
    FileChangedSignal,
    GotRequestExceptionSignal,
    M2MChangedSignal,
    M2MChangedSignal52,
    MigrateSignal,
    PostDeleteSignal,
    PostInitSignal,
    PostSaveSignal,
    PreDeleteSignal,
    PreInitSignal,
    PreSaveSignal,
    RequestFinishedSignal,
    RequestStartedSignal,
    SettingChangedSignal,
    TaskSignal,
    TemplateRenderedSignal,
    UserLoggedInSignal,
    UserLoggedOutSignal,
    UserLoginFailedSignal,
)

__all__ = ["SIGNALS", "DeclaredSignal", "declared_signals", "loaded_signals"]


@dataclass(frozen=True)
class DeclaredSignal:
    """One built-in signal and the Django versions its declaration matches.

    Attributes:
        signal: where Django defines it, ``"django.db.models.signals.post_save"``.
        declaration: the class of ``declarations.py`` that declares its sender and payload.
        since: the first Django version (major, minor) that sends it this way.
        until: the first version that no longer does, or None.
    """

    signal: str
    declaration: type
    since: tuple[int, int] = (0, 0)
    until: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """The signal's name: ``"post_save"``."""
        return self.signal.rpartition(".")[2]

    def applies_to(self, version: tuple[int, int]) -> bool:
        """Whether Django ``version`` (major, minor) sends this signal as declared."""
        return self.since <= version and (self.until is None or version < self.until)


_MODELS = "django.db.models.signals"
_CORE = "django.core.signals"
_AUTH = "django.contrib.auth.signals"
_TASKS = "django.tasks.signals"

#: Every built-in signal, by the Django versions each declaration matches.
SIGNALS: tuple[DeclaredSignal, ...] = (
    DeclaredSignal(f"{_MODELS}.class_prepared", ClassPreparedSignal),
    DeclaredSignal(f"{_MODELS}.pre_init", PreInitSignal),
    DeclaredSignal(f"{_MODELS}.post_init", PostInitSignal),
    DeclaredSignal(f"{_MODELS}.pre_save", PreSaveSignal),
    DeclaredSignal(f"{_MODELS}.post_save", PostSaveSignal),
    DeclaredSignal(f"{_MODELS}.pre_delete", PreDeleteSignal),
    DeclaredSignal(f"{_MODELS}.post_delete", PostDeleteSignal),
    DeclaredSignal(f"{_MODELS}.m2m_changed", M2MChangedSignal52, until=(6, 1)),
    DeclaredSignal(f"{_MODELS}.m2m_changed", M2MChangedSignal, since=(6, 1)),
    DeclaredSignal(f"{_MODELS}.pre_migrate", MigrateSignal),
    DeclaredSignal(f"{_MODELS}.post_migrate", MigrateSignal),
    DeclaredSignal(f"{_CORE}.request_started", RequestStartedSignal),
    DeclaredSignal(f"{_CORE}.request_finished", RequestFinishedSignal),
    DeclaredSignal(f"{_CORE}.got_request_exception", GotRequestExceptionSignal),
    DeclaredSignal(f"{_CORE}.setting_changed", SettingChangedSignal),
    DeclaredSignal("django.test.signals.template_rendered", TemplateRenderedSignal),
    DeclaredSignal("django.db.backends.signals.connection_created", ConnectionCreatedSignal),
    DeclaredSignal(f"{_AUTH}.user_logged_in", UserLoggedInSignal),
    DeclaredSignal(f"{_AUTH}.user_logged_out", UserLoggedOutSignal),
    DeclaredSignal(f"{_AUTH}.user_login_failed", UserLoginFailedSignal),
    DeclaredSignal(f"{_TASKS}.task_enqueued", TaskSignal, since=(6, 0)),
    DeclaredSignal(f"{_TASKS}.task_started", TaskSignal, since=(6, 0)),
    DeclaredSignal(f"{_TASKS}.task_finished", TaskSignal, since=(6, 0)),
    DeclaredSignal("django.utils.autoreload.autoreload_started", AutoreloadStartedSignal),
    DeclaredSignal("django.utils.autoreload.file_changed", FileChangedSignal),
)


def declared_signals(version: tuple[int, int]) -> dict[str, DeclaredSignal]:
    """The declarations for Django ``version`` (major, minor), by the signal's full name."""
    return {d.signal: d for d in SIGNALS if d.applies_to(version)}


def loaded_signals() -> dict[str, object]:
    """The built-in signals whose module is already imported, by full name.

    Imports nothing (Django included): for tracing and the pytest plugin, which
    must not set Django up. Empty if Django is not imported.
    """
    version = getattr(sys.modules.get("django"), "VERSION", None)
    if version is None:
        return {}
    found: dict[str, object] = {}
    for name in declared_signals((int(version[0]), int(version[1]))):
        module_name, _, attribute = name.rpartition(".")
        signal = getattr(sys.modules.get(module_name), attribute, None)
        if signal is not None:
            found[name] = signal
    return found
