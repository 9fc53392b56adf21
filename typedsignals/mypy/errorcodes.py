"""The plugin's error codes: silence one kind with ``disable_error_code``."""

from __future__ import annotations

from mypy.errorcodes import ErrorCode

__all__ = ["SIGNAL_PAYLOAD", "SIGNAL_RECEIVER"]

SIGNAL_RECEIVER = ErrorCode(
    "signal-receiver",
    "Check that a receiver follows the receiver rules of the signal it is connected to",
    "typedsignals",
)
SIGNAL_PAYLOAD = ErrorCode(
    "signal-payload",
    "Check the keyword arguments of a send against the signal's payload TypedDict",
    "typedsignals",
)
