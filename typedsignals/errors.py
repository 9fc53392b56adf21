"""The exceptions typedsignals raises, each naming what went wrong and where."""

from __future__ import annotations

from collections.abc import Sequence

from .rules import Violation

__all__ = ["PayloadError", "ReceiverError", "SignalTypeError"]


class ReceiverError(ValueError):
    """A receiver breaks the signal's receiver rules; it was not connected.

    A ``ValueError``, as Django's "must accept keyword arguments" error is.

    Attributes:
        receiver: the callable that was refused.
        signal: the signal it was offered to.
        violations: every rule it breaks (``typedsignals.rules.Violation``).
    """

    def __init__(
        self,
        receiver: object,
        signal: object,
        violations: Sequence[Violation],
        receiver_text: str,
        signal_text: str,
    ) -> None:
        self.receiver = receiver
        self.signal = signal
        self.violations = tuple(violations)
        # Django's sentence leads when it applies: code catches it by its text.
        lead = next((v.rule.summary + " " for v in self.violations if v.rule.number == 1), "")
        lines = [
            f"{lead}Receiver {receiver_text} cannot be connected to {signal_text}:",
            *(f"  - {v.describe()}" for v in self.violations),
        ]
        super().__init__("\n".join(lines))


class PayloadError(TypeError):
    """A send's keyword arguments do not match the signal's payload type.

    Raised before any receiver runs, by send, send_robust, asend and
    asend_robust of a signal created with ``validate=True``.

    Attributes:
        signal: the signal being sent.
        problems: one line per missing, unknown or mistyped key.
    """

    def __init__(self, signal_text: str, problems: Sequence[str], signal: object = None) -> None:
        self.signal = signal
        self.problems = tuple(problems)
        lines = [f"Invalid payload for {signal_text}:", *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


class SignalTypeError(TypeError):
    """A signal was declared with type arguments typedsignals cannot use.

    For example a payload type that is not a TypedDict, or one with a key
    named ``signal`` or ``sender`` (the dispatcher passes those itself).
    """
