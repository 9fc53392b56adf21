"""What receivers look like to a type checker, without the mypy plugin.

``connect`` and ``@receiver`` take any callable: no annotation can state the
receiver rules so that mypy accepts every correct receiver. mypy's callable
rules make a required payload parameter (``def r(sender: Store, size: int,
**kwargs)``) incompatible with every protocol that ends in ``**kwargs``, and
the shapes it does accept for such receivers accept a receiver without
``**kwargs`` as well. A false refusal is worse than none, so the annotations
leave receivers to the checkers that know the payload: the mypy plugin
``typedsignals.mypy`` (all six rules, at type-check time) and the runtime
validator (at connect time, always).

``Receiver`` is the shape every receiver shares, for annotating one's own
variables; pyright accepts payload parameters against it, mypy does not.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

if sys.version_info >= (3, 13):  # PEP 696 defaults: typing_extensions' TypeVar before
    from typing import TypeVar as DefaultTypeVar
else:
    from typing_extensions import TypeVar as DefaultTypeVar

__all__ = ["Receiver", "ReceiverDecorator"]

SenderT_contra = TypeVar("SenderT_contra", contravariant=True)


class Receiver(Protocol[SenderT_contra]):
    """The shape of a receiver of a ``Signal[S, ...]``: ``sender`` by keyword, and ``**kwargs``.

    ``def r(sender: S, **kwargs: Any)``, ``def r(**kwargs: Any)`` and async
    functions of those shapes match. A receiver with payload parameters
    (``size: int``) matches for pyright but not for mypy, which requires
    every parameter of a protocol's ``**kwargs`` to be optional.
    """

    def __call__(self, *, sender: SenderT_contra, **kwargs: Any) -> Any: ...


_ReceiverT = TypeVar("_ReceiverT", bound=Callable[..., Any])
_SenderT_co = DefaultTypeVar("_SenderT_co", covariant=True, default=Any)


class ReceiverDecorator(Protocol[_SenderT_co]):
    """What ``receiver(signal)`` returns: connects a function and returns it unchanged.

    Any callable is accepted here (see the module's docstring): the mypy plugin
    ``typedsignals.mypy`` applies the receiver rules, and so does connect.
    """

    def __call__(self, func: _ReceiverT, /) -> _ReceiverT: ...
