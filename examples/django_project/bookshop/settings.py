"""A bookshop: one app, ``shop``, whose receivers typedsignals checks."""

SECRET_KEY = "example-only"
DEBUG = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "shop",
    "typedsignals.django",  # registers the receiver check
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
