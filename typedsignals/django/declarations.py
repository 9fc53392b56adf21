"""What each of Django's built-in signals sends: its sender type and its payload TypedDict.

Read from Django's own ``send()``, ``send_robust()`` and ``asend()`` calls in
Django 5.2.19 and 6.1.3. This module is the one source of truth for both
checkers: the mypy plugin reads these classes as mypy types (it adds this
module to mypy's build), and the system check reads them with
``typing.get_type_hints`` once Django is set up. Django is imported for type
checkers only, so importing this module needs no Django at all.

Each signal is declared by a class with two annotations, ``sender`` and ``payload``
(one class serves signals that send alike: ``pre_migrate`` and ``post_migrate``).
Where a signal carries the sender's own instance, the class is generic in it
(``PostSaveSignal[M]``: sender ``type[M]``, ``instance: M``): a receiver
connected with ``sender=Book`` receives ``instance: Book``, one connected to
every sender receives ``instance: Model``.

A key that some sends leave out is ``NotRequired`` (``request_started`` sends
``environ`` from WSGI and ``scope`` from ASGI). ``signals.py`` says which
declaration applies to which signal, for which Django version.
"""

from __future__ import annotations

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
    "USER_MODEL_VARIABLES",
    "AutoreloadStartedSignal",
    "ClassPreparedSignal",
    "ConnectionCreated",
    "ConnectionCreatedSignal",
    "FileChanged",
    "FileChangedSignal",
    "GotRequestException",
    "GotRequestExceptionSignal",
    "M2MChanged",
    "M2MChanged52",
    "M2MChangedSignal",
    "M2MChangedSignal52",
    "Migrate",
    "MigrateSignal",
    "NoPayload",
    "PostDelete",
    "PostDeleteSignal",
    "PostInit",
    "PostInitSignal",
    "PostSave",
    "PostSaveSignal",
    "PreDelete",
    "PreDeleteSignal",
    "PreInit",
    "PreInitSignal",
    "PreSave",
    "PreSaveSignal",
    "RequestFinishedSignal",
    "RequestStarted",
    "RequestStartedSignal",
    "SettingChanged",
    "SettingChangedSignal",
    "TaskPayload",
    "TaskSignal",
    "TemplateRendered",
    "TemplateRenderedSignal",
    "UserLoggedIn",
    "UserLoggedInSignal",
    "UserLoggedOut",
    "UserLoggedOutSignal",
    "UserLoginFailed",
    "UserLoginFailedSignal",
]

#: The model a model signal's sender is (``type[ModelT]``) and its ``instance`` is.
ModelT = TypeVar("ModelT", bound="Model")
#: The app config a migrate signal's sender and ``app_config`` are.
AppConfigT = TypeVar("AppConfigT", bound="AppConfig")
#: The user model a login or logout is sent for (``sender=user.__class__``).
UserT = TypeVar("UserT", bound="AbstractBaseUser")
#: Type variables that stand, without a sender filter, for the project's user model
#: (``AUTH_USER_MODEL``, as ``get_user_model()``) instead of their bound, where it is known.
USER_MODEL_VARIABLES = frozenset({"UserT"})
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
    """``m2m_changed`` in Django 5.2 and 6.0; the sender is the intermediate (through) model.

    ``instance`` and ``model`` are one end of the relation each, which one depending on
    its direction (``reverse``): no type here can say which, so any annotation is accepted.
    """

    action: Literal["pre_add", "post_add", "pre_remove", "post_remove", "pre_clear", "post_clear"]
    instance: Any
    reverse: bool
    model: type[Any]
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


class MigrateSignal(Generic[AppConfigT]):
    """``django.db.models.signals.pre_migrate`` and ``post_migrate``."""

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


class TaskSignal:
    """``django.tasks.signals.task_enqueued``, ``task_started`` and ``task_finished``."""

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
