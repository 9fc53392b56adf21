"""``connected_to(receiver, signal)``: a receiver connected for the duration of a block."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from types import TracebackType
from typing import Any, Generic, TypeVar, overload

from typedsignals.dispatcher import Signal
from typedsignals.introspection import is_signal
from typedsignals.registry import lookup_key

__all__ = ["ConnectedTo", "connected_to"]

_R = TypeVar("_R", bound=Callable[..., Any])
_S = TypeVar("_S")


class ConnectedTo(Generic[_R]):
    """What ``connected_to()`` returns: ``with`` gives the receiver, connected."""

    def __init__(
        self, receiver: _R, signal: Any, sender: object, dispatch_uid: Hashable | None
    ) -> None:
        """Arguments:

        receiver
            What to connect.

        signal
            Where to connect it.

        sender
            The sender to connect it for (None: every sender).

        dispatch_uid
            The ``dispatch_uid`` to connect it with, if any.
        """
        if not is_signal(signal):
            raise TypeError(
                f"connected_to() takes a signal; got {type(signal).__qualname__} {signal!r}."
            )
        self.receiver = receiver
        self.signal = signal
        self.sender = sender
        self.dispatch_uid = dispatch_uid
        self._was_connected: list[bool] = []

    def __enter__(self) -> _R:
        key = lookup_key(self.receiver, self.sender, self.dispatch_uid)
        # Already connected: the connect below changes nothing, so neither does the exit.
        was = any(item[0] == key for item in self.signal.receivers)
        self.signal.connect(
            self.receiver, sender=self.sender, weak=False, dispatch_uid=self.dispatch_uid
        )
        self._was_connected.append(was)
        return self.receiver

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._was_connected.pop():
            self.signal.disconnect(
                self.receiver, sender=self.sender, dispatch_uid=self.dispatch_uid
            )


@overload
def connected_to(
    receiver: _R,
    signal: Signal[_S, Any],
    sender: _S | None = None,
    *,
    dispatch_uid: Hashable | None = None,
) -> ConnectedTo[_R]: ...
@overload
def connected_to(
    receiver: _R, signal: object, sender: object = None, *, dispatch_uid: Hashable | None = None
) -> ConnectedTo[_R]: ...
def connected_to(
    receiver: _R, signal: object, sender: object = None, *, dispatch_uid: Hashable | None = None
) -> ConnectedTo[_R]:
    """Connect ``receiver`` to ``signal`` for a ``with`` block; always disconnect it after.

    ::

        with connected_to(on_done, pizza_done, sender=store):
            bake(store)

    The receiver is connected strongly (a lambda or local function works) and
    checked by the validator as by any ``connect``; it is disconnected when
    the block ends, however it ends. A receiver already connected (same
    receiver, sender and dispatch_uid) stays connected after the block.

    Arguments:

        receiver
            The receiver to connect.

        signal
            A typedsignals ``Signal`` or Django's own.

        sender
            Receive only this sender's sends (None: every sender's).

        dispatch_uid
            As for ``connect``.
    """
    return ConnectedTo(receiver, signal, sender, dispatch_uid)
