"""Connect's fast path: a function for every sender, like one the signal accepted before.

After two closures of one ``def`` (the first read, the second recalled),
every further closure takes ``verdicts.recall_function`` and
``ReceiverRegistry._connect_function``. These tests warm that path, then
show that whatever the general path would catch it still catches, and that
the registry ends as the general path would leave it.
"""

from __future__ import annotations

import copy
import gc
import inspect
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import markcoroutinefunction
from typing_extensions import TypedDict

from typedsignals import ReceiverError, Signal, verdicts


class Model:
    pass


class Saved(TypedDict):
    created: bool


def _closures(n: int) -> list[Callable[..., Any]]:
    def factory() -> Callable[..., Any]:
        def on_save(sender: Model, created: bool, **kwargs: Any) -> None: ...

        return on_save

    return [factory() for _ in range(n)]


def _warm(sig: Signal[Model, Saved], closures: list[Callable[..., Any]]) -> None:
    """Connect two closures: the first is read, the second recalled (and remembered as recent)."""
    sig.connect(closures[0])
    sig.connect(closures[1])
    assert sig._recent_verdicts  # pyright: ignore[reportPrivateUsage]


def _count(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[object]:
    calls: list[object] = []
    real = getattr(module, name)

    def counted(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return calls


def _connected(sig: Signal[Any, Any]) -> list[object]:
    return [item[1]() for item in sig.receivers]


def test_closures_after_the_second_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(6)
    _warm(sig, closures)
    reads = _count(monkeypatch, inspect, "signature")
    general = _count(monkeypatch, verdicts, "recall")
    for r in closures[2:]:
        sig.connect(r)
    assert reads == [] and general == []
    assert _connected(sig) == closures
    assert [r for r, _ in sig.send(Model(), created=True)] == closures


def test_a_second_connect_of_the_same_function_is_ignored() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(3)
    _warm(sig, closures)
    sig.connect(closures[2])
    sig.connect(closures[2])
    sig.connect(closures[0])
    assert _connected(sig) == closures


def test_connect_order_is_kept_across_senders() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(5)
    _warm(sig, closures)
    sender = Model()
    sig.connect(closures[2], sender=sender)  # the general path
    sig.connect(closures[3])  # the fast path
    sig.connect(closures[4], sender=sender)
    assert _connected(sig) == closures
    assert [r for r, _ in sig.send(sender, created=True)] == closures


def test_a_fast_connect_makes_every_sends_snapshot_stale() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(4)
    _warm(sig, closures)
    mine, other = Model(), Model()
    sig.connect(closures[2], sender=mine)
    # Both kinds of snapshot built: the specific sender's and every other sender's.
    assert [r for r, _ in sig.send(mine, created=True)] == closures[:3]
    assert [r for r, _ in sig.send(other, created=True)] == closures[:2]
    sig.connect(closures[3])  # the fast path
    assert [r for r, _ in sig.send(mine, created=True)] == closures
    assert [r for r, _ in sig.send(other, created=True)] == [*closures[:2], closures[3]]


def test_a_fast_connected_receiver_goes_when_it_dies() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(3)
    _warm(sig, closures)
    sig.connect(closures[2])
    assert sig.has_listeners()
    ref = weakref.ref(closures[2])
    del closures[2]
    gc.collect()
    assert ref() is None
    assert _connected(sig) == closures
    assert len(sig.send(Model(), created=True)) == 2


def _reassigned(f: Callable[..., Any]) -> None:
    f.__annotations__ = {**f.__annotations__, "created": "str"}


def _mutated(f: Callable[..., Any]) -> None:
    f.__annotations__["created"] = str


def _wrapping(f: Callable[..., Any]) -> None:
    def wrong(sender: Model, created: str, **kwargs: Any) -> None: ...

    f.__wrapped__ = wrong  # type: ignore[attr-defined]


def _signature(f: Callable[..., Any]) -> None:
    def wrong(sender: Model, created: str, **kwargs: Any) -> None: ...

    f.__signature__ = inspect.signature(wrong)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "change",
    [_reassigned, _mutated, _wrapping, _signature],
    ids=["annotations reassigned", "annotations mutated", "__wrapped__", "__signature__"],
)
def test_a_changed_closure_is_read_and_refused(
    change: Callable[[Callable[..., Any]], None],
) -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(4)
    _warm(sig, closures)
    change(closures[2])
    with pytest.raises(ReceiverError, match="created"):
        sig.connect(closures[2])
    sig.connect(closures[3])  # the fast path still serves the unchanged ones
    assert _connected(sig) == [closures[0], closures[1], closures[3]]


def test_a_closure_with_defaults_added_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(3)
    _warm(sig, closures)
    closures[2].__defaults__ = (True,)
    reads = _count(monkeypatch, inspect, "signature")
    sig.connect(closures[2])  # created=True by default: accepted, but only once read
    assert len(reads) == 1


def test_a_closure_marked_as_a_coroutine_function_is_async() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(4)
    _warm(sig, closures)
    markcoroutinefunction(closures[2])
    sig.connect(closures[2])
    sig.connect(closures[3])
    assert [item[3] for item in sig.receivers] == [False, False, True, False]


def test_async_closures_are_connected_as_async() -> None:
    def factory() -> Callable[..., Any]:
        async def on_save(sender: Model, created: bool, **kwargs: Any) -> None: ...

        return on_save

    sig = Signal[Model, Saved]()
    closures = [factory() for _ in range(4)]
    for r in closures:
        sig.connect(r)
    assert sig._recent_verdicts  # pyright: ignore[reportPrivateUsage]
    assert [item[3] for item in sig.receivers] == [True] * 4


_SOURCE = """\
from __future__ import annotations
from typing import Any

def factory():
    def on_save(sender: Shop, created: int, **kwargs: Any) -> None: ...
    return on_save
"""


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [("Shop", str, "receiver-sender-type"), ("int", str, "created")],
    ids=["a global rebound", "a builtin shadowed"],
)
def test_a_name_bound_anew_is_read_again(name: str, value: object, problem: str) -> None:
    namespace: dict[str, Any] = {"Shop": Model}
    exec(_SOURCE, namespace)

    class Counts(TypedDict):
        created: int

    sig = Signal[Model, Counts]()
    closures = [namespace["factory"]() for _ in range(4)]
    sig.connect(closures[0])
    sig.connect(closures[1])
    sig.connect(closures[2])  # the fast path
    namespace[name] = value
    with pytest.raises(ReceiverError, match=problem):
        sig.connect(closures[3])
    assert _connected(sig) == closures[:3]


def test_a_dead_verdict_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(3)
    _warm(sig, closures)
    (verdict,) = sig._recent_verdicts.values()  # pyright: ignore[reportPrivateUsage]
    verdict.died(None)  # as if a class it names had been collected
    reads = _count(monkeypatch, inspect, "signature")
    sig.connect(closures[2])
    assert len(reads) == 1
    assert _connected(sig) == closures


def test_with_weakref_ref_patched_the_patched_one_is_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(3)
    _warm(sig, closures)
    made: list[object] = []
    real = weakref.ref

    def spy(obj: Any, callback: Any = None) -> Any:
        made.append(obj)
        return real(obj, callback)

    monkeypatch.setattr(weakref, "ref", spy)  # as Django's own dispatcher test does
    sig.connect(closures[2])
    assert made == [closures[2]]
    assert _connected(sig) == closures


def test_the_recent_verdicts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verdicts, "MAX_ACCEPTED", 4)
    sig = Signal[Model, Saved]()
    keep: list[Callable[..., Any]] = []
    for _ in range(10):  # ten codes, each connected twice
        namespace: dict[str, Any] = {"Model": Model, "Any": Any}
        exec(
            "from __future__ import annotations\n"
            "def factory():\n"
            "    def on_save(sender: Model, created: bool, **kwargs: Any) -> None: ...\n"
            "    return on_save\n",
            namespace,
        )
        keep += [namespace["factory"](), namespace["factory"]()]
        sig.connect(keep[-2])
        sig.connect(keep[-1])
    assert 0 < len(sig._recent_verdicts) <= 4  # pyright: ignore[reportPrivateUsage]
    assert len(sig.receivers) == 20


def test_a_copy_connects_on_its_own() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(4)
    _warm(sig, closures)
    clone = copy.copy(sig)
    clone.connect(closures[2])
    sig.connect(closures[3])
    assert _connected(clone) == closures[:3]
    assert _connected(sig) == [closures[0], closures[1], closures[3]]


def test_a_connect_inside_a_registry_operation_is_refused_as_before() -> None:
    sig = Signal[Model, Saved]()
    closures = _closures(8)
    _warm(sig, closures)
    waiting = closures[2:]
    refused: list[object] = []

    class Key:
        # Hashed by connect's own check, then inside the registry operation.
        def __hash__(self) -> int:
            inner = waiting.pop()
            try:
                sig.connect(inner)
            except RuntimeError as exc:
                assert "inside another one" in str(exc)
                refused.append(inner)
            return 1

        def __eq__(self, other: object) -> bool:
            return other is self

    sig.connect(_closures(1)[0], dispatch_uid=Key())
    assert refused
    assert not set(map(id, refused)) & set(map(id, _connected(sig)))
