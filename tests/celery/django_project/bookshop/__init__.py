"""A small Django project whose task receivers run in a real Celery worker (tests/celery)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
