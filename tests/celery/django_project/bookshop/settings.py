"""Settings: the database file and the broker come from the environment (the tests set them)."""

import os

SECRET_KEY = "typedsignals-tests"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["books"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["BOOKSHOP_DB"],
        # Two processes share the file: wait for a lock rather than fail.
        "OPTIONS": {"timeout": 30},
    }
}

CELERY_BROKER_URL = os.environ.get("BOOKSHOP_BROKER", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("BOOKSHOP_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = os.environ.get("BOOKSHOP_EAGER") == "1"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
