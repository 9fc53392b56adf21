"""The pytest plugin, registered by the ``pytest11`` entry point: active once installed.

* Fixtures: ``capture_signal(signal, sender=None)`` (a ``Capture`` until the
  test ends), ``mute_signals(*signals)`` (muted until the test ends) and
  ``connect_receiver(receiver, signal, sender=None)`` (disconnected when the
  test ends).
* The marker ``@pytest.mark.mute_signals(sig, "module:name", ...)``: mutes
  them for the test, its fixtures' set-up and tear-down included, in the
  test's thread and the tasks it starts.
* ``--typedsignals-check-leaks`` (or ``typedsignals_check_leaks = true`` in
  the ini file): a test that leaves connected a receiver it added (to a
  signal that existed when it began) fails at tear-down, naming it.

``-p no:typedsignals`` turns the plugin off.
"""

from __future__ import annotations

import gc
import importlib
import weakref
from collections.abc import Callable, Generator, Hashable, Iterator
from contextlib import ExitStack
from typing import Any, TypeVar, cast

import pytest

from typedsignals import hooks
from typedsignals._utils import make_id
from typedsignals.dispatcher import Signal
from typedsignals.introspection import ReceiverInfo, is_signal, receivers, signal_label

from .capture import Capture, CaptureSignal, capture
from .connecting import connected_to
from .muting import Muted, muted

__all__ = [
    "capture_signal",
    "connect_receiver",
    "mute_signals",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
]

_R = TypeVar("_R", bound=Callable[..., Any])
_LEAK_OPTION = "typedsignals_check_leaks"
_muted_key = pytest.StashKey[Muted]()
_before_key = pytest.StashKey[dict[int, tuple[Any, set[tuple[Hashable, Hashable]]]]]()
_failed_key = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The leak check's command-line flag and ini option.

    Arguments:

        parser
            pytest's parser.
    """
    group = parser.getgroup("typedsignals")
    group.addoption(
        "--typedsignals-check-leaks",
        action="store_true",
        default=False,
        help="fail a test that leaves connected a receiver it added (typedsignals)",
    )
    parser.addini(
        _LEAK_OPTION,
        type="bool",
        default=False,
        help="fail a test that leaves connected a receiver it added (typedsignals)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``mute_signals`` marker (so ``--strict-markers`` accepts it).

    Arguments:

        config
            pytest's configuration.
    """
    config.addinivalue_line(
        "markers",
        "mute_signals(*signals): mute these signals (objects, or 'module:name' paths) "
        "for the test and its fixtures, in the test's thread and tasks (typedsignals)",
    )


# -- fixtures -------------------------------------------------------------------------------


class _CaptureUntilTheEnd:
    """What ``capture_signal`` gives a test (typed by ``CaptureSignal``)."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack

    def __call__(self, signal: object, sender: object = None) -> Capture[Any, Any]:
        return self._stack.enter_context(capture(signal, sender=sender))


@pytest.fixture
def capture_signal() -> Iterator[CaptureSignal]:
    """``capture_signal(signal, sender=None)``: a ``Capture`` active until the test ends.

    Annotate the parameter ``capture_signal: CaptureSignal`` (from
    ``typedsignals.testing``) for the capture to be typed as ``capture``'s.
    """
    with ExitStack() as stack:
        yield cast(CaptureSignal, _CaptureUntilTheEnd(stack))


@pytest.fixture
def mute_signals() -> Iterator[Callable[..., None]]:
    """``mute_signals(*signals)``: muted until the test ends (in the test's thread)."""
    with ExitStack() as stack:

        def mute(*signals: object) -> None:
            stack.enter_context(muted(*signals))

        yield mute


@pytest.fixture
def connect_receiver() -> Iterator[Callable[..., Any]]:
    """``connect_receiver(receiver, signal, sender=None)``: connected until the test ends."""
    with ExitStack() as stack:

        def connect(receiver: _R, signal: object, sender: object = None) -> _R:
            return stack.enter_context(connected_to(receiver, signal, sender))

        yield connect


# -- the marker and the leak check --------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Before any fixture: mute the marked signals, note who is connected.

    Arguments:

        item
            The test.
    """
    if _check_leaks(item.config):
        item.stash[_before_key] = _connected()
    try:
        signals = [
            _resolve(argument, item)
            for mark in item.iter_markers("mute_signals")
            for argument in mark.args
        ]
    except pytest.fail.Exception as error:
        # Raised once the other plugins' set-up has run, which their tear-down expects.
        yield
        raise error from None
    if signals:
        mute = muted(*signals)
        mute.__enter__()
        item.stash[_muted_key] = mute
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Note a failed test: its leaks are not reported on top of its failure.

    Arguments:

        item
            The test.

        call
            The phase reported.
    """
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_failed_key] = True
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    """After every fixture: unmute, then check for leaked receivers.

    Arguments:

        item
            The test.

        nextitem
            The next test, if any.
    """
    try:
        result = yield
    finally:
        mute = item.stash.get(_muted_key, None)
        if mute is not None:
            del item.stash[_muted_key]
            mute.__exit__(None, None, None)
    before = item.stash.get(_before_key, None)
    if before is not None and not item.stash.get(_failed_key, False):
        leaks = _leaks(before)
        if leaks:
            gc.collect()  # a weak receiver may only be waiting for the collector
            leaks = _leaks(before)
        if leaks:
            pytest.fail(_leak_message(item, leaks), pytrace=False)
    return result


def _check_leaks(config: pytest.Config) -> bool:
    return bool(config.getoption("typedsignals_check_leaks")) or bool(config.getini(_LEAK_OPTION))


def _resolve(argument: object, item: pytest.Item) -> object:
    """A marker argument: a signal, or ``"module:name"`` / ``"module.name"`` naming one."""
    value = argument
    if isinstance(argument, str):
        module_name, colon, name = argument.rpartition(":")
        if not colon:
            module_name, _, name = argument.rpartition(".")
        try:
            value = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError, ValueError) as error:
            pytest.fail(
                f"{item.nodeid}: @pytest.mark.mute_signals({argument!r}): cannot find that "
                f"signal: {error}",
                pytrace=False,
            )
    if not is_signal(value):
        pytest.fail(
            f"{item.nodeid}: @pytest.mark.mute_signals takes signals or 'module:name' paths; "
            f"got {type(value).__qualname__} {value!r}.",
            pytrace=False,
        )
    return value


def _signals() -> list[object]:
    """Every signal the check watches: typedsignals' and Django's built-in ones."""
    found = {id(signal): signal for signal in hooks.all_signals()}
    try:
        from typedsignals.django.signals import loaded_signals
    except ImportError:  # pragma: no cover - part of this package
        return list(found.values())
    for signal in loaded_signals().values():
        if not isinstance(signal, Signal):
            found.setdefault(id(signal), signal)
    return list(found.values())


def _connected() -> dict[int, tuple[Any, set[tuple[Hashable, Hashable]]]]:
    return {
        id(signal): (
            weakref.ref(signal),
            {_key(info) for info in receivers(signal)},
        )
        for signal in _signals()
    }


def _key(info: ReceiverInfo) -> tuple[Hashable, Hashable]:
    # make_id: a weak bound method is a new object at each read, its key is stable.
    return (info.lookup_key, make_id(info.receiver))


def _leaks(
    before: dict[int, tuple[Any, set[tuple[Hashable, Hashable]]]],
) -> list[tuple[object, ReceiverInfo]]:
    leaks: list[tuple[object, ReceiverInfo]] = []
    for signal in _signals():
        ref, connected = before.get(id(signal), (None, set()))
        if ref is None or ref() is not signal:
            continue  # created during the test: whatever its module connected is not a leak
        leaks += [(signal, info) for info in receivers(signal) if _key(info) not in connected]
    return leaks


def _leak_message(item: pytest.Item, leaks: list[tuple[object, ReceiverInfo]]) -> str:
    lines = [
        f"{item.nodeid} left {len(leaks)} receiver{'s' if len(leaks) != 1 else ''} connected "
        "that it added (typedsignals_check_leaks):"
    ]
    for signal, info in leaks:
        sender = "every sender" if info.sender_text == "any" else f"sender {info.sender_text}"
        lines.append(
            f"  {info.name} ({info.location}) on signal {signal_label(signal)!r}, for {sender}, "
            f"{'weak' if info.weak else 'strong'}"
        )
    lines.append(
        "Disconnect it before the test ends, or connect it with the connect_receiver fixture "
        "or typedsignals.testing.connected_to()."
    )
    return "\n".join(lines)
