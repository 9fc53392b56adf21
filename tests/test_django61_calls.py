"""How receivers are called, as Django 6.1 calls them.

Frames (``warnings.warn(stacklevel=)`` in a receiver), payload keys passed
unchanged, ``signal=`` in a payload, exceptions that are falsy, coroutine
functions recognised, and contextvars shared by the receivers of a dispatch
and seen by the caller afterwards (Django's TestReceiversContextVarsSharing).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import sys
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import markcoroutinefunction

from typedsignals import Signal

pytestmark = pytest.mark.timeout(60)

METHODS = ["send", "send_robust", "asend", "asend_robust"]


def _call(sig: Signal[Any, Any], method: str, sender: Any = None, **named: Any) -> Any:
    call = getattr(sig, method)
    return asyncio.run(call(sender, **named)) if method.startswith("a") else call(sender, **named)


# -- frames ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 10])
@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_sync_receivers_are_called_from_the_sends_own_frame(method: str, count: int) -> None:
    sig = Signal()
    callers: list[Any] = []

    def make() -> Callable[..., None]:
        def receiver(**kwargs: Any) -> None:
            callers.append((sys._getframe(1).f_code, sys._getframe(2).f_code))

        return receiver

    receivers = [make() for _ in range(count)]
    for r in receivers:
        sig.connect(r)
    getattr(sig, method)(None)
    here = sys._getframe().f_code
    assert callers == [(getattr(Signal, method).__code__, here)] * count


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("method", ["send", "send_robust"])
def test_a_receivers_warning_stacklevel_points_where_djangos_would(
    method: str, count: int
) -> None:
    """stacklevel=3: the receiver, send(), then the line that called send()."""
    sig = Signal()

    def make() -> Callable[..., None]:
        def receiver(**kwargs: Any) -> None:
            warnings.warn("from a receiver", UserWarning, stacklevel=3)

        return receiver

    receivers = [make() for _ in range(count)]
    for r in receivers:
        sig.connect(r)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        getattr(sig, method)(None)
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)] * count


# -- payload keys ---------------------------------------------------------------------------

ODD_KEYS = {
    "\N{MICRO SIGN}s": 1,  # an identifier that NFKC turns into GREEK SMALL LETTER MU + s
    "__debug__": 2,  # an identifier no function can name as a parameter
    "not an identifier": 3,
    "class": 4,
    "_ts_r": 5,
}


@pytest.mark.parametrize("method", METHODS)
def test_payload_keys_reach_receivers_unchanged(method: str) -> None:
    sig = Signal()
    got: list[dict[str, Any]] = []

    def sync_receiver(**kwargs: Any) -> None:
        got.append({k: v for k, v in kwargs.items() if k not in ("signal", "sender")})

    async def async_receiver(**kwargs: Any) -> None:
        got.append({k: v for k, v in kwargs.items() if k not in ("signal", "sender")})

    sig.connect(sync_receiver)
    sig.connect(async_receiver)
    _call(sig, method, **ODD_KEYS)
    assert got == [ODD_KEYS, ODD_KEYS]
    assert all(list(g) == list(ODD_KEYS) for g in got)


@pytest.mark.parametrize("method", ["send", "send_robust"])
@pytest.mark.parametrize("count", [1, 3])
def test_each_receiver_gets_keyword_arguments_of_its_own(method: str, count: int) -> None:
    sig = Signal()
    seen: list[dict[str, Any]] = []

    def make() -> Callable[..., None]:
        def receiver(sender: object, **kwargs: Any) -> None:
            seen.append(dict(kwargs))
            kwargs["size"] = 99  # a receiver's **kwargs is its own to change
            kwargs["added"] = True
            del kwargs["signal"]

        return receiver

    receivers = [make() for _ in range(count)]
    for r in receivers:
        sig.connect(r)
    named = {"size": 1}
    getattr(sig, method)(None, **named)
    assert seen == [{"signal": sig, "size": 1}] * count
    assert named == {"size": 1}


@pytest.mark.parametrize("kinds", ["sync", "two sync", "async", "both"])
@pytest.mark.parametrize("method", METHODS)
def test_a_signal_key_in_the_payload_is_the_receivers_type_error(method: str, kinds: str) -> None:
    """As Django: ``signal=`` cannot replace the signal; a robust send returns the error."""
    sig = Signal()
    seen: list[Any] = []

    def sync_receiver(signal: Any, **kwargs: Any) -> None:  # pragma: no cover
        seen.append(signal)

    async def async_receiver(signal: Any, **kwargs: Any) -> None:  # pragma: no cover
        seen.append(signal)

    if kinds != "async":
        sig.connect(sync_receiver)
    if kinds == "two sync":
        sig.connect(sync_receiver, dispatch_uid="again")
    elif kinds != "sync":
        sig.connect(async_receiver)
    if method.endswith("robust"):
        responses = _call(sig, method, signal="impostor")
        assert responses and all(isinstance(r, TypeError) for _, r in responses)
        assert all("multiple values for keyword argument 'signal'" in str(r) for _, r in responses)
    else:
        with pytest.raises(TypeError, match="multiple values for keyword argument 'signal'"):
            _call(sig, method, signal="impostor")
    assert seen == []


# -- exceptions as responses -------------------------------------------------------------------


class FalsyError(Exception):
    def __bool__(self) -> bool:
        return False


class EmptyError(Exception):
    def __len__(self) -> int:
        return 0


@pytest.mark.parametrize("error_type", [FalsyError, EmptyError])
@pytest.mark.parametrize("method", METHODS)
def test_falsy_exceptions_are_responses_or_raised(method: str, error_type: type) -> None:
    sig = Signal()
    errors = [error_type("sync"), error_type("async")]

    def sync_fails(**kwargs: Any) -> None:
        raise errors[0]

    async def async_fails(**kwargs: Any) -> None:
        raise errors[1]

    sig.connect(sync_fails)
    sig.connect(async_fails)
    if method.endswith("robust"):
        assert _call(sig, method) == [(sync_fails, errors[0]), (async_fails, errors[1])]
    else:
        with pytest.raises(error_type) as info:
            _call(sig, method)
        assert info.value is errors[0]


def test_a_sync_receivers_base_exception_in_asend_is_not_replaced_by_an_async_error() -> None:
    sig = Signal()
    called: list[str] = []

    def interrupts(**kwargs: Any) -> None:
        raise SystemExit(3)

    async def fails(**kwargs: Any) -> None:  # pragma: no cover - never called
        called.append("async")
        raise ValueError

    sig.connect(interrupts)
    sig.connect(fails)
    for method in ("asend", "asend_robust"):
        with pytest.raises(SystemExit) as info:
            _call(sig, method)
        assert info.value.code == 3
    assert called == []


# -- coroutine functions ----------------------------------------------------------------------


class _AsyncCallable:
    async def __call__(self, **kwargs: Any) -> str:
        return "awaited"


def _marked_by_asgiref() -> Any:
    return markcoroutinefunction(_AsyncCallable())


def _marked_by_inspect() -> Any:
    mark = getattr(inspect, "markcoroutinefunction", None)
    if mark is None:
        pytest.skip("inspect.markcoroutinefunction is Python 3.12+ (asgiref's marker covers 3.11)")
    return mark(_AsyncCallable())


@pytest.mark.parametrize("make", [_marked_by_asgiref, _marked_by_inspect])
@pytest.mark.parametrize("method", METHODS)
def test_marked_callables_are_async_receivers(make: Callable[[], Any], method: str) -> None:
    sig = Signal()
    handler = make()
    sig.connect(handler)
    assert sig.receivers[0][3] is True
    assert _call(sig, method) == [(handler, "awaited")]


# -- contextvars (Django 6.1's TestReceiversContextVarsSharing) ----------------------------------

_VAR: contextvars.ContextVar[int] = contextvars.ContextVar("_VAR", default=0)


class _SyncCounter:
    def __init__(self) -> None:
        self.values: list[int] = []

    def __call__(self, **kwargs: Any) -> int:
        _VAR.set(_VAR.get() + 1)
        self.values.append(_VAR.get())
        return _VAR.get()


class _AsyncCounter(_SyncCounter):
    def __init__(self) -> None:
        super().__init__()
        markcoroutinefunction(self)

    async def __call__(self, **kwargs: Any) -> int:  # type: ignore[override]
        await asyncio.sleep(0)
        return super().__call__()


@pytest.mark.parametrize("kinds", ["sync-sync", "async-async", "sync-async", "async-sync"])
@pytest.mark.parametrize("method", METHODS)
def test_receivers_share_the_callers_context_and_leave_it_changed(
    method: str, kinds: str
) -> None:
    sig = Signal()
    first, second = (_AsyncCounter() if k == "async" else _SyncCounter() for k in kinds.split("-"))
    sig.connect(first)
    sig.connect(second)

    def dispatch() -> int:
        _VAR.set(1)
        getattr(sig, method)(None)
        return _VAR.get()

    async def adispatch() -> int:
        _VAR.set(1)
        await getattr(sig, method)(None)
        return _VAR.get()

    after = asyncio.run(adispatch()) if method.startswith("a") else contextvars.copy_context().run(
        dispatch
    )
    assert (len(first.values), len(second.values)) == (1, 1)
    assert sorted(first.values + second.values) == [2, 3]
    assert after == 3
