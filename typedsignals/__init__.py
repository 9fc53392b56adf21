"""typedsignals: typed, generic signals with Django's dispatcher semantics.

``Signal[Sender, Payload]`` is Django's ``django.dispatch.Signal``, generic in
the sender type and the payload (a TypedDict of the keyword arguments sent);
receivers are checked when they connect, and by mypy with the plugin
``typedsignals.mypy``.

The public names are loaded on first use (PEP 562), so that importing a
submodule that needs none of them (``typedsignals.rules``, which the mypy
plugin reads) does not load the dispatcher, asgiref and asyncio.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._utils import NONE_ID
    from .dispatcher import Signal, receiver
    from .errors import PayloadError, ReceiverError, SignalTypeError
    from .protocols import Receiver
    from .registry import NO_RECEIVERS

__all__ = [
    "NONE_ID",
    "NO_RECEIVERS",
    "PayloadError",
    "Receiver",
    "ReceiverError",
    "Signal",
    "SignalTypeError",
    "receiver",
]
__version__ = "0.1.0"

#: Where each public name is defined.
_MODULES = {
    "NONE_ID": "._utils",
    "NO_RECEIVERS": ".registry",
    "PayloadError": ".errors",
    "Receiver": ".protocols",
    "ReceiverError": ".errors",
    "Signal": ".dispatcher",
    "SignalTypeError": ".errors",
    "receiver": ".dispatcher",
}


def __getattr__(name: str) -> object:
    """Load a public name from its module on first use (then it is a plain attribute)."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's attributes, the public names not yet loaded included."""
    return sorted({*globals(), *__all__})
