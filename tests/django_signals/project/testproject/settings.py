"""A small project: a shop app whose receivers are good (receivers.py) and bad (mistakes.py)."""

SECRET_KEY = "test-only"
# Off, or Django itself refuses a receiver without **kwargs when it connects.
DEBUG = False
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "shop",
    "typedsignals.django",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
