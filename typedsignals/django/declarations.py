"""What each of Django's built-in signals sends: its sender type and its payload TypedDict.

Read from Django's own ``send()``, ``send_robust()`` and ``asend()`` calls in
Django 5.2.19 and 6.1.3. This module is the one source of truth for both
checkers: the mypy plugin reads these classes as mypy types (it adds this
module to mypy's build), and the system check reads them with
``typing.get_type_hints`` once Django is set up. Django is imported for type
checkers only, so importing this module needs no Django at all.

Each signal is a class with two annotations, ``sender`` and ``payload``.
Where a signal carries the sender's own instance, the class is generic in it
(``PostSaveSignal[M]``: sender ``type[M]``, ``instance: M``): a receiver
connected with ``sender=Book`` receives ``instance: Book``, one connected to
every sender receives ``instance: Model``.

A key that some sends leave out is ``NotRequired`` (``request_started`` sends
``environ`` from WSGI and ``scope`` from ASGI). ``SIGNALS`` says which
declaration applies to which Django version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal

from typing_extensions import NotRequired, TypedDict, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

    from django.apps import AppConfig
    from django.apps.registry import Apps
    from django.conf import Settings, UserSettingsHolder
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.core.handlers.base import BaseHandler
    from django.core.management.base import OutputWrapper
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.migrations.migration import Migration
    from django.db.models import Model, QuerySet
    from django.http import HttpRequest
    from django.tasks.backends.base import BaseTaskBackend
    from django.tasks.base import TaskResult
    from django.template.base import Template
    from django.template.context import Context
    from django.utils.autoreload import BaseReloader

__all__ = [
    "SIGNALS",
    "ClassPreparedSignal",
    "ConnectionCreated",
    "ConnectionCreatedSignal",
    "DeclaredSignal",
    "FileChanged",
    "FileChangedSignal",
    "GotRequestException",
    "GotRequestExceptionSignal",
    "M2MChanged",
    "M2MChanged52",
    "M2MChangedSignal",
    "M2MChangedSignal52",
    "Migrate",
    "NoPayload",
    "PostDelete",
    "PostDeleteSignal",
    "PostInit",
    "PostInitSignal",
    "PostMigrateSignal",
    "PostSave",
    "PostSaveSignal",
    "PreDelete",
    "PreDeleteSignal",
    "PreInit",
    "PreInitSignal",
    "PreMigrateSignal",
    "PreSave",
    "PreSaveSignal",
    "RequestFinishedSignal",
    "RequestStarted",
    "RequestStartedSignal",
    "SettingChanged",
    "SettingChangedSignal",
    "TaskEnqueuedSignal",
    "TaskFinishedSignal",
    "TaskPayload",
    "TaskStartedSignal",
    "TemplateRendered",
    "TemplateRenderedSignal",
    "UserLoggedIn",
    "UserLoggedInSignal",
    "UserLoggedOut",
    "UserLoggedOutSignal",
    "UserLoginFailed",
    "UserLoginFailedSignal",
    "declared_signals",
]

#: The model a model signal's sender is (``type[ModelT]``) and its ``instance`` is.
ModelT = TypeVar("ModelT", bound="Model")
#: The app config a migrate signal's sender and ``app_config`` are.
AppConfigT = TypeVar("AppConfigT", bound="AppConfig")
#: The user model a login or logout is sent for (``sender=user.__class__``).
UserT = TypeVar("UserT", bound="AbstractBaseUser")
#: The database wrapper a new connection belongs to.
WrapperT = TypeVar("WrapperT", bound="BaseDatabaseWrapper")


class NoPayload(TypedDict):
    """No keyword argument besides ``signal`` and ``sender``."""


# -- django.db.models.signals -----------------------------------------------------------


class PreInit(TypedDict):
    """``pre_init``, sent by ``Model.__init__()`` before it sets any field."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class PostInit(TypedDict, Generic[ModelT]):
    """``post_init``, sent at the end of ``Model.__init__()``."""

    instance: ModelT


class PreSave(TypedDict, Generic[ModelT]):
    """``pre_save``, sent by ``Model.save_base()`` (a proxy instance sends its proxy class)."""

    instance: ModelT
    raw: bool
    using: str
    update_fields: frozenset[str] | None


class PostSave(PreSave[ModelT]):
    """``post_save``: ``pre_save``'s keys and ``created``."""

    created: bool


class PreDelete(TypedDict, Generic[ModelT]):
    """``pre_delete``, sent by the deletion collector for each object it deletes."""

    instance: ModelT
    using: str
    origin: Model | QuerySet[Any] | None


class PostDelete(PreDelete[ModelT]):
    """``post_delete``: the keys of ``pre_delete``."""


class M2MChanged52(TypedDict):
    """``m2m_changed`` in Django 5.2 and 6.0; the sender is the intermediate (through) model."""

    action: Literal["pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"]
    instance: Model
    reverse: bool
    model: type[Model]
    pk_set: set[Any] | None
    using: str


class M2MChanged(M2MChanged52):
    """``m2m_changed`` from Django 6.1 on: it sends ``raw`` too."""

    raw: bool


class Migrate(TypedDict, Generic[AppConfigT]):
    """``pre_migrate`` and ``post_migrate``, sent once per app with a models module.

    ``migrate`` sends ``stdout``, ``apps`` and ``plan``; ``flush`` and the test
    framework do not.
    """

    app_config: AppConfigT
    verbosity: int
    interactive: bool
    using: str
    stdout: NotRequired[OutputWrapper]
    apps: NotRequired[Apps]
    plan: NotRequired[list[tuple[Migration, bool]]]


# -- django.core.signals, django.test.signals, django.db.backends.signals ---------------


class RequestStarted(TypedDict):
    """``request_started``: WSGI handlers send ``environ``, ASGI handlers ``scope``."""

    environ: NotRequired[dict[str, Any]]
    scope: NotRequired[dict[str, Any]]


class GotRequestException(TypedDict):
    """``got_request_exception``, sent (with ``sender=None``) for an uncaught exception."""

    request: HttpRequest


class SettingChanged(TypedDict):
    """``setting_changed``, sent by ``override_settings`` and the test framework."""

    setting: str
    value: Any
    enter: bool


class TemplateRendered(TypedDict):
    """``template_rendered``, sent by the test framework's instrumented ``Template``."""

    template: Template
    context: Context


class ConnectionCreated(TypedDict, Generic[WrapperT]):
    """``connection_created``, sent when a database connection is opened."""

    connection: WrapperT


# -- django.contrib.auth.signals, django.tasks.signals, django.utils.autoreload ---------


class UserLoggedIn(TypedDict, Generic[UserT]):
    """``user_logged_in``, sent by ``login()`` and ``alogin()``."""

    request: HttpRequest
    user: UserT


class UserLoggedOut(TypedDict, Generic[UserT]):
    """``user_logged_out``, sent by ``logout()``; ``user`` is None if nobody was logged in."""

    request: HttpRequest
    user: UserT | None


class UserLoginFailed(TypedDict):
    """``user_login_failed``, sent by ``authenticate()`` (sender: ``"django.contrib.auth"``)."""

    credentials: dict[str, Any]
    request: HttpRequest | None


class TaskPayload(TypedDict):
    """``task_enqueued``, ``task_started`` and ``task_finished`` (Django 6.0 on)."""

    task_result: TaskResult  # type: ignore[type-arg]  # pyright: ignore[reportMissingTypeArgument]
    # (bare: Django's TaskResult is not subscriptable at run time)


class FileChanged(TypedDict):
    """``file_changed``, sent by the autoreloader for each changed file."""

    file_path: Path


# -- the signals ------------------------------------------------------------------------


class ClassPreparedSignal:
    """``django.db.models.signals.class_prepared``."""

    sender: type[Model]
    payload: NoPayload


class PreInitSignal:
    """``django.db.models.signals.pre_init``."""

    sender: type[Model]
    payload: PreInit


class PostInitSignal(Generic[ModelT]):
    """``django.db.models.signals.post_init``."""

    sender: type[ModelT]
    payload: PostInit[ModelT]


class PreSaveSignal(Generic[ModelT]):
    """``django.db.models.signals.pre_save``."""

    sender: type[ModelT]
    payload: PreSave[ModelT]


class PostSaveSignal(Generic[ModelT]):
    """``django.db.models.signals.post_save``."""

    sender: type[ModelT]
    payload: PostSave[ModelT]


class PreDeleteSignal(Generic[ModelT]):
    """``django.db.models.signals.pre_delete``."""

    sender: type[ModelT]
    payload: PreDelete[ModelT]


class PostDeleteSignal(Generic[ModelT]):
    """``django.db.models.signals.post_delete``."""

    sender: type[ModelT]
    payload: PostDelete[ModelT]


class M2MChangedSignal52:
    """``django.db.models.signals.m2m_changed`` before Django 6.1."""

    sender: type[Model]
    payload: M2MChanged52


class M2MChangedSignal:
    """``django.db.models.signals.m2m_changed`` from Django 6.1 on."""

    sender: type[Model]
    payload: M2MChanged


class PreMigrateSignal(Generic[AppConfigT]):
    """``django.db.models.signals.pre_migrate``."""

    sender: AppConfigT
    payload: Migrate[AppConfigT]


class PostMigrateSignal(Generic[AppConfigT]):
    """``django.db.models.signals.post_migrate``."""

    sender: AppConfigT
    payload: Migrate[AppConfigT]


class RequestStartedSignal:
    """``django.core.signals.request_started``."""

    sender: type[BaseHandler]
    payload: RequestStarted


class RequestFinishedSignal:
    """``django.core.signals.request_finished`` (None: a response closed outside a handler)."""

    sender: type[BaseHandler] | None
    payload: NoPayload


class GotRequestExceptionSignal:
    """``django.core.signals.got_request_exception``."""

    sender: None
    payload: GotRequestException


class SettingChangedSignal:
    """``django.core.signals.setting_changed`` (also importable from ``django.test.signals``)."""

    sender: type[Settings] | type[UserSettingsHolder]
    payload: SettingChanged


class TemplateRenderedSignal:
    """``django.test.signals.template_rendered``."""

    sender: Template
    payload: TemplateRendered


class ConnectionCreatedSignal(Generic[WrapperT]):
    """``django.db.backends.signals.connection_created``."""

    sender: type[WrapperT]
    payload: ConnectionCreated[WrapperT]


class UserLoggedInSignal(Generic[UserT]):
    """``django.contrib.auth.signals.user_logged_in``."""

    sender: type[UserT]
    payload: UserLoggedIn[UserT]


class UserLoggedOutSignal(Generic[UserT]):
    """``django.contrib.auth.signals.user_logged_out``."""

    sender: type[UserT] | type[None]
    payload: UserLoggedOut[UserT]


class UserLoginFailedSignal:
    """``django.contrib.auth.signals.user_login_failed``."""

    sender: str
    payload: UserLoginFailed


class TaskEnqueuedSignal:
    """``django.tasks.signals.task_enqueued``."""

    sender: type[BaseTaskBackend]
    payload: TaskPayload


class TaskStartedSignal:
    """``django.tasks.signals.task_started``."""

    sender: type[BaseTaskBackend]
    payload: TaskPayload


class TaskFinishedSignal:
    """``django.tasks.signals.task_finished``."""

    sender: type[BaseTaskBackend]
    payload: TaskPayload


class AutoreloadStartedSignal:
    """``django.utils.autoreload.autoreload_started``."""

    sender: BaseReloader
    payload: NoPayload


class FileChangedSignal:
    """``django.utils.autoreload.file_changed`` (a true response stops the reload)."""

    sender: BaseReloader
    payload: FileChanged


# -- which declaration applies to which Django version -----------------------------------


@dataclass(frozen=True)
class DeclaredSignal:
    """One built-in signal and the Django versions its declaration matches.

    Attributes:
        signal: where Django defines it, ``"django.db.models.signals.post_save"``.
        declaration: the class above that declares its sender and payload.
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
    DeclaredSignal(f"{_MODELS}.pre_migrate", PreMigrateSignal),
    DeclaredSignal(f"{_MODELS}.post_migrate", PostMigrateSignal),
    DeclaredSignal(f"{_CORE}.request_started", RequestStartedSignal),
    DeclaredSignal(f"{_CORE}.request_finished", RequestFinishedSignal),
    DeclaredSignal(f"{_CORE}.got_request_exception", GotRequestExceptionSignal),
    DeclaredSignal(f"{_CORE}.setting_changed", SettingChangedSignal),
    DeclaredSignal("django.test.signals.template_rendered", TemplateRenderedSignal),
    DeclaredSignal("django.db.backends.signals.connection_created", ConnectionCreatedSignal),
    DeclaredSignal(f"{_AUTH}.user_logged_in", UserLoggedInSignal),
    DeclaredSignal(f"{_AUTH}.user_logged_out", UserLoggedOutSignal),
    DeclaredSignal(f"{_AUTH}.user_login_failed", UserLoginFailedSignal),
    DeclaredSignal(f"{_TASKS}.task_enqueued", TaskEnqueuedSignal, since=(6, 0)),
    DeclaredSignal(f"{_TASKS}.task_started", TaskStartedSignal, since=(6, 0)),
    DeclaredSignal(f"{_TASKS}.task_finished", TaskFinishedSignal, since=(6, 0)),
    DeclaredSignal("django.utils.autoreload.autoreload_started", AutoreloadStartedSignal),
    DeclaredSignal("django.utils.autoreload.file_changed", FileChangedSignal),
)


def declared_signals(version: tuple[int, int]) -> dict[str, DeclaredSignal]:
    """The declarations for Django ``version`` (major, minor), by the signal's full name."""
    return {d.signal: d for d in SIGNALS if d.applies_to(version)}
