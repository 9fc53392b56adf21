"""Django 6.1's private hooks that real code uses: ``lock``, ``receivers``, ``_live_receivers``...

django-reversion and factory_boy save and restore ``receivers`` (inside
``with signal.lock:``), Django's own tests call ``_clear_dead_receivers()``
under the lock and patch ``weakref.ref``. Every wait here is bounded.
"""

from __future__ import annotations

import copy
import gc
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypedDict
from unittest import mock

import pytest

from typedsignals import NONE_ID, ReceiverError, Signal

pytestmark = pytest.mark.timeout(60)

STEP = 10.0


class Sender:
    pass


class Listener:
    def __init__(self, name: str) -> None:
        self.name = name

    def on(self, **kwargs: Any) -> str:
        return self.name


def f(**kwargs: Any) -> str:
    return "f"


def g(**kwargs: Any) -> str:
    return "g"


def _bounded(fn: Callable[[], Any]) -> Any:
    """Run fn in a thread; fail instead of hanging if it deadlocks."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(STEP)
    assert not t.is_alive(), "deadlock"
    if errors:
        raise errors[0]
    return result[0] if result else None


def _names(responses: list[tuple[Any, Any]]) -> list[Any]:
    return [response for _, response in responses]


# -- lock ---------------------------------------------------------------------------------


def test_reversion_mute_signals_under_the_lock_does_not_deadlock() -> None:
    sig = Signal()
    sig.connect(f)

    def mute_and_restore() -> list[Any]:
        with sig.lock:  # django-reversion's mute_signals
            saved = sig.receivers[:]
            sig.receivers = []
        muted = sig.send(None)
        with sig.lock:
            sig.receivers = saved
            sig.sender_receivers_cache.clear()
        return [muted, sig.send(None)]

    assert _bounded(mute_and_restore) == [[], [(f, "f")]]


def test_clear_dead_receivers_under_the_lock() -> None:
    sig = Signal()
    listener = Listener("x")
    sig.connect(listener.on)
    sig.connect(f)
    del listener
    gc.collect()

    def clear() -> int:
        with sig.lock:  # as Django's signals tests count receivers
            sig._clear_dead_receivers()
        return len(sig.receivers)

    assert _bounded(clear) == 1


def test_every_operation_works_inside_the_lock() -> None:
    sig = Signal()

    def everything() -> list[Any]:
        with sig.lock:
            sig.connect(f)
            sig.connect(g, dispatch_uid="g")
            out = [_names(sig.send(None)), sig.has_listeners(), len(sig._live_receivers(None)[0])]
            out.append(sig.disconnect(dispatch_uid="g"))
            out.append(len(sig.receivers))
        return out

    assert _bounded(everything) == [["f", "g"], True, 2, True, 1]


def test_the_lock_keeps_other_threads_out() -> None:
    sig = Signal()
    connected = threading.Event()

    def connect() -> None:
        sig.connect(f)
        connected.set()

    with sig.lock:
        other = threading.Thread(target=connect, daemon=True)
        other.start()
        assert not connected.wait(0.2)  # blocked while we hold the lock
        assert sig.receivers == []
    assert connected.wait(STEP)
    other.join(STEP)
    assert len(sig.receivers) == 1


def test_a_death_in_another_thread_while_the_lock_is_held_does_not_wait() -> None:
    sig = Signal()
    holder = [Listener("dies")]
    sig.connect(holder[0].on)
    sig.connect(f)
    with sig.lock:
        # The weakref callback runs in the other thread and must not block on our lock.
        _bounded(lambda: (holder.clear(), gc.collect()))
        assert sig.send(None) == [(f, "f")]
    assert [key for key, *_ in sig.receivers] == [(id(f), NONE_ID)]


class _CollidingUid:
    """A dispatch_uid whose hash collides: a later connect compares it under the lock.

    ``on_eq`` runs (once) when a new key is compared with this one.
    """

    def __init__(self, name: str, on_eq: Callable[[], Any] | None = None) -> None:
        self.name = name
        self.on_eq = on_eq

    def __hash__(self) -> int:
        return 1

    def __eq__(self, other: object) -> bool:
        action, self.on_eq = self.on_eq, None
        if action is not None:
            action()
        return isinstance(other, _CollidingUid) and other.name == self.name


def test_a_receiver_dying_in_the_middle_of_an_operation_is_purged_after_it() -> None:
    """The lock is re-entrant, so the callback (same thread) could enter it: it must not
    purge in the middle of the connect; the connect purges when it is done."""
    sig = Signal()
    holder = [Listener("dies")]
    during: list[int] = []

    def kill() -> None:
        holder.clear()  # its weakref callback runs now, inside the connect
        during.append(sum(map(len, sig._entries.values())))

    sig.connect(holder[0].on)
    sig.connect(f, dispatch_uid=_CollidingUid("a", on_eq=kill))
    sig.connect(g, dispatch_uid=_CollidingUid("b"))
    assert not holder
    assert during == [2]  # not purged in the middle of the connect...
    assert sum(map(len, sig._entries.values())) == 2  # ...but as it ended
    assert [key[0].name for key, *_ in sig.receivers] == ["a", "b"]
    assert _names(sig.send(None)) == ["f", "g"]


def test_a_registry_operation_inside_another_is_refused_clearly() -> None:
    sig = Signal(name="nested")
    sig.connect(f, dispatch_uid=_CollidingUid("a", on_eq=lambda: sig.connect(g)))
    before = sig.receivers
    with pytest.raises(RuntimeError, match=r"nested.*inside another one in the same thread"):
        sig.connect(g, dispatch_uid=_CollidingUid("b"))
    assert sig.receivers == before
    assert _names(sig.send(None)) == ["f"]


# -- receivers ----------------------------------------------------------------------------


def test_receivers_are_django_61_4_tuples() -> None:
    sig = Signal()
    s = Sender()
    listener = Listener("l")

    async def a(**kwargs: Any) -> None:  # pragma: no cover
        pass

    sig.connect(f)
    sig.connect(listener.on, sender=s)
    pinned = 12345
    sig.connect(a, weak=False, sender=pinned)
    (k1, r1, s1, a1), (k2, r2, s2, a2), (k3, r3, s3, a3) = sig.receivers
    assert (k1, r1(), s1, a1) == ((id(f), NONE_ID), f, None, False)
    assert isinstance(r2, weakref.WeakMethod) and r2() == listener.on
    assert k2 == ((id(listener), id(Listener.on)), id(s))
    assert isinstance(s2, weakref.ReferenceType) and s2() is s and a2 is False
    # A sender that cannot be weakly referenced is kept alive: its "reference"
    # (None in Django) returns it, so that a saved list pins it again.
    assert k3 == (id(a), id(pinned)) and r3 is a and a3 is True and s3() is pinned


def test_assign_django_52_triples_and_hand_made_4_tuples() -> None:
    sig = Signal()
    s = Sender()
    sig.receivers = [((id(f), NONE_ID), f, False), ((id(g), id(s)), weakref.ref(g), False)]
    assert _names(sig.send(s)) == ["f", "g"]
    sig.receivers = [((id(g), id(s)), weakref.ref(g), weakref.ref(s), False)]
    assert _names(sig.send(s)) == ["g"] and sig.send(None) == []


def test_a_foreign_weak_reference_is_adopted_and_still_dies() -> None:
    sig = Signal()
    listener = Listener("l")
    sig.receivers = [(("uid", NONE_ID), weakref.WeakMethod(listener.on), None, False)]
    assert _names(sig.send(None)) == ["l"]
    del listener
    gc.collect()
    assert sig.receivers == [] and sig.send(None) == []


def test_a_restored_list_drops_the_entries_of_a_sender_that_died() -> None:
    sig = Signal()
    s = Sender()
    sig.connect(f, sender=s, weak=False)
    sig.connect(g)
    saved = sig.receivers
    sig.receivers = []
    del s
    gc.collect()
    sig.receivers = saved
    assert [key[0] for key, *_ in sig.receivers] == [id(g)]


def test_a_restored_list_pins_an_unweakrefable_sender_again() -> None:
    sig = Signal()
    sender = ("a", "tuple", "sender")
    sig.connect(f, sender=sender)
    saved = sig.receivers
    sig.receivers = []
    sig.receivers = saved
    assert saved[0][2]() is sender
    assert sig.send(sender) == [(f, "f")]


def test_the_same_weak_reference_listed_twice_serves_both_entries() -> None:
    sig = Signal()
    ref = weakref.ref(f)
    sig.receivers = [(("one", NONE_ID), ref, None, False), (("two", NONE_ID), ref, None, False)]
    assert _names(sig.send(None)) == ["f", "f"]
    assert sig.disconnect(dispatch_uid="one") and _names(sig.send(None)) == ["f"]


MALFORMED: list[tuple[str, Any, str]] = [
    ("not-a-tuple", 42, "not a tuple of 3 or 4 items"),
    ("too-short", ((1, 2), f), "not a tuple of 3 or 4 items"),
    ("too-long", ((1, 2), f, None, False, "extra"), "not a tuple of 3 or 4 items"),
    ("key-not-a-pair", ("key", f, None, False), "is not a (receiver_key, sender_key) pair"),
    ("key-unhashable", (([], 1), f, None, False), "is not hashable"),
    ("receiver-not-callable", ((1, 2), "nope", None, False), "neither callable nor a weak"),
    ("sender-ref-not-callable", ((1, 2), f, "nope", False), "neither None nor a weakref"),
]


@pytest.mark.parametrize(("bad", "fragment"), [pytest.param(b, m, id=i) for i, b, m in MALFORMED])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_malformed_item_is_refused_before_anything_changes(
    bad: Any, fragment: str, position: int
) -> None:
    sig = Signal(name="assigned")
    s = Sender()
    sig.connect(f)
    sig.connect(g, sender=s)
    before = sig.receivers
    assert _names(sig.send(s)) == ["f", "g"]  # fill the send cache
    items = [((id(g), NONE_ID), g, None, False), ((id(f), id(s)), f, None, False)]
    items.insert(position, bad)
    with pytest.raises(TypeError) as info:
        sig.receivers = items
    message = str(info.value)
    assert fragment in message and "assigned" in message and f"item {position}" in message
    assert "The receivers are unchanged." in message
    assert sig.receivers == before
    assert _names(sig.send(s)) == ["f", "g"] and _names(sig.send(None)) == ["f"]


def test_a_sender_reference_to_another_sender_is_refused() -> None:
    sig = Signal()
    s1, s2 = Sender(), Sender()
    with pytest.raises(TypeError, match="whose key is not the lookup key's"):
        sig.receivers = [((id(f), id(s1)), f, weakref.ref(s2), False)]
    assert sig.receivers == []


def test_live_receivers_and_the_cache_hooks() -> None:
    sig = Signal(use_caching=True)
    s = Sender()

    async def a(**kwargs: Any) -> None:  # pragma: no cover
        pass

    sig.connect(f)
    sig.connect(a, sender=s)
    assert sig._live_receivers(s) == ([f], [a])
    assert sig._live_receivers(None) == ([f], [])
    sig.send(s)
    sig.sender_receivers_cache.clear()  # what Django code does after assigning receivers
    assert sig.use_caching is True
    assert sig._live_receivers(s) == ([f], [a])


# -- weak references ------------------------------------------------------------------------


def test_a_weak_connect_calls_weakref_ref() -> None:
    """Django's test_lazy_model_signal patches weakref.ref and expects a weak connect to use it."""
    sig = Signal()
    with mock.patch("weakref.ref") as ref:
        sig.connect(f)
        sig.disconnect(f)
        assert ref.called
        ref.reset_mock()
        sig.connect(f, weak=False)
        sig.disconnect(f)
        ref.assert_not_called()
    with mock.patch("weakref.ref", wraps=weakref.ref) as ref:
        sig.connect(f)
    assert ref.called and sig.send(None) == [(f, "f")]


class _Slotted:
    __slots__ = ()

    def method(self, **kwargs: Any) -> None:  # pragma: no cover
        pass


def test_a_bound_method_of_an_unweakrefable_instance_names_its_class_and_the_fix() -> None:
    sig = Signal(name="slots")
    with pytest.raises(TypeError) as info:
        sig.connect(_Slotted().method)
    message = str(info.value)
    assert "a method of a _Slotted instance" in message
    assert "_Slotted objects cannot be weakly referenced" in message
    assert "'__weakref__'" in message and "weak=False" in message and "slots" in message
    assert "method objects" not in message
    assert sig.receivers == []


# -- copies ---------------------------------------------------------------------------------


class Payload(TypedDict):
    size: int


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_a_copy_is_an_independent_signal_with_the_same_receivers(how: Any) -> None:
    sig = Signal[Sender, Payload](name="original")
    sig.connect(f)
    clone = how(sig)
    assert repr(clone) == repr(sig) and clone.receivers == sig.receivers
    clone.connect(g)
    assert _names(sig.send(Sender(), size=1)) == ["f"]
    assert _names(clone.send(Sender(), size=1)) == ["f", "g"]
    sig.disconnect(f)
    assert _names(clone.send(Sender(), size=1)) == ["f", "g"] and sig.receivers == []
    assert clone.lock is not sig.lock

    def wrong_size(sender: Sender, size: str, **kwargs: Any) -> None:  # pragma: no cover
        pass

    with pytest.raises(ReceiverError, match="receiver-payload-type"):
        clone.connect(wrong_size)  # the copy keeps its types


def test_a_copy_of_a_validating_signal_validates() -> None:
    pytest.importorskip("pydantic")
    sig = Signal[Sender, Payload](validate=True)
    sig.send(Sender(), size=1)  # builds the original's checker
    clone = copy.copy(sig)
    with pytest.raises(TypeError, match="size"):
        clone.send(Sender(), size="large")
