"""Receivers as Django projects write them, annotated or not: all correct."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import Bestseller, Book


@receiver(post_save, sender=Book)
def book_saved(sender: type[Book], instance: Book, created: bool, **kwargs: Any) -> None:
    if created:
        print(f"new book: {instance.title}")


@receiver(pre_save, sender=Bestseller)
def bestseller_saving(
    instance: Bestseller, update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    pass


@receiver([pre_save, post_save], sender="shop.Author")
def author_changed(sender, instance, raw, **kwargs):
    pass


@receiver(m2m_changed, sender=Book.authors.through)
def authors_changed(instance: Model, action: str, pk_set: set[Any] | None, **kwargs: Any) -> None:
    pass


@receiver(pre_delete)
def anything_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    pass


@receiver(user_logged_in)
def welcome(sender, request, user, **kwargs):
    pass
