"""The settings, with one of typedsignals' checks silenced."""

from .settings import *  # noqa: F403

SILENCED_SYSTEM_CHECKS = ["typedsignals.E003"]
