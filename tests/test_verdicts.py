"""The verdict memory's shortcut: functions of one code are read once, unless they differ.

A signal remembers its verdicts per code object and recalls one for another
function of that code without reading it again (nor making its annotations
dict). Whatever could change the verdict makes it read the receiver again:
annotations reassigned or mutated, defaults removed, ``__wrapped__`` or a
coroutine marker added, names in string annotations bound to other objects.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import markcoroutinefunction
from typing_extensions import TypedDict

from typedsignals import ReceiverError, Signal, validation


class Model:
    pass


class Saved(TypedDict):
    created: bool


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    reads: list[object] = []
    real = inspect.signature
    monkeypatch.setattr(validation.inspect, "signature", lambda f: reads.append(f) or real(f))
    return reads


def _closures(n: int) -> list[Callable[..., Any]]:
    def factory() -> Callable[..., Any]:
        def on_save(sender: Model, created: bool, **kwargs: Any) -> None: ...

        return on_save

    return [factory() for _ in range(n)]


def _optional_extra(n: int) -> list[Callable[..., Any]]:
    def factory() -> Callable[..., Any]:
        def on_save(sender: Model, extra: int = 0, *, more: int = 0, **kwargs: Any) -> None: ...

        return on_save

    return [factory() for _ in range(n)]


def test_closures_of_one_def_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _count_reads(monkeypatch)
    sig = Signal[Model, Saved]()
    keep = _closures(50)
    for r in keep:
        sig.connect(r)
    assert len(reads) == 1
    assert len(sig.receivers) == 50


def test_a_closure_whose_annotations_were_reassigned_is_read_and_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = _count_reads(monkeypatch)
    sig = Signal[Model, Saved]()
    first, second, third = _closures(3)
    sig.connect(first)
    second.__annotations__ = {**first.__annotations__, "created": "str"}
    with pytest.raises(ReceiverError, match="created"):
        sig.connect(second)
    third.__annotations__["created"] = str  # mutated in place, as an object
    with pytest.raises(ReceiverError, match="created"):
        sig.connect(third)
    assert len(reads) == 3
    assert [item[1]() for item in sig.receivers] == [first]


def test_a_closure_with_defaults_removed_is_read_and_refused() -> None:
    sig = Signal[Model, Saved]()
    first, second, third, fourth = _optional_extra(4)
    sig.connect(first)
    sig.connect(second)  # recalled: the same defaults
    third.__defaults__ = None
    with pytest.raises(ReceiverError, match="extra"):
        sig.connect(third)
    fourth.__kwdefaults__ = None
    with pytest.raises(ReceiverError, match="more"):
        sig.connect(fourth)
    assert [item[1]() for item in sig.receivers] == [first, second]


def test_a_closure_that_wraps_another_function_is_read_through_it() -> None:
    sig = Signal[Model, Saved]()
    first, second = _closures(2)
    sig.connect(first)

    def wrong(sender: Model, created: str, **kwargs: Any) -> None: ...

    second.__wrapped__ = wrong  # type: ignore[attr-defined]
    with pytest.raises(ReceiverError, match="created"):
        sig.connect(second)


def test_a_closure_with_other_attributes_is_still_recalled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = _count_reads(monkeypatch)
    sig = Signal[Model, Saved]()
    first, second = _closures(2)
    second.flag = True  # type: ignore[attr-defined]  # a __dict__: the attribute path
    sig.connect(first)
    sig.connect(second)
    assert len(reads) == 1
    assert len(sig.receivers) == 2


def test_a_closure_marked_as_a_coroutine_function_is_connected_as_async() -> None:
    sig = Signal[Model, Saved]()
    first, second = _closures(2)
    sig.connect(first)
    markcoroutinefunction(second)
    sig.connect(second)
    assert [item[3] for item in sig.receivers] == [False, True]


def test_a_function_of_the_same_code_in_other_globals_is_judged_by_its_own_names() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import Any\n"
        "def on_save(sender: Shop, **kwargs: Any) -> None: ...\n"
    )
    namespace: dict[str, Any] = {"Shop": Model}
    exec(source, namespace)
    sig = Signal[Model, Saved]()
    sig.connect(namespace["on_save"])
    other = {"__name__": "other", "Any": Any, "Shop": type("Shop", (Model,), {})}
    twin = types.FunctionType(namespace["on_save"].__code__, other)
    twin.__annotations__ = dict(namespace["on_save"].__annotations__)
    with pytest.raises(ReceiverError, match="receiver-sender-type"):
        sig.connect(twin)  # its Shop is a narrower class: it does not accept every Model


def test_bound_methods_of_one_function_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _count_reads(monkeypatch)
    sig = Signal[Model, Saved]()

    class Listener:
        def on_save(self, sender: Model, created: bool, **kwargs: Any) -> None: ...

    listeners = [Listener() for _ in range(10)]
    for listener in listeners:
        sig.connect(listener.on_save)
    assert len(reads) == 1
    assert len(sig.receivers) == 10


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the PEP 695 syntax is 3.12+")
def test_a_generic_function_is_checked_each_time_and_accepted() -> None:
    namespace: dict[str, Any] = {"Any": Any}
    exec(
        "def make():\n    def r[T](sender: T, **kwargs: Any) -> None: ...\n    return r\n",
        namespace,
    )
    sig = Signal[Model, Saved]()
    keep = [namespace["make"]() for _ in range(3)]
    for r in keep:
        sig.connect(r)
    assert len(sig.receivers) == 3
