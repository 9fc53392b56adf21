"""Test helpers for signals, and a pytest plugin (``plugin.py``, active once installed).

* ``capture(signal, sender=...)``: record the sends of a signal, typed by its
  sender and payload, with ``unittest.mock``-style assertions
  (``assert_sent_once_with``...).
* ``muted(*signals)``: no receiver runs, in the current thread or task only;
  a context manager and a decorator.
* ``connected_to(receiver, signal, sender=...)``: connect for a block.

All three work on typedsignals ``Signal``\\ s and on Django's own. ``capture``
and ``muted`` are interceptors of ``typedsignals.hooks``: a signal that none
of them (nor tracing) is active on costs what it costs without them.
"""

from .capture import Capture, CaptureSignal, Sent, capture
from .connecting import ConnectedTo, connected_to
from .muting import Muted, muted

__all__ = [
    "Capture",
    "CaptureSignal",
    "ConnectedTo",
    "Muted",
    "Sent",
    "capture",
    "connected_to",
    "muted",
]
