"""A stateful property test of the registry against a small reference model.

The model is Django's dispatcher reduced to its meaning: an ordered list of
entries ``(lookup_key, receiver, sender, weak)``. A connect appends unless the
lookup key is taken; a disconnect removes by lookup key; a weak receiver's
entries go when it dies, and every entry for a specific sender goes when that
sender dies; assigning ``receivers`` replaces the list (dead weak receivers
skipped, the first of duplicate keys kept). A send calls, in order, the sync
entries for sender None or for that sender, then the async ones, and nothing
else. The model also tracks which receivers must be alive or dead: a receiver
nothing but a weak entry refers to must be gone after ``gc.collect()``.

CI runs 500 examples of up to 50 steps (about 7 s). For a long run::

    HYPOTHESIS_PROFILE=long uv run pytest tests/test_reliability_model.py

(``HYPOTHESIS_PROFILE=long`` = 20,000 examples of up to 80 steps; any other
integer in ``RELIABILITY_MODEL_EXAMPLES`` sets the number of examples.)

``receivers`` holds Django 6.1's 4-tuples, which carry a reference to their
sender: a saved list restored after one of its senders died comes back
without that sender's entries (as Django 6.1's ``_clear_dead_receivers``
drops them). Saving and clearing also happen inside ``with signal.lock:``, as
django-reversion's ``mute_signals`` does, and a malformed assignment must
leave the signal as it was.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
import weakref
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from typedsignals import NONE_ID, Signal, receiver
from typedsignals._utils import make_id

_LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
EXAMPLES = int(os.environ.get("RELIABILITY_MODEL_EXAMPLES", 20_000 if _LONG else 500))
STEPS = 80 if _LONG else 50

pytestmark = pytest.mark.timeout(0 if _LONG or EXAMPLES > 500 else 300)  # 0: no limit

RECEIVER_KINDS = ("function", "async_function", "method", "async_method", "callable_object")
# A receiver or sender in a reference cycle dies only in gc.collect(), where its
# weakref callbacks run in the middle of garbage collection.
CYCLIC = st.sampled_from([False, False, True])
UIDS = (None, "", 0, "uid-a", "uid-b", ("uid", 1))
MAX_RECEIVERS = 6
MAX_SENDERS = 3


# -- receivers and senders -----------------------------------------------------------------


def _function(log: list[str], name: str) -> Any:
    def receiver(sender: Any, **kwargs: Any) -> str:
        log.append(name)
        return name

    return receiver


def _async_function(log: list[str], name: str) -> Any:
    async def receiver(sender: Any, **kwargs: Any) -> str:
        log.append(name)
        return name

    return receiver


class _Listener:
    def __init__(self, log: list[str], name: str, cyclic: bool = False) -> None:
        self.log = log
        self.name = name
        self.cycle = self if cyclic else None

    def on_sync(self, sender: Any, **kwargs: Any) -> str:
        self.log.append(self.name)
        return self.name

    async def on_async(self, sender: Any, **kwargs: Any) -> str:
        self.log.append(self.name)
        return self.name


class _CallableObject(_Listener):
    def __call__(self, sender: Any, **kwargs: Any) -> str:
        return self.on_sync(sender)


class _Sender:
    """A specific sender that can die."""

    def __init__(self, cyclic: bool) -> None:
        self.cycle = self if cyclic else None


class _SlotsSender:
    """A specific sender that cannot be weakly referenced (kept alive by the registry)."""

    __slots__ = ()


class _SenderClass:
    """A class as sender, as Django's model signals use."""


def _wait_dead(refs: list[weakref.ref[Any]]) -> None:
    """Give the last references a moment to go: asend's worker thread (asgiref's
    executor) may still hold its arguments just after the send has returned."""
    deadline = time.monotonic() + 2.0
    while any(ref() is not None for ref in refs) and time.monotonic() < deadline:
        time.sleep(0.001)
        gc.collect()


@dataclass(frozen=True)
class _Entry:
    key: tuple[Any, Any]
    uid: Any  # the dispatch_uid it was connected with (falsy: none)
    receiver: str  # handle name
    sender: str  # sender name
    weak: bool
    is_async: bool


@dataclass
class _Handle:
    kind: str
    ref: weakref.ref[Any]
    cyclic: bool
    dead: bool = False

    @property
    def is_async(self) -> bool:
        return self.kind.startswith("async")


# -- the machine ---------------------------------------------------------------------------


class SignalModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # gc.collect() runs whenever a cyclic receiver or sender must die; set
        # aside everything older than this example (Hypothesis's own state grows
        # with every example) so that a collection scans only this example's objects.
        gc.freeze()
        self.log: list[str] = []
        self.held: dict[str, Any] = {}  # the test's own strong references
        self.handles: dict[str, _Handle] = {}
        self.senders: dict[str, Any] = {
            "none": None,
            "str": "a-str-sender",
            "slots": _SlotsSender(),
            "class": _SenderClass,
        }
        self.mortal: set[str] = set()
        self.model: list[_Entry] = []
        self.saved: dict[int, tuple[list[Any], list[_Entry]]] = {}
        self.counter = 0
        self.sig: Signal[Any, Any] = Signal()
        self.loop = asyncio.new_event_loop()

    @initialize(
        use_caching=st.booleans(),
        kinds=st.lists(st.sampled_from(RECEIVER_KINDS), min_size=2, max_size=4),
        senders=st.lists(CYCLIC, min_size=1, max_size=2),
    )
    def make_signal(self, use_caching: bool, kinds: list[str], senders: list[bool]) -> None:
        self.sig = Signal(use_caching=use_caching, name="model")
        for kind in kinds:
            self._new_receiver(kind, cyclic=False)
        for cyclic in senders:
            self._new_sender(cyclic)

    def teardown(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()
        gc.unfreeze()

    # -- helpers ---------------------------------------------------------------------

    def _receiver(self, name: str) -> Any:
        obj = self.held[name]
        kind = self.handles[name].kind
        if kind == "method":
            return obj.on_sync
        if kind == "async_method":
            return obj.on_async
        return obj

    def _strong_holders(self, name: str) -> bool:
        entries = [*self.model, *(e for _, saved in self.saved.values() for e in saved)]
        return any(e.receiver == name and not e.weak for e in entries)

    def _reap(self) -> None:
        """Mark receivers that nothing keeps alive as dead, and check that they are."""
        dying = [
            name
            for name, handle in self.handles.items()
            if not (handle.dead or name in self.held or self._strong_holders(name))
        ]
        if any(self.handles[name].cyclic for name in dying):
            gc.collect()  # the others die as soon as their last reference goes
        _wait_dead([self.handles[name].ref for name in dying])
        for name in dying:
            handle = self.handles[name]
            assert handle.ref() is None, f"{name} should have died: the registry still holds it"
            handle.dead = True
            self.model = [e for e in self.model if e.receiver != name]

    def _expected(self, sender_name: str) -> list[str]:
        sender_id = make_id(self.senders[sender_name])
        matching = [e for e in self.model if e.key[1] in (NONE_ID, sender_id)]
        return [e.receiver for e in matching if not e.is_async] + [
            e.receiver for e in matching if e.is_async
        ]

    def _check_registry(self) -> None:
        items = self.sig.receivers
        assert all(len(item) == 4 for item in items)
        assert [key for key, _, _, _ in items] == [e.key for e in self.model]
        assert [bool(a) for _, _, _, a in items] == [e.is_async for e in self.model]
        weak = [isinstance(ref, weakref.ReferenceType) for _, ref, _, _ in items]
        assert weak == [e.weak for e in self.model]
        specific = [sender_ref is not None for _, _, sender_ref, _ in items]
        assert specific == [e.sender != "none" for e in self.model]

    # -- receivers and senders come and go -----------------------------------------------

    @precondition(lambda self: len(self.held) < MAX_RECEIVERS)
    @rule(kind=st.sampled_from(RECEIVER_KINDS), cyclic=CYCLIC)
    def new_receiver(self, kind: str, cyclic: bool) -> None:
        self._new_receiver(kind, cyclic)

    def _new_receiver(self, kind: str, cyclic: bool) -> None:
        name = f"r{self.counter}"
        self.counter += 1
        obj: Any
        if kind == "function":
            obj = _function(self.log, name)
        elif kind == "async_function":
            obj = _async_function(self.log, name)
        elif kind == "callable_object":
            obj = _CallableObject(self.log, name, cyclic)
        else:
            obj = _Listener(self.log, name, cyclic)
        if cyclic and kind.endswith("function"):
            obj.cycle = obj  # a function whose __dict__ refers to itself
        self.held[name] = obj
        self.handles[name] = _Handle(kind, weakref.ref(obj), cyclic)

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def drop_receiver(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.held)), label="receiver")
        del self.held[name]
        self._reap()

    @precondition(lambda self: len(self.mortal) < MAX_SENDERS)
    @rule(cyclic=CYCLIC)
    def new_sender(self, cyclic: bool) -> None:
        self._new_sender(cyclic)

    def _new_sender(self, cyclic: bool) -> None:
        name = f"s{self.counter}"
        self.counter += 1
        self.senders[name] = _Sender(cyclic)
        self.mortal.add(name)

    @precondition(lambda self: self.mortal)
    @rule(data=st.data())
    def drop_sender(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(self.mortal)), label="sender")
        self.mortal.discard(name)
        sender = self.senders.pop(name)
        sender_ref = weakref.ref(sender)
        cyclic = sender.cycle is not None
        del sender
        if cyclic:
            gc.collect()
        _wait_dead([sender_ref])
        assert sender_ref() is None, "the registry keeps a weakly referenceable sender alive"
        self.model = [e for e in self.model if e.sender != name]
        # Saved lists keep their entries for it (and hold their strong
        # receivers); a restore skips them.
        # A dead sender's entries are purged at the registry's next locked
        # operation, which releases its strong receivers; trigger it here.
        _ = self.sig.receivers
        self._reap()

    # -- connect / disconnect --------------------------------------------------------------

    @precondition(lambda self: self.held)
    @rule(data=st.data(), count=st.integers(1, 3))
    def connect(self, data: st.DataObject, count: int) -> None:
        for _ in range(count):
            sender_name = data.draw(st.sampled_from(sorted(self.senders)), label="sender")
            weak = data.draw(st.booleans(), label="weak")
            uid = data.draw(st.sampled_from(UIDS), label="dispatch_uid")
            decorator = data.draw(st.booleans(), label="with @receiver")
            self._connect(data, sender_name, weak, uid, decorator)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), weak=st.booleans())
    def connect_for_every_sender(self, data: st.DataObject, weak: bool) -> None:
        self._connect(data, "none", weak, None, False)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), weak=st.booleans(), uid=st.sampled_from(UIDS))
    def connect_for_a_sender(self, data: st.DataObject, weak: bool, uid: Any) -> None:
        names = sorted(set(self.senders) - {"none"})
        sender_name = data.draw(st.sampled_from(names), label="sender")
        self._connect(data, sender_name, weak, uid, False)

    def _connect(
        self, data: st.DataObject, sender_name: str, weak: bool, uid: Any, decorator: bool
    ) -> None:
        name = data.draw(st.sampled_from(sorted(self.held)), label="receiver")
        target = self._receiver(name)
        sender = self.senders[sender_name]
        if decorator:
            assert receiver(self.sig, sender=sender, weak=weak, dispatch_uid=uid)(target) is target
        else:
            self.sig.connect(target, sender=sender, weak=weak, dispatch_uid=uid)
        key = (uid if uid else make_id(target), make_id(sender))
        if all(e.key != key for e in self.model):
            is_async = self.handles[name].is_async
            self.model.append(_Entry(key, uid, name, sender_name, weak, is_async))

    @rule(data=st.data(), by_uid=st.booleans())
    def disconnect(self, data: st.DataObject, by_uid: bool) -> None:
        sender_name = data.draw(st.sampled_from(sorted(self.senders)), label="sender")
        sender = self.senders[sender_name]
        if by_uid or not self.held:
            uid = data.draw(st.sampled_from(UIDS[3:]), label="uid")
            result = self.sig.disconnect(sender=sender, dispatch_uid=uid)
            key = (uid, make_id(sender))
        else:
            name = data.draw(st.sampled_from(sorted(self.held)), label="receiver")
            target = self._receiver(name)
            result = self.sig.disconnect(target, sender=sender)
            key = (make_id(target), make_id(sender))
        self._disconnected(key, result)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def disconnect_connected(self, data: st.DataObject) -> None:
        entry = data.draw(st.sampled_from(self.model), label="entry")
        sender = self.senders[entry.sender]
        if entry.uid:
            result = self.sig.disconnect(sender=sender, dispatch_uid=entry.uid)
        elif entry.receiver in self.held:
            result = self.sig.disconnect(self._receiver(entry.receiver), sender=sender)
        else:
            return  # only the registry refers to it: assigning receivers can remove it
        assert result is True
        self._disconnected(entry.key, result)

    def _disconnected(self, key: tuple[Any, Any], result: bool) -> None:
        expected = [e for e in self.model if e.key == key]
        assert result is bool(expected)
        self.model = [e for e in self.model if e.key != key]
        self._reap()

    # -- assigning ``receivers`` -------------------------------------------------------------

    @rule(slot=st.integers(0, 1), clear=st.booleans(), locked=st.booleans())
    def save_receivers(self, slot: int, clear: bool, locked: bool) -> None:
        """Save the list (replacing what the slot held); with clear, as mute_signals does.

        ``locked``: inside ``with signal.lock:``, as django-reversion does.
        """
        if locked:
            with self.sig.lock:
                items = self.sig.receivers[:]
                if clear:
                    self.sig.receivers = []
        else:
            items = self.sig.receivers
            if clear:
                self.sig.receivers = []
        assert [k for k, _, _, _ in items] == [e.key for e in self.model]
        self.saved[slot] = (items, list(self.model))
        if clear:
            self.model = []
        self._reap()

    @rule(slot=st.integers(0, 1), onto_current=st.booleans())
    def restore_receivers(self, slot: int, onto_current: bool) -> None:
        """Restore a saved list; ``onto_current`` as factory_boy: ``saved + receivers``."""
        if slot not in self.saved:
            return
        items, saved = self.saved[slot]
        current = list(self.model)
        self.sig.receivers = items + self.sig.receivers if onto_current else items
        model: list[_Entry] = []
        for e in [*saved, *(current if onto_current else [])]:
            if e.weak and self.handles[e.receiver].dead:
                continue
            if e.sender not in self.senders:
                continue  # its sender died while the list was set aside
            if all(m.key != e.key for m in model):
                model.append(e)
        self.model = model
        self._reap()

    @rule(data=st.data())
    def assign_malformed(self, data: st.DataObject) -> None:
        """A malformed item anywhere in the list is refused, and nothing changes."""
        items = self.sig.receivers
        bad = data.draw(
            st.sampled_from(
                [("key", None, None, False), ((1, 2, 3), print, None, False), 42,
                 ((1, 2), "not callable", None, False), ((1, 2), print, "no ref", False),
                 ((1, 2), print), (([], 2), print, False)]
            ),
            label="bad item",
        )
        at = data.draw(st.integers(0, len(items)), label="position")
        with pytest.raises(TypeError, match=r"item \d+ .* is not a receiver"):
            self.sig.receivers = [*items[:at], bad, *items[at:]]
        del items
        self._check_registry()

    @rule()
    def clear_dead_under_the_lock(self) -> None:
        with self.sig.lock:
            self.sig._clear_dead_receivers()
            self._check_registry()

    @rule()
    def reverse_receivers(self) -> None:
        self.sig.receivers = list(reversed(self.sig.receivers))
        self.model.reverse()

    # -- sending -------------------------------------------------------------------------

    @rule(data=st.data(), method=st.sampled_from(["send", "send_robust", "asend", "asend_robust"]))
    def send(self, data: st.DataObject, method: str) -> None:
        sender_name = data.draw(st.sampled_from(sorted(self.senders)), label="sender")
        sender = self.senders[sender_name]
        expected = self._expected(sender_name)
        self.log.clear()
        call = getattr(self.sig, method)
        if method.startswith("a"):
            responses = self.loop.run_until_complete(call(sender, extra=1))
        else:
            responses = call(sender, extra=1)
        names = [response for _, response in responses]
        del responses  # hold no receiver past the send
        assert names == expected
        # Every send calls the sync receivers (asend: in one hop, first), then
        # starts the async ones in order; none of these suspends.
        assert self.log == expected
        self.log.clear()

    @rule(data=st.data())
    def has_listeners(self, data: st.DataObject) -> None:
        sender_name = data.draw(st.sampled_from(sorted(self.senders)), label="sender")
        assert self.sig.has_listeners(self.senders[sender_name]) is bool(
            self._expected(sender_name)
        )

    @rule()
    def check_registry(self) -> None:
        # A rule, not an invariant: reading ``receivers`` purges dead entries,
        # and the other rules must also run against an unpurged registry.
        self._check_registry()

    @invariant()
    def handles_alive_while_held(self) -> None:
        for name in self.held:
            assert self.handles[name].ref() is not None


SignalModel.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None if not _LONG else settings().database,
)
TestSignalModel = SignalModel.TestCase


# -- regressions the machine found ----------------------------------------------------------


def test_restored_list_skips_a_weak_receiver_that_died_while_set_aside() -> None:
    """registry._adopt_ref used to restore our own weak reference even when dead: the
    entry then stayed for ever (its death was already reported) and its lookup key
    refused a new receiver that reused the dead one's id."""
    sig = Signal()
    log: list[str] = []
    target = _function(log, "old")
    # Dying in gc.collect(), a weak reference keeps its __callback__ (a refcount
    # death clears it), which made the dead reference look reusable.
    target.cycle = target
    sig.connect(target)
    saved = sig.receivers
    sig.receivers = []
    del target
    gc.collect()
    sig.receivers = saved
    assert sig.receivers == []
    assert not sig.has_listeners()


def test_restored_list_keeps_its_sender_protection_after_a_disconnect() -> None:
    """The sender guard used to go with its last receiver: a list saved before a
    disconnect came back unguarded, so the sender's death no longer removed its
    receivers (and a strong one was kept alive for ever)."""
    sig = Signal()
    log: list[str] = []
    sender = _Sender(cyclic=False)
    listener = _Listener(log, "held-by-registry")
    sig.connect(listener.on_sync, sender=sender, weak=False)
    saved = sig.receivers
    assert sig.disconnect(listener.on_sync, sender=sender) is True
    sig.receivers = saved
    del saved
    alive = weakref.ref(listener)
    del listener
    assert [r for _, r in sig.send(sender)] == ["held-by-registry"]
    del sender
    gc.collect()
    assert sig.receivers == []
    assert alive() is None
