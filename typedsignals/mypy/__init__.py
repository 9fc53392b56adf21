"""The typedsignals mypy plugin: add ``plugins = typedsignals.mypy`` to mypy's config.

It applies the receiver rules of ``typedsignals.rules`` (the runtime
validator's own definitions) where receivers are connected, and checks the
payload of every send against the signal's payload TypedDict. Errors use the
codes ``signal-receiver`` and ``signal-payload``.
"""

from __future__ import annotations

from mypy.plugin import Plugin

__all__ = ["plugin"]


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class (every mypy in the supported range)."""
    from .main import TypedSignalsPlugin

    return TypedSignalsPlugin
