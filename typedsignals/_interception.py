"""What an interceptor is, and what it sees of a send (the data model of ``hooks.py``).

``hooks.py`` attaches interceptors to signals; ``_hookwrappers.py`` makes an
intercepted signal's methods call them. Both read the definitions here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Final

__all__ = ["MUTE", "RECORD", "SKIP", "TRACE", "Dispatch", "Interceptor", "Pairs", "Receiver"]

Receiver = Callable[..., Any]
Pairs = list[tuple[Receiver, Any]]

#: Layers, outermost first: what records a send as its caller sees it, what traces
#: it, what mutes it (and may skip the dispatch).
RECORD: Final = 0
TRACE: Final = 1
MUTE: Final = 2


class _Skip:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIP"


#: Returned by ``Interceptor.before`` to call no receiver: the send returns ``[]``.
SKIP: Final = _Skip()


class Dispatch:
    """One intercepted send, as its interceptors see it.

    Attributes:
        signal: the signal being sent.
        method: ``"send"``, ``"send_robust"``, ``"asend"`` or ``"asend_robust"``.
        sender: the sender given to the send.
        named: the keyword arguments given to the send (the payload).
        notes: what each interceptor's ``before`` returned, by interceptor.
        receiver_hooks: the interceptors that see each receiver call of this send.
    """

    __slots__ = ("method", "named", "notes", "receiver_hooks", "sender", "signal")

    def __init__(
        self,
        signal: object,
        method: str,
        sender: object,
        named: dict[str, Any],
        receiver_hooks: tuple[Interceptor, ...],
    ) -> None:
        self.signal = signal
        self.method = method
        self.sender = sender
        self.named = named
        self.notes: dict[Interceptor, object] = {}
        self.receiver_hooks = receiver_hooks


class Interceptor:
    """What an interceptor may do around a send; every method does nothing here.

    ``layer`` orders the interceptors of a signal, lowest outermost
    (``RECORD``, ``TRACE``, ``MUTE``); within a layer, the first attached is
    outermost. An interceptor is compared by identity: attached twice to one
    signal it must be detached twice, but it sees each send once.
    """

    layer: ClassVar[int] = TRACE
    #: True: ``before_receiver`` and ``after_receiver`` run around each receiver call.
    sees_receivers: ClassVar[bool] = False

    def before(self, dispatch: Dispatch) -> object:
        """Called as a send begins; what it returns is kept in ``dispatch.notes[self]``.

        Arguments:

            dispatch
                The send beginning.

        Return ``SKIP`` to call no receiver: the send then returns ``[]`` (a
        ``validate=True`` signal still checks the payload), and the
        interceptors of the layers inside this one are not called.
        """
        return None

    def after(
        self, dispatch: Dispatch, responses: Pairs | None, error: BaseException | None
    ) -> None:
        """Called as a send ends, in the thread or task that sent it.

        Arguments:

            dispatch
                The send ending.

            responses
                What it returns, or None if it raises.

            error
                What it raises, or None.
        """

    def before_receiver(self, dispatch: Dispatch, receiver: Receiver, is_async: bool) -> object:
        """Called (if ``sees_receivers``) before a receiver runs; returns its note.

        Arguments:

            dispatch
                The send calling it.

            receiver
                The receiver about to run.

            is_async
                Whether it is an async receiver (this runs in its task, as its first step).
        """
        return None

    def after_receiver(
        self,
        dispatch: Dispatch,
        receiver: Receiver,
        note: object,
        response: object,
        error: BaseException | None,
    ) -> None:
        """Called (if ``sees_receivers``) once a receiver has returned or raised.

        Arguments:

            dispatch
                The send that called it.

            receiver
                The receiver.

            note
                What ``before_receiver`` returned for this call.

            response
                What it returned (None if it raised).

            error
                What it raised (``CancelledError`` for a cancelled async receiver), or None.
        """
