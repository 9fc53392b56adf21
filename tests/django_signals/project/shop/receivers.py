"""Correct receivers of Django's built-in signals: neither checker may report any of them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.handlers.base import BaseHandler
from django.core.signals import (
    got_request_exception,
    request_finished,
    request_started,
    setting_changed,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.migrations.migration import Migration
from django.db.models import Model, QuerySet, signals
from django.db.models.signals import (
    class_prepared,
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_init,
    pre_migrate,
    pre_save,
)
from django.dispatch import receiver
from django.http import HttpRequest
from django.template import Context, Template
from django.test.signals import template_rendered
from django.utils.autoreload import BaseReloader, file_changed
from typing_extensions import Unpack

from typedsignals.django.declarations import PostSave

from .apps import ShopConfig
from .models import Author, Book, BookProxy, Ebook
from .signals import order_placed

# -- model signals, with and without a sender filter ---------------------------------------


@receiver(post_save, sender=Book)
def book_saved(
    sender: type[Book],
    instance: Book,
    created: bool,
    update_fields: frozenset[str] | None,
    raw: bool,
    using: str,
    **kwargs: Any,
) -> None: ...


@receiver(post_save)
def any_model_saved(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None: ...


@receiver([pre_save, post_save], sender=Book)
def book_saving(
    sender: type[Book], instance: Book, raw: bool, using: str, **kwargs: Any
) -> None: ...


@receiver(pre_save, sender=BookProxy)
def proxy_saving(sender: type[BookProxy], instance: BookProxy, **kwargs: Any) -> None: ...


@receiver(pre_save, sender=BookProxy)
def proxy_saving_as_book(sender: type[Book], instance: Book, **kwargs: Any) -> None: ...


@receiver(post_save, sender=Book)
def book_saved_payload(sender: type[Book], **kwargs: Unpack[PostSave[Book]]) -> None:
    """The declarations' TypedDicts type **kwargs (mypy: kwargs["instance"] is a Book)."""
    assert_book: Book = kwargs["instance"]
    del assert_book


@receiver(post_save, sender=Ebook)
def ebook_saved(instance: Ebook, created: bool, **kwargs: Any) -> None: ...


@receiver(post_save, sender="shop.Author")
def author_saved_lazily(sender: type[Author], instance: Author, **kwargs: Any) -> None: ...


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def user_saved(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None: ...


@receiver(pre_init, sender=Book)
def book_initialising(
    sender: type[Book], args: tuple[Any, ...], kwargs: dict[str, Any], **rest: Any
) -> None: ...


@receiver(post_init, sender=Book)
def book_initialised(instance: Book, **kwargs: Any) -> None: ...


@receiver(class_prepared)
def class_ready(sender: type[Model], **kwargs: Any) -> None: ...


@receiver([pre_delete, post_delete], sender=Book)
def book_deleted(
    sender: type[Book],
    instance: Book,
    using: str,
    origin: Model | QuerySet[Any] | None,
    **kwargs: Any,
) -> None: ...


@receiver(m2m_changed, sender=Book.authors.through)
def authors_changed(
    sender: type[Model],
    instance: Book | Author,  # either end of the relation
    action: str,
    reverse: bool,
    model: type[Book] | type[Author],
    pk_set: set[Any] | None,
    using: str,
    raw: bool = False,
    **kwargs: Any,
) -> None: ...


@receiver(pre_migrate)
def before_migrate(
    sender: Any,
    app_config: Any,
    verbosity: int,
    interactive: bool,
    using: str,
    plan: list[tuple[Migration, bool]] | None = None,
    **kwargs: Any,
) -> None: ...


def after_migrate(
    sender: ShopConfig, app_config: ShopConfig, verbosity: int, **kwargs: Any
) -> None:
    """Connected in ShopConfig.ready() with sender=self."""


# Unannotated, as most Django code is: only the rules that need no annotation apply.
@receiver(signals.post_save, sender=Book)
def book_saved_untyped(sender, instance, created, **kwargs):
    pass


def book_deleted_connected(sender: type[Book], instance: Book, **kwargs: Any) -> None: ...


post_delete.connect(book_deleted_connected, sender=Book)


class Audit:
    def saved(self, sender: type[Book], instance: Book, created: bool, **kwargs: Any) -> None: ...


audit = Audit()
post_save.connect(audit.saved, sender=Book, weak=False)


@receiver(post_save, sender=Book)
async def book_saved_async(instance: Book, **kwargs: Any) -> None: ...


# -- other shapes of receiver --------------------------------------------------------------


@receiver(post_save, sender=get_user_model())
def user_model_saved(sender, instance, created, **kwargs):
    pass


class Handlers:
    @staticmethod
    def on_save(sender, instance, **kwargs):
        pass

    @classmethod
    def on_class(cls, sender, instance, **kwargs):
        pass


post_save.connect(Handlers.on_save, sender=Book)
post_save.connect(Handlers.on_class, sender=Book)


@receiver(pre_save, sender=Book, dispatch_uid="created-has-a-default")
def created_with_default(sender, instance, created=False, **kwargs):
    pass


def with_extra(extra, sender, **kwargs):
    pass


post_save.connect(functools.partial(with_extra, 1), sender=Book, weak=False)
post_delete.connect(lambda sender, **kwargs: None, sender=Book, weak=False)


def logged(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


@receiver(post_save, sender=Book)
@logged
def decorated(sender, instance, **kwargs):
    pass


@receiver(post_save, sender=Book)
def takes_the_signal(signal, sender, **kwargs):
    pass


@receiver(post_save, sender=Book)
def takes_anything(*args, **kwargs):
    pass


# -- request, settings, templates, connections, auth, autoreload ---------------------------


@receiver(request_started)
def started(
    sender: type[BaseHandler], environ: dict[str, Any] | None = None, **kwargs: Any
) -> None: ...


@receiver(request_finished)
def finished(sender: type[BaseHandler] | None, **kwargs: Any) -> None: ...


@receiver(got_request_exception)
def failed(sender: None, request: HttpRequest, **kwargs: Any) -> None: ...


@receiver(setting_changed)
def setting(*, setting: str, value: Any, enter: bool, **kwargs: Any) -> None: ...


@receiver(template_rendered)
def rendered(sender: Template, template: Template, context: Context, **kwargs: Any) -> None: ...


@receiver(connection_created)
def connected(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any
) -> None: ...


@receiver(user_logged_in, sender=User)
def logged_in(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None: ...


@receiver(user_logged_in)
def any_login(sender: type[User], user: User, **kwargs: Any) -> None:
    """Without a sender filter, the user is the project's user model (AUTH_USER_MODEL)."""


@receiver(user_logged_out)
def logged_out(request: HttpRequest, user: AbstractBaseUser | None, **kwargs: Any) -> None: ...


@receiver(user_login_failed)
def login_failed(
    sender: str, credentials: dict[str, Any], request: HttpRequest | None, **kwargs: Any
) -> None: ...


@receiver(file_changed)
def file_edited(sender: BaseReloader, file_path: Path, **kwargs: Any) -> bool:
    return False


# -- the project's own signal: any keyword may be sent -----------------------------------------


@receiver(order_placed)
def order(sender, order, **kwargs):
    pass
