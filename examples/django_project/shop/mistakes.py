"""Four mistakes neither Django nor django-stubs catches; typedsignals reports each.

``# E: rule-id`` marks the line each checker reports (the example's test reads them).
"""

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import Author, Book


@receiver(post_save, sender=Book)  # E: receiver-unknown-parameter
def typo(sender, instance, creatd, **kwargs):
    pass


@receiver(pre_save, sender=Book)  # E: receiver-unknown-parameter
def created_before_saving(sender, instance, created, **kwargs):
    pass


@receiver(post_save, sender=Book)  # E: receiver-payload-type
def wrong_model(instance: Author, **kwargs: Any) -> None:
    pass


@receiver(pre_save, sender=Book)  # E: receiver-payload-type
def update_fields_as_a_set(update_fields: set[str] | None, **kwargs: Any) -> None:
    pass
