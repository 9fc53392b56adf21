"""The validator remembers verdicts without keeping anything alive.

A signal remembers which receivers it accepted (keyed by code and annotations,
so that the closures of one ``def`` are read once) and for which senders. That
memory must hold no sender, no sender's class, no receiver and no class a
receiver's annotations name: a class created at run time that sends must be
collectable, and then its receivers go (README, "Weak references").
"""

from __future__ import annotations

import gc
import inspect
import types
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from typing_extensions import TypedDict

from typedsignals import ReceiverError, Signal, receiver, validation, verdicts


class Model:
    pass


class Saved(TypedDict):
    created: bool


def _collected(ref: weakref.ref[Any]) -> bool:
    gc.collect()
    return ref() is None


@pytest.mark.parametrize("weak", [True, False], ids=["weak", "strong"])
@pytest.mark.parametrize("how", ["connect", "decorator"])
def test_a_class_created_at_run_time_that_sends_is_collected_and_its_receivers_go(
    weak: bool, how: str
) -> None:
    post_save = Signal[type[Model], Saved]()
    keep: list[Callable[..., Any]] = []

    def on_save(sender: type[Model], created: bool, **kwargs: Any) -> None: ...

    keep.append(on_save)

    def connect_one() -> weakref.ref[type[Model]]:
        dynamic = type("Dynamic", (Model,), {})
        if how == "connect":
            post_save.connect(on_save, sender=dynamic, weak=weak)
        else:
            receiver(post_save, sender=dynamic, weak=weak)(on_save)
        post_save.send(dynamic, created=True)
        assert post_save.has_listeners(dynamic)
        return weakref.ref(dynamic)

    refs = [connect_one() for _ in range(3)]
    assert all(_collected(ref) for ref in refs)
    assert post_save.receivers == []


def test_an_instance_sender_of_a_class_created_at_run_time_leaves_its_class_collectable() -> None:
    sig = Signal[Model, Saved]()

    def on_save(sender: Model, **kwargs: Any) -> None: ...

    def connect_one() -> weakref.ref[type[Model]]:
        dynamic = type("Dynamic", (Model,), {})
        sender = dynamic()
        sig.connect(on_save, sender=sender)
        return weakref.ref(dynamic)

    ref = connect_one()
    assert _collected(ref)
    assert sig.receivers == []


@pytest.mark.parametrize("strings", [False, True], ids=["annotations", "string-annotations"])
def test_classes_named_by_a_dead_receivers_annotations_are_collected(strings: bool) -> None:
    """A receiver (and the class its annotations name) dies: the verdict keeps neither."""
    sig = Signal[type[Model], Saved]()
    source = (
        ("from __future__ import annotations\n" if strings else "")
        + "from typing import Any\n"
        "class Local(Model): ...\n"
        "def on_save(sender: type[Local], created: bool, **kwargs: Any) -> None: ...\n"
    )

    def connect_one() -> tuple[weakref.ref[Any], weakref.ref[Any]]:
        module = types.ModuleType("dying_module")
        module.Model = Model  # type: ignore[attr-defined]
        exec(source, module.__dict__)
        sig.connect(module.on_save, sender=module.Local)
        sig.connect(module.on_save, sender=module.Local)  # the remembered verdict
        return weakref.ref(module.Local), weakref.ref(module.on_save)

    local, func = connect_one()
    assert _collected(local) and _collected(func)
    assert sig.receivers == []


def test_the_verdict_is_still_shared_by_closures_and_kept_per_kind_of_sender(monkeypatch) -> None:
    reads: list[object] = []
    real = inspect.signature
    monkeypatch.setattr(
        validation.inspect, "signature", lambda f: reads.append(f) or real(f)
    )
    sig = Signal[type[Model], Saved]()
    classes = [type(f"Dynamic{i}", (Model,), {}) for i in range(3)]

    def factory() -> Callable[..., Any]:
        def r(sender: type[Model], created: bool, **kwargs: Any) -> None: ...

        return r

    keep = [factory() for _ in range(20)]
    for cls in classes:
        for r in keep:
            sig.connect(r, sender=cls)
    for r in keep:
        sig.connect(r)
    assert len(sig.receivers) == 20 * 4
    assert len(reads) == len(classes) + 1  # once per sender class, once for every sender


def test_a_remembered_verdict_is_not_taken_for_a_new_class_of_the_same_name() -> None:
    """A class that died and a new one (perhaps at the same address) are told apart."""
    sig = Signal[type[Model], Saved]()

    def on_save(sender: type[Model], **kwargs: Any) -> None: ...

    for _ in range(50):
        sig.connect(on_save, sender=type("Dynamic", (Model,), {}))
    gc.collect()
    with pytest.raises(ReceiverError, match="receiver-sender-argument"):
        sig.connect(on_save, sender=type("Dynamic", (), {}))  # not a Model this time


def test_the_memory_stays_bounded_when_code_keeps_changing() -> None:
    sig = Signal[Model, Saved]()

    def connect_new_code(i: int) -> None:
        namespace: dict[str, Any] = {"Any": Any}
        exec(f"def r{i}(sender, **kwargs: Any): ...", namespace)
        sig.connect(namespace[f"r{i}"])

    for i in range(verdicts.MAX_ACCEPTED + 200):
        connect_new_code(i)
    table = vars(sig)["_accepted"]
    assert len(table) <= verdicts.MAX_ACCEPTED
    gc.collect()
    assert sig.receivers == []  # every one of them died


def test_a_string_annotation_naming_a_class_that_died_is_read_again() -> None:
    """The verdict compares what a name is bound to by identity; when that class dies its
    verdict dies too, so a new object at the same address is never taken for it."""
    namespace: dict[str, Any] = {}
    exec(
        "from __future__ import annotations\n"
        "from typing import Any\n"
        "def on_save(sender: Shop, **kwargs: Any) -> None: ...\n",
        namespace,
    )
    for _ in range(30):
        namespace["Shop"] = shop = type("Shop", (Model,), {})
        accepting = Signal[shop, Saved]()
        accepting.connect(namespace["on_save"], weak=False)
        refusing = Signal[Model, Saved]()
        with pytest.raises(ReceiverError, match="receiver-sender-type"):
            refusing.connect(namespace["on_save"])  # Shop does not accept any Model
        refusing.connect(namespace["on_save"], sender=shop())  # a Shop does
        del shop, accepting
        namespace["Shop"] = Model  # rebound: on_save now takes any Model
        refusing.connect(namespace["on_save"])
        gc.collect()
