"""The implementations compared, behind one small adapter each.

Every peer is optional: one that is not installed is skipped (and named in
the report), so the benchmark runs with typedsignals and the floor alone.
Install them with the ``benchmark`` extra: ``uv run --extra benchmark ...``.

Receivers are the same shape everywhere, Django's ``def r(sender, **kwargs)``,
except for psygnal, whose reference use is positional: ``emit(sender, value)``
calling ``def r(sender, value)``. Every receiver is a distinct closure of one
``def`` (Django and typedsignals key receivers by identity).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.metadata
from collections.abc import Callable
from typing import Any

from typing_extensions import TypedDict

__all__ = [
    "PEERS",
    "Payload",
    "Peer",
    "Sender",
    "available",
    "django_label",
    "make_async_receivers",
    "make_positional_receivers",
    "make_receivers",
    "missing",
]


class Sender:
    """The sender type of every signal (a Django model class would do as well)."""


class Payload(TypedDict):
    """What the send scenarios send: ``send(sender, value=1)``."""

    value: int


def _make_receiver() -> Callable[..., Any]:
    def receiver(sender: Sender, **kwargs: Any) -> None:
        return None

    return receiver


def _make_positional_receiver() -> Callable[..., Any]:
    def receiver(sender: Sender, value: int) -> None:
        return None

    return receiver


def _make_async_receiver(delay: float | None) -> Callable[..., Any]:
    if delay is None:

        async def receiver(sender: Sender, **kwargs: Any) -> None:
            return None

    else:

        async def receiver(sender: Sender, **kwargs: Any) -> None:
            await asyncio.sleep(delay)

    return receiver


def make_receivers(n: int) -> list[Callable[..., Any]]:
    """``n`` distinct ``def receiver(sender, **kwargs)`` functions."""
    return [_make_receiver() for _ in range(n)]


def make_positional_receivers(n: int) -> list[Callable[..., Any]]:
    return [_make_positional_receiver() for _ in range(n)]


def make_async_receivers(n: int, delay: float | None = None) -> list[Callable[..., Any]]:
    """``n`` distinct async receivers: returning at once, or sleeping ``delay`` seconds."""
    return [_make_async_receiver(delay) for _ in range(n)]


def _mod(name: str) -> Any:
    """A peer's module (untyped here: peers are optional, some have no type information)."""
    return importlib.import_module(name)


def django_label(*, cached: bool = False) -> str:
    """The Django peer's label, with its version (``django 6.1 (cached)``): 3.12+ runs 6.1."""
    try:
        version = ".".join(importlib.metadata.version("django").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        version = ""
    name = f"django {version}" if version else "django"
    return f"{name} (cached)" if cached else name


class Peer:
    """One signal implementation: how to make a signal, connect, disconnect, send.

    ``send_stmt`` is the statement a timing loop repeats, with the names it
    uses; it sends ``value=1`` from ``sender``.
    """

    name = ""
    module = ""
    positional = False  # receivers are called positionally (psygnal)
    per_sender = True  # receivers can be connected for one specific sender

    def __init__(self, *, cached: bool = False, typed: bool = True) -> None:
        self.cached = cached
        self.typed = typed

    @property
    def label(self) -> str:
        return self.name

    def signal(self) -> Any:
        raise NotImplementedError

    def connect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        sig.connect(receiver, sender=sender)

    def disconnect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        sig.disconnect(receiver, sender=sender)

    def connector(self, sig: Any) -> Callable[[Callable[..., Any]], Any]:
        """``connect(receiver)`` for every sender, with no adapter in between."""
        connect: Callable[[Callable[..., Any]], Any] = sig.connect
        return connect

    def disconnector(self, sig: Any) -> Callable[[Callable[..., Any]], Any]:
        disconnect: Callable[[Callable[..., Any]], Any] = sig.disconnect
        return disconnect

    def send_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]]:
        return "send(sender, value=1)", {"send": sig.send, "sender": sender}

    def robust_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return "send(sender, value=1)", {"send": sig.send_robust, "sender": sender}

    def asend_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return None

    def release(self, sig: Any) -> None:
        """Forget ``sig``'s receivers where the registry is global (pydispatcher)."""


class TypedSignalsPeer(Peer):
    """``Signal[Sender, Payload]()``, or with ``typed=False`` Django's untyped ``Signal()``.

    (``use_caching`` changes nothing: every signal caches per sender.)
    """

    name = "typedsignals"
    module = "typedsignals"

    def signal(self) -> Any:
        from typedsignals import Signal

        return Signal[Sender, Payload]() if self.typed else Signal()

    def asend_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return "await asend(sender, value=1)", {"asend": sig.asend, "sender": sender}


_django_ready = False


def _configure_django() -> None:
    # Django's connect reads settings.DEBUG (and validates receivers only
    # when it is True): configure the minimum, with its validation on.
    global _django_ready
    if not _django_ready:
        settings = _mod("django.conf").settings
        if not settings.configured:
            settings.configure(DEBUG=True)
        _django_ready = True


def django_debug(debug: bool) -> bool:
    """Set Django's ``DEBUG`` (its connect validates only with it on); return the old value."""
    _configure_django()
    settings = _mod("django.conf").settings
    old: bool = settings.DEBUG
    settings.DEBUG = debug
    return old


class DjangoPeer(Peer):
    name = "django"
    module = "django"

    @property
    def label(self) -> str:
        return django_label(cached=self.cached)

    def signal(self) -> Any:
        _configure_django()
        return _mod("django.dispatch").Signal(use_caching=self.cached)

    def asend_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return "await asend(sender, value=1)", {"asend": sig.asend, "sender": sender}


class BlinkerPeer(Peer):
    name = "blinker"
    module = "blinker"

    def __init__(self, *, cached: bool = False, typed: bool = True) -> None:
        super().__init__(cached=cached, typed=typed)
        self.any = _mod("blinker").ANY

    def signal(self) -> Any:
        return _mod("blinker").Signal()

    def connect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        sig.connect(receiver, sender=self.any if sender is None else sender)

    def disconnect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        sig.disconnect(receiver, sender=self.any if sender is None else sender)

    def robust_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return None  # blinker has no robust send

    def asend_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return "await asend(sender, value=1)", {"asend": sig.send_async, "sender": sender}


class PsygnalPeer(Peer):
    name = "psygnal"
    module = "psygnal"
    positional = True
    per_sender = False  # psygnal has no per-sender connections

    def signal(self) -> Any:
        return _mod("psygnal").SignalInstance((Sender, int))

    def connect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        sig.connect(receiver)

    def disconnect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        sig.disconnect(receiver)

    def send_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]]:
        return "emit(sender, 1)", {"emit": sig.emit, "sender": sender}

    def robust_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return None


class PyDispatcherPeer(Peer):
    """pydispatcher keeps one global registry; a signal is any hashable key into it."""

    name = "pydispatcher"
    module = "pydispatch"

    def __init__(self, *, cached: bool = False, typed: bool = True) -> None:
        super().__init__(cached=cached, typed=typed)
        self.dispatcher = _mod("pydispatch.dispatcher")
        self.robust = _mod("pydispatch.robust")

    def signal(self) -> Any:
        return object()

    def connect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        any_sender = self.dispatcher.Any
        self.dispatcher.connect(receiver, sig, any_sender if sender is None else sender)

    def disconnect(self, sig: Any, receiver: Callable[..., Any], sender: Any = None) -> None:
        any_sender = self.dispatcher.Any
        self.dispatcher.disconnect(receiver, sig, any_sender if sender is None else sender)

    def connector(self, sig: Any) -> Callable[[Callable[..., Any]], Any]:
        return functools.partial(self.dispatcher.connect, signal=sig)

    def disconnector(self, sig: Any) -> Callable[[Callable[..., Any]], Any]:
        return functools.partial(self.dispatcher.disconnect, signal=sig)

    def send_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]]:
        return "send(sig, sender, value=1)", {
            "send": self.dispatcher.send,
            "sig": sig,
            "sender": sender,
        }

    def robust_stmt(self, sig: Any, sender: Any) -> tuple[str, dict[str, Any]] | None:
        return "send(sig, sender, value=1)", {
            "send": self.robust.sendRobust,
            "sig": sig,
            "sender": sender,
        }

    def release(self, sig: Any) -> None:
        for signals in list(self.dispatcher.connections.values()):
            signals.pop(sig, None)


_ALL: list[type[Peer]] = [TypedSignalsPeer, DjangoPeer, BlinkerPeer, PsygnalPeer, PyDispatcherPeer]
PEERS = [cls.name for cls in _ALL]


def _installed(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def available(only: set[str] | None = None) -> dict[str, type[Peer]]:
    """The installed peers (among ``only``, if given), by name."""
    return {
        cls.name: cls
        for cls in _ALL
        if (only is None or cls.name in only) and _installed(cls.module)
    }


def missing(only: set[str] | None = None) -> list[str]:
    found = available(only)
    return [
        cls.name for cls in _ALL if (only is None or cls.name in only) and cls.name not in found
    ]


def versions(names: list[str]) -> dict[str, str]:
    dists = {
        "typedsignals": "typedsignals",
        "django": "django",
        "blinker": "blinker",
        "psygnal": "psygnal",
        "pydispatcher": "pydispatcher",
        "pydantic": "pydantic",
    }
    out: dict[str, str] = {}
    for name in [*names, "pydantic"]:
        try:
            out[name] = importlib.metadata.version(dists[name])
        except importlib.metadata.PackageNotFoundError:
            continue
    if "psygnal" in names:
        try:
            compiled = _mod("psygnal")._compiled
            out["psygnal"] += " (compiled)" if compiled else " (pure Python)"
        except (ImportError, AttributeError):
            pass
    return out
