"""The type variables of ``Signal[SenderT, PayloadT]``, in a module of their own.

The dispatcher declares ``Signal`` with them and the validator reads a
signal's type arguments by them; with the variables here, neither module has
to import the other. Python 3.13's ``typing.TypeVar`` takes a default (PEP
696); before, typing_extensions' does (it is not imported on 3.13).
"""

from __future__ import annotations

import sys
from typing import Any

if sys.version_info >= (3, 13):
    from typing import TypeVar
else:
    from typing_extensions import TypeVar

__all__ = ["PayloadT", "SenderT"]

#: The type of a signal's senders (PEP 696 default: Any, so ``Signal()`` is untyped).
SenderT = TypeVar("SenderT", default=Any)
#: The payload TypedDict: the keyword arguments each send passes (default: Any).
PayloadT = TypeVar("PayloadT", default=Any)
