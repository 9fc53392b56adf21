"""The Django app: ``INSTALLED_APPS = [..., "typedsignals.django"]`` registers the system check."""

from __future__ import annotations

try:
    from django.apps import AppConfig
    from django.core import checks
except ImportError as error:
    raise ImportError(
        "typedsignals.django needs Django: pip install 'typedsignals[django]'"
    ) from error

__all__ = ["TypedSignalsConfig"]


class TypedSignalsConfig(AppConfig):
    """typedsignals' app: checks the receivers of Django's built-in signals (``checks.py``)."""

    name = "typedsignals.django"
    label = "typedsignals"
    verbose_name = "typedsignals"

    def ready(self) -> None:
        """Register the receiver check (tag ``signals``)."""
        from .checks import check_receivers

        checks.register(check_receivers, checks.Tags.signals)
