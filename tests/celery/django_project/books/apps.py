from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "books"

    def ready(self) -> None:
        # Connect the task receivers in every process (the sender's too); in the
        # worker, Celery's autodiscover_tasks() imports the same module.
        from . import tasks  # noqa: F401
