"""A dispatch's or a receiver's outcome in one word, shared by the log and the spans."""

from __future__ import annotations

import asyncio

__all__ = ["outcome_of"]


def outcome_of(error: BaseException | None) -> str:
    """``"ok"``, ``"cancelled"`` or ``"error"``.

    Arguments:

        error
            What was raised, or None.
    """
    if error is None:
        return "ok"
    return "cancelled" if isinstance(error, asyncio.CancelledError) else "error"
