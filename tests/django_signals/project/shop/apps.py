import importlib

import django
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self) -> None:
        from . import mistakes, receivers

        if django.VERSION >= (6, 0):
            # By name: mypy on Django 5.2 must not follow it (the tests pass it on 6.1).
            importlib.import_module("shop.task_receivers")
        post_migrate.connect(receivers.after_migrate, sender=self)
        post_migrate.connect(  # E(static): receiver-payload-type
            mistakes.after_migrate_wrong_config, sender=self
        )
