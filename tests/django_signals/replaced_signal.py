"""Run by test_connected.py in a test venv: post_save replaced by a typedsignals Signal.

Prints one line per error of the system check: its id and message.
"""

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "typedsignals.django"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()

import django.db.models.signals  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

import typedsignals  # noqa: E402
from typedsignals.django.checks import check_receivers  # noqa: E402

replaced = typedsignals.Signal()
django.db.models.signals.post_save = replaced


def fine(sender, instance, created, **kwargs):
    pass


def typo(sender, instance, creatd, **kwargs):
    pass


replaced.connect(fine, sender=User)
replaced.connect(typo, sender=User)
for error in check_receivers():
    print(error.id, error.msg)
