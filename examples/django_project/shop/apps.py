from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self) -> None:
        from . import mistakes, receivers  # noqa: F401  (connects them)
