"""What receivers look like to a type checker, without the mypy plugin.

These protocols carry the rules a checker can see from annotations alone: a
receiver takes ``sender`` by keyword (its annotation accepting the signal's
sender type) and ``**kwargs``. The plugin ``typedsignals.mypy`` checks all
five receiver rules instead.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from typing_extensions import TypeVar as DefaultTypeVar

__all__ = ["Receiver", "ReceiverDecorator"]

SenderT_contra = TypeVar("SenderT_contra", contravariant=True)


class Receiver(Protocol[SenderT_contra]):
    """What a receiver of a ``Signal[S, ...]`` must look like to a type checker.

    It takes ``sender`` by keyword (its annotation must accept S) and
    ``**kwargs``; ``def r(sender: S, **kwargs: Any)``, ``def r(**kwargs: Any)``
    and async functions of those shapes all match.
    """

    def __call__(self, *, sender: SenderT_contra, **kwargs: Any) -> Any: ...


_KwReceiverT = TypeVar("_KwReceiverT", bound=Receiver[Any])
_SenderT_co = DefaultTypeVar("_SenderT_co", covariant=True, default=Any)


class ReceiverDecorator(Protocol[_SenderT_co]):
    """What ``receiver(signal)`` returns: connects a function and returns it unchanged.

    To a type checker, the function must take ``**kwargs`` (see ``Receiver``);
    the mypy plugin ``typedsignals.mypy`` checks every receiver rule instead.
    """

    def __call__(self, func: _KwReceiverT, /) -> _KwReceiverT: ...
