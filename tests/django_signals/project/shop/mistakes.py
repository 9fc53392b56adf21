"""Receivers that break a rule. ``# E: rule-id, ...`` marks the line each error is reported
at, by both checkers on both Django versions; ``E(static)``, ``E(runtime)``, ``E(5.2)``,
``E(6.1)`` restrict a mark to one checker or one version."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.signals import got_request_exception, request_started, setting_changed
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal, receiver

from .apps import ShopConfig
from .models import Author, Book, BookProxy
from .signals import order_placed

# -- unannotated: the rules that need no annotation ------------------------------------------


@receiver(post_save, sender=Book)  # E: receiver-kwargs
def no_kwargs(sender, instance, created):
    pass


@receiver(post_save, sender=Book)  # E: receiver-unknown-parameter
def typo(sender, instance, creatd, **kwargs):
    pass


@receiver(pre_save, sender=Book)  # E: receiver-unknown-parameter
def created_before_saving(sender, instance, created, **kwargs):
    pass


@receiver([pre_save, post_save], sender=Book)  # E: receiver-unknown-parameter
def created_on_both(sender, instance, created, **kwargs):
    pass


@receiver(pre_delete)  # E: receiver-positional-only
def positional(sender, /, **kwargs):
    pass


@receiver(m2m_changed, sender=Book.authors.through)  # E(5.2): receiver-unknown-parameter
def raw_before_6_1(sender, instance, action, raw, **kwargs):
    pass


@receiver(request_started)  # E: receiver-unknown-parameter
def environ_always(sender, environ, **kwargs):
    pass


@receiver(setting_changed)  # E: receiver-kwargs
def no_kwargs_setting(setting, value, enter):
    pass


# -- annotated: the types too ----------------------------------------------------------------


@receiver(post_save, sender=Book)  # E: receiver-sender-type
def wrong_sender(sender: type[Author], **kwargs: Any) -> None: ...


@receiver(post_save, sender=Book)  # E: receiver-payload-type
def wrong_instance(instance: Author, **kwargs: Any) -> None: ...


@receiver(pre_save, sender=Book)  # E: receiver-payload-type
def update_fields_is_a_frozenset(update_fields: set[str] | None, **kwargs: Any) -> None: ...


@receiver(post_save)  # E: receiver-sender-type, receiver-payload-type
def no_filter_any_model(sender: type[Book], instance: Book, **kwargs: Any) -> None: ...


@receiver(pre_save, sender=Book)  # E: receiver-payload-type
def book_is_not_a_proxy(instance: BookProxy, **kwargs: Any) -> None: ...


@receiver(post_save, sender="shop.Book")  # E: receiver-payload-type
def lazy_wrong_instance(instance: Author, **kwargs: Any) -> None: ...


@receiver([pre_delete, post_delete], sender=Book)  # E: receiver-payload-type, receiver-payload-type
def origin_is_optional(origin: Model, **kwargs: Any) -> None: ...


@receiver(got_request_exception)  # E: receiver-sender-type
def sender_is_none(sender: type[Model], **kwargs: Any) -> None: ...


@receiver(user_logged_in, sender=User)  # E: receiver-payload-type
def anonymous_login(user: AnonymousUser, **kwargs: Any) -> None: ...


@receiver(user_logged_out)  # E: receiver-payload-type
def logout_user_may_be_none(user: User, **kwargs: Any) -> None: ...


def after_migrate_wrong_config(  # E(runtime): receiver-payload-type
    sender: ShopConfig, app_config: str, **kwargs: Any
) -> None:
    """Connected in ShopConfig.ready() with sender=self."""


def connected_typo(  # E(runtime): receiver-unknown-parameter
    sender: type[Book], instance: Book, creatd: bool, **kwargs: Any
) -> None: ...


post_save.connect(connected_typo, sender=Book)  # E(static): receiver-unknown-parameter


class Audit:
    def saved(  # E(runtime): receiver-sender-type
        self, sender: type[Author], **kwargs: Any
    ) -> None: ...


audit = Audit()
post_save.connect(audit.saved, sender=Book, weak=False)  # E(static): receiver-sender-type


# -- the project's own signal: only the rules that need no types ----------------------------


@receiver(order_placed)  # E(static): receiver-kwargs
def order_without_kwargs(sender, order):
    pass


# -- signals in a variable: mypy checks only the rules that need no types -------------------

SAVES: list[Signal] = [pre_save, post_save]


@receiver(SAVES, sender=Book)  # E(runtime): receiver-unknown-parameter*2
def typo_in_a_list(sender, instance, creatd, **kwargs):
    pass


@receiver(  # E(static): receiver-positional-only  # E(runtime): receiver-positional-only*2
    SAVES, sender=Book
)
def positional_in_a_list(sender, /, **kwargs):
    pass


# -- a sender filter of the wrong type: request_started is sent by handler classes ----------


def started_for_a_model(sender, **kwargs):  # E(runtime): receiver-sender-argument
    pass


request_started.connect(started_for_a_model, sender=Book)  # E(static): receiver-sender-argument
