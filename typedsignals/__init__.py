"""typedsignals: typed, generic signals with Django's dispatcher semantics.

``Signal[Sender, Payload]`` is Django's ``django.dispatch.Signal``, generic in
the sender type and the payload (a TypedDict of the keyword arguments sent);
receivers are checked when they connect, and by mypy with the plugin
``typedsignals.mypy``.
"""

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
