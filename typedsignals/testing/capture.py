"""``capture(signal)``: record a signal's sends, and assert on them as on a ``Mock``.

A capture is an interceptor of ``typedsignals.hooks`` in the outermost layer:
it records each send as its caller sees it (sender, payload, responses or
error), whether or not the signal is muted, from every thread and task, in
the order the sends begin.
"""

from __future__ import annotations

import difflib
import pprint
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Protocol, overload

from typing_extensions import Self, TypeVar

from typedsignals import hooks
from typedsignals._utils import sender_key
from typedsignals.dispatcher import Signal
from typedsignals.introspection import signal_label

__all__ = ["Capture", "Sent", "capture"]

SenderT = TypeVar("SenderT", default=Any)
PayloadT = TypeVar("PayloadT", default=Any)


@dataclass
class Sent(Generic[SenderT, PayloadT]):
    """One send recorded by a capture.

    Attributes:
        method: ``"send"``, ``"send_robust"``, ``"asend"`` or ``"asend_robust"``.
        sender: the sender.
        payload: the keyword arguments sent (typed as the signal's payload TypedDict).
        responses: ``[(receiver, response), ...]`` as the send returned them
            (``[]`` if muted), or None while it runs or if it raised.
        error: what the send raised, or None.
    """

    method: str
    sender: SenderT
    payload: PayloadT
    responses: list[tuple[Callable[..., Any], Any]] | None = None
    error: BaseException | None = None

    def call_text(self, signal: str) -> str:
        """The send as code: ``pizza_done.send(<Store>, size=12)``.

        Arguments:

            signal
                How to name the signal.
        """
        return _call_text(signal, self.method, self.sender, _as_dict(self.payload))


class Capture(hooks.Interceptor, Generic[SenderT, PayloadT]):
    """The sends of one signal while the capture is active (``with capture(...)``).

    Attributes:
        signal: the signal captured.
        sends: every send recorded, in the order they began.
    """

    layer = hooks.RECORD

    def __init__(self, signal: object, sender: object = None) -> None:
        """Arguments:

        signal
            A typedsignals ``Signal`` or Django's own ``Signal``.

        sender
            Record only the sends from this sender (None: every sender).
        """
        self.signal = signal
        self.sends: list[Sent[SenderT, PayloadT]] = []
        self._sender_key = None if sender is None else sender_key(sender)
        self._lock = threading.Lock()

    # -- the context manager -----------------------------------------------------------

    def __enter__(self) -> Self:
        hooks.attach(self.signal, self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        hooks.detach(self.signal, self)

    # -- the interceptor ---------------------------------------------------------------

    def before(self, dispatch: hooks.Dispatch) -> object:
        """Record the send (if its sender is the one captured).

        Arguments:

            dispatch
                The send beginning.
        """
        if self._sender_key is not None and sender_key(dispatch.sender) != self._sender_key:
            return None
        sent: Sent[SenderT, PayloadT] = Sent(dispatch.method, dispatch.sender, dict(dispatch.named))  # type: ignore[arg-type]
        with self._lock:
            self.sends.append(sent)
        return sent

    def after(
        self,
        dispatch: hooks.Dispatch,
        responses: hooks.Pairs | None,
        error: BaseException | None,
    ) -> None:
        """Record what the send returned or raised.

        Arguments:

            dispatch
                The send ending.

            responses
                What it returns, or None.

            error
                What it raises, or None.
        """
        sent = dispatch.notes.get(self)
        if isinstance(sent, Sent):
            sent.responses = None if responses is None else list(responses)
            sent.error = error

    # -- assertions, named as unittest.mock's ---------------------------------------------

    @property
    def senders(self) -> list[SenderT]:
        """The sender of each send, in order."""
        return [sent.sender for sent in self.sends]

    @property
    def payloads(self) -> list[PayloadT]:
        """The payload of each send, in order."""
        return [sent.payload for sent in self.sends]

    def assert_sent(self) -> None:
        """Assert that the signal was sent at least once."""
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        if not self.sends:
            raise AssertionError(f"Expected {self._name()} to have been sent. {self._history()}")

    def assert_sent_once(self) -> None:
        """Assert that the signal was sent exactly once."""
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        if len(self.sends) != 1:
            raise AssertionError(
                f"Expected {self._name()} to have been sent once. {self._history()}"
            )

    def assert_not_sent(self) -> None:
        """Assert that the signal was not sent."""
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        if self.sends:
            raise AssertionError(
                f"Expected {self._name()} not to have been sent. {self._history()}"
            )

    def assert_sent_with(self, sender: SenderT, /, **payload: Any) -> None:
        """Assert that the last send had this sender and exactly this payload.

        Compared with ``==``, the expected value on the left (``unittest.mock.ANY``
        matches anything).

        Arguments:

            sender
                The sender expected.

            payload
                The keyword arguments expected: all of them.
        """
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        if not self.sends:
            raise AssertionError(
                f"Expected {self._name()} to have been sent with\n"
                f"  {self._expected(sender, payload)}\nIt was not sent."
            )
        last = self.sends[-1]
        if not _matches(last, sender, payload):
            raise AssertionError(
                f"Expected the last send of {self._name()} to be\n"
                f"  {self._expected(sender, payload)}\n"
                f"It was\n  {last.call_text(self._label())}\n{_diff(sender, payload, last)}"
            )

    def assert_sent_once_with(self, sender: SenderT, /, **payload: Any) -> None:
        """Assert that the signal was sent exactly once, with this sender and payload.

        Arguments:

            sender
                The sender expected.

            payload
                The keyword arguments expected: all of them.
        """
        __tracebackhide__ = True  # pytest shows the test's line, not this one
        if len(self.sends) != 1:
            raise AssertionError(
                f"Expected {self._name()} to have been sent once, with\n"
                f"  {self._expected(sender, payload)}\n{self._history()}"
            )
        self.assert_sent_with(sender, **payload)

    # -- messages ----------------------------------------------------------------------

    def _label(self) -> str:
        return signal_label(self.signal)

    def _name(self) -> str:
        return f"signal {self._label()!r}"

    def _expected(self, sender: object, payload: dict[str, Any]) -> str:
        return _call_text(self._label(), "send", sender, payload)

    def _history(self) -> str:
        count = len(self.sends)
        if not count:
            return "It was not sent."
        label = self._label()
        lines = [f"  {n}. {sent.call_text(label)}" for n, sent in enumerate(self.sends, 1)]
        return f"It was sent {count} time{'s' if count != 1 else ''}:\n" + "\n".join(lines)


def _as_dict(payload: object) -> dict[str, Any]:
    return dict(payload) if isinstance(payload, dict) else {}  # pyright: ignore[reportUnknownArgumentType]


def _matches(sent: Sent[Any, Any], sender: object, payload: dict[str, Any]) -> bool:
    return bool(sender == sent.sender) and payload == _as_dict(sent.payload)


def _call_text(signal: str, method: str, sender: object, payload: dict[str, Any]) -> str:
    args = [repr(sender), *(f"{key}={value!r}" for key, value in payload.items())]
    return f"{signal}.{method}({', '.join(args)})"


def _diff(sender: object, payload: dict[str, Any], sent: Sent[Any, Any]) -> str:
    """An ndiff of expected against sent (``-`` expected, ``+`` sent)."""
    # One key (and one list item) a line, so that the diff points at what differs.
    expected = pprint.pformat({"sender": sender, **payload}, width=1).splitlines()
    actual = pprint.pformat({"sender": sent.sender, **_as_dict(sent.payload)}, width=1).splitlines()
    lines = [line for line in difflib.ndiff(expected, actual) if not line.startswith("?")]
    return "Diff (- expected, + sent):\n" + "\n".join(lines)


@overload
def capture(
    signal: Signal[SenderT, PayloadT], *, sender: SenderT | None = None
) -> Capture[SenderT, PayloadT]: ...
@overload
def capture(signal: object, *, sender: object = None) -> Capture[Any, Any]: ...
def capture(signal: object, *, sender: object = None) -> Capture[Any, Any]:
    """Record the sends of ``signal`` inside a ``with`` block.

    ::

        with capture(pizza_done) as captured:
            bake(store)
        captured.assert_sent_once_with(store, size=12, toppings=["basil"])
        assert captured.sends[0].payload["size"] == 12  # an int, to mypy too

    Every send of the signal from any thread or task is recorded (muted or
    not), in the order the sends begin; the assertions are named as
    ``unittest.mock``'s, with "sent" for "called".

    Arguments:

        signal
            A typedsignals ``Signal`` (the capture is typed by its sender and
            payload types) or Django's own ``Signal``.

        sender
            Record only the sends from this sender (by identity, as receivers
            connected for a sender are); None records every send.
    """
    return Capture(signal, sender)


class CaptureSignal(Protocol):
    """The ``capture_signal`` fixture's type: ``capture_signal(signal, sender=None)``.

    Starts a ``capture`` that lasts until the test ends, typed as ``capture``'s:
    annotate the fixture parameter with it (``capture_signal: CaptureSignal``)
    and ``captured.sends[0].payload["size"]`` is an ``int`` to mypy.
    """

    @overload
    def __call__(
        self, signal: Signal[SenderT, PayloadT], sender: SenderT | None = None
    ) -> Capture[SenderT, PayloadT]: ...
    @overload
    def __call__(self, signal: object, sender: object = None) -> Capture[Any, Any]: ...
