"""``muted(*signals)``: no receiver runs, in the current thread or task context only.

Blinker's ``muted`` and factory_boy's ``mute_signals`` (``receivers = []``)
mute a signal for the whole process; here the mute is a context variable, so
other threads, and tasks not started inside the block, keep receiving. The
mute is an interceptor of ``typedsignals.hooks`` in the innermost layer: a
capture still records the sends it skips.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, cast

from typing_extensions import Self

from typedsignals import hooks
from typedsignals.introspection import is_signal

__all__ = ["Muted", "muted"]

_F = TypeVar("_F", bound=Callable[..., Any])


class _Scope:
    """One ``with muted(...)`` block: the signals it mutes, while it is active."""

    __slots__ = ("active", "ids")

    def __init__(self, ids: frozenset[int]) -> None:
        self.ids = ids
        self.active = True


#: The blocks active in this context. A task or thread started inside one copies
#: the tuple, and is muted until the block ends (``active`` then goes False).
_scopes: contextvars.ContextVar[tuple[_Scope, ...]] = contextvars.ContextVar(
    "typedsignals_muted", default=()
)


class _Mute(hooks.Interceptor):
    """Skips the sends of the signals muted in the sending context."""

    layer = hooks.MUTE

    def before(self, dispatch: hooks.Dispatch) -> object:
        """Skip the send if its signal is muted here.

        Arguments:

            dispatch
                The send beginning.
        """
        key = id(dispatch.signal)
        for scope in _scopes.get():
            if scope.active and key in scope.ids:
                return hooks.SKIP
        return None

    def __repr__(self) -> str:
        return "<typedsignals.testing mute>"


#: Attached to a signal once per active block that mutes it, in any thread.
_MUTE = _Mute()


class Muted:
    """What ``muted()`` returns: a context manager, and a decorator."""

    def __init__(self, signals: tuple[object, ...]) -> None:
        """Arguments:

        signals
            The signals to mute.
        """
        if not signals:
            raise TypeError("muted() takes one or more signals; got none.")
        for signal in signals:
            if not is_signal(signal):
                raise TypeError(
                    f"muted() takes signals; got {type(signal).__qualname__} {signal!r}."
                )
        self.signals = signals
        self._active: list[_Scope] = []

    def __enter__(self) -> Self:
        attached: list[object] = []
        try:
            for signal in self.signals:
                hooks.attach(signal, _MUTE)
                attached.append(signal)
        except BaseException:
            for signal in attached:
                hooks.detach(signal, _MUTE)
            raise
        scope = _Scope(frozenset(map(id, self.signals)))
        _scopes.set((*_scopes.get(), scope))
        self._active.append(scope)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        scope = self._active.pop()
        scope.active = False  # also for the tasks and threads that copied it
        _scopes.set(tuple(s for s in _scopes.get() if s is not scope))
        for signal in self.signals:
            hooks.detach(signal, _MUTE)

    def __call__(self, func: _F) -> _F:
        """Decorate a function (sync or async): each call runs in a block of its own.

        Arguments:

            func
                The function whose calls are muted.
        """
        signals = self.signals
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def muted_coroutine(*args: Any, **kwargs: Any) -> Any:
                with Muted(signals):
                    return await func(*args, **kwargs)

            return cast(_F, muted_coroutine)

        @functools.wraps(func)
        def muted_function(*args: Any, **kwargs: Any) -> Any:
            with Muted(signals):
                return func(*args, **kwargs)

        return cast(_F, muted_function)


def muted(*signals: object) -> Muted:
    """No receiver of these signals runs inside the block, in this thread or task.

    ::

        with muted(post_save, pizza_done):
            Book.objects.create(...)     # sends return []

        @muted(pizza_done)
        async def test_bake(): ...

    Only the current context is muted: other threads keep receiving, and so do
    tasks not started inside the block (a task or ``sync_to_async`` hop
    started inside is muted until the block ends). Sends return ``[]``; a
    ``validate=True`` signal still checks the payload. ``has_listeners()`` is
    unchanged. A ``capture()`` still records the sends.

    Arguments:

        signals
            The signals to mute: typedsignals ``Signal``\\ s or Django's own.
    """
    return Muted(signals)
