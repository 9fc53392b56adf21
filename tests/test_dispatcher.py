"""Django 6.1's public behaviour of Signal, receiver and the receivers list."""

from __future__ import annotations

import gc
import logging
import threading
import weakref
from typing import Any

import pytest

from typedsignals import NO_RECEIVERS, NONE_ID, Signal, receiver


class Sender:
    pass


def test_public_names():
    import typedsignals

    assert NONE_ID == id(None)
    assert NO_RECEIVERS is not None
    for name in typedsignals.__all__:
        assert getattr(typedsignals, name).__doc__, name


def test_send_returns_pairs_in_connect_order():
    sig = Signal()
    calls = []

    def a(sender, **kwargs):
        calls.append(("a", sender, kwargs))
        return "A"

    def b(signal, sender, **kwargs):
        calls.append(("b", signal, kwargs))
        return "B"

    sig.connect(a)
    sig.connect(b)
    s = Sender()
    assert sig.send(s, x=1) == [(a, "A"), (b, "B")]
    assert calls == [("a", s, {"signal": sig, "x": 1}), ("b", sig, {"x": 1})]


def test_no_receivers_send_is_empty():
    assert Signal().send(None) == []
    assert Signal().send_robust(object()) == []


def test_connect_twice_keeps_one():
    sig = Signal()

    def a(**kwargs):
        return 1

    sig.connect(a)
    sig.connect(a)
    assert len(sig.receivers) == 1
    assert sig.send(None) == [(a, 1)]


def test_same_receiver_different_senders_are_distinct():
    sig = Signal()
    s1, s2 = Sender(), Sender()

    def a(**kwargs):
        return 1

    sig.connect(a, sender=s1)
    sig.connect(a, sender=s2)
    assert len(sig.receivers) == 2
    assert sig.send(s1) == [(a, 1)]
    assert sig.send(Sender()) == []


def test_dispatch_uid_identifies_receiver():
    sig = Signal()

    def a(**kwargs):
        return "a"

    def b(**kwargs):
        return "b"

    sig.connect(a, dispatch_uid="uid")
    sig.connect(b, dispatch_uid="uid")  # ignored: uid taken
    assert sig.send(None) == [(a, "a")]
    assert sig.disconnect(dispatch_uid="uid") is True
    assert sig.send(None) == []
    assert sig.disconnect(dispatch_uid="uid") is False


def test_disconnect_returns_bool_and_stops_delivery():
    sig = Signal()
    s = Sender()

    def a(**kwargs):
        return 1

    sig.connect(a, sender=s)
    assert sig.disconnect(a) is False  # connected for s, not for every sender
    assert sig.disconnect(a, sender=s) is True
    assert sig.send(s) == []
    assert not sig.has_listeners(s)


def test_sender_filter():
    sig = Signal()
    s1, s2 = Sender(), Sender()
    got = []

    def any_sender(sender, **kwargs):
        got.append(("any", sender))

    def only_s1(sender, **kwargs):
        got.append(("s1", sender))

    sig.connect(only_s1, sender=s1)
    sig.connect(any_sender)
    sig.send(s1)
    sig.send(s2)
    assert got == [("s1", s1), ("any", s1), ("any", s2)]
    assert sig.has_listeners(s1) and sig.has_listeners(s2) and sig.has_listeners()


def test_class_senders_like_models():
    sig = Signal()
    got = []

    class Book:
        pass

    class Author:
        pass

    @receiver(sig, sender=Book)
    def on_book(sender, **kwargs):
        got.append(sender)

    sig.send(Book)
    sig.send(Author)
    assert got == [Book]


def test_weak_receiver_dies_without_disconnect():
    sig = Signal()

    def make():
        def local(**kwargs):
            return 1

        return local

    r = make()
    sig.connect(r)
    assert sig.has_listeners()
    del r
    gc.collect()
    assert not sig.has_listeners()
    assert sig.send(None) == []
    assert sig.receivers == []


def test_strong_receiver_survives():
    sig = Signal()

    def make():
        def local(**kwargs):
            return "alive"

        return local

    sig.connect(make(), weak=False)
    gc.collect()
    assert [resp for _, resp in sig.send(None)] == ["alive"]


def test_bound_method_lives_as_long_as_instance():
    sig = Signal()

    class Listener:
        def on(self, **kwargs):
            return id(self)

    obj = Listener()
    sig.connect(obj.on)  # a fresh bound method each access: must not die at once
    gc.collect()
    assert sig.send(None) == [(obj.on, id(obj))]
    assert sig.disconnect(obj.on) is True
    sig.connect(obj.on)
    del obj
    gc.collect()
    assert sig.send(None) == []


def test_callable_instance_receiver():
    sig = Signal()

    class Handler:
        def __call__(self, sender, **kwargs):
            return "called"

    h = Handler()
    sig.connect(h)
    assert sig.send(None) == [(h, "called")]


def test_receiver_decorator_returns_function_unchanged_and_connects_lists():
    s1, s2 = Signal(), Signal()

    def f(**kwargs):
        return "f"

    assert receiver([s1, s2])(f) is f
    assert s1.send(None) == [(f, "f")]
    assert s2.send(None) == [(f, "f")]
    g = receiver(s1, dispatch_uid="g")(lambda **kw: "g")
    assert s1.send(None)[-1] == (g, "g")


def test_send_propagates_receiver_error():
    sig = Signal()
    called = []

    def bad(**kwargs):
        raise ValueError("boom")

    def after(**kwargs):
        called.append(1)

    sig.connect(bad)
    sig.connect(after)
    with pytest.raises(ValueError, match="boom"):
        sig.send(None)
    assert called == []


def test_send_robust_catches_and_logs(caplog):
    sig = Signal()

    def bad(**kwargs):
        raise ValueError("boom")

    def good(**kwargs):
        return "ok"

    sig.connect(bad)
    sig.connect(good)
    with caplog.at_level(logging.ERROR, logger="typedsignals"):
        result = sig.send_robust(None)
    (r1, err), (r2, ok) = result
    assert r1 is bad and isinstance(err, ValueError) and err.__traceback__ is not None
    assert (r2, ok) == (good, "ok")
    (record,) = caplog.records
    assert record.name == "typedsignals"
    assert record.levelno == logging.ERROR
    expected = f"Error calling {bad.__qualname__} in Signal.send_robust() (boom)"
    assert record.getMessage() == expected
    assert record.exc_info is not None and record.exc_info[1] is err


def test_send_robust_lets_base_exceptions_through():
    sig = Signal()

    def interrupt(**kwargs):
        raise KeyboardInterrupt

    sig.connect(interrupt)
    with pytest.raises(KeyboardInterrupt):
        sig.send_robust(None)


def test_not_callable_is_refused():
    sig = Signal()
    with pytest.raises(TypeError, match=r"Signal receivers must be callable\."):
        sig.connect(42)  # type: ignore[arg-type]
    assert sig.receivers == []


def test_missing_kwargs_is_refused_with_name_and_location():
    sig = Signal()

    def no_kwargs(sender):
        pass

    with pytest.raises(ValueError) as info:
        sig.connect(no_kwargs)  # type: ignore[arg-type]
    text = str(info.value)
    assert "Signal receivers must accept keyword arguments (**kwargs)." in text
    assert "test_missing_kwargs_is_refused_with_name_and_location.<locals>.no_kwargs" in text
    assert f"{__file__}:{no_kwargs.__code__.co_firstlineno}" in text
    assert text.index("(**kwargs).") < text.index("no_kwargs")
    assert sig.receivers == []


def test_receivers_list_is_djangos_4_tuples_and_assignable():
    sig = Signal(use_caching=True)
    s = Sender()

    def a(**kwargs):
        return "a"

    async def b(**kwargs):
        return "b"

    sig.connect(a)
    sig.connect(b, weak=False, sender=s)
    items = sig.receivers
    assert [(len(t), t[3]) for t in items] == [(4, False), (4, True)]
    (key_a, ref_a, sender_a, _), (key_b, ref_b, sender_b, _) = items
    assert key_a == (id(a), NONE_ID) and key_b == (id(b), id(s))
    assert isinstance(ref_a, weakref.ReferenceType) and ref_a() is a
    assert ref_b is b
    assert sender_a is None  # every sender, as in Django
    assert isinstance(sender_b, weakref.ReferenceType) and sender_b() is s
    assert sig.send(s)  # fill the cache
    # factory_boy's mute_signals: save, empty, restore.
    saved = sig.receivers
    sig.receivers = []
    assert sig.send(s) == [] and not sig.has_listeners(s)
    sig.receivers = saved
    assert sig.send(s) == [(a, "a"), (b, "b")]


def test_use_caching_with_any_sender():
    sig = Signal(use_caching=True)

    def a(**kwargs):
        return 1

    sig.connect(a)
    for sender in (None, 1, "str", (1, 2), [1], {"a": 1}, Sender(), Sender):
        assert sig.send(sender) == [(a, 1)]
        assert sig.has_listeners(sender)


def _free_in_another_thread(lock: Any) -> bool:
    """Whether another thread could take ``lock`` now."""
    result: list[bool] = []

    def probe() -> None:
        got = lock.acquire(blocking=False)
        if got:
            lock.release()
        result.append(got)

    t = threading.Thread(target=probe)
    t.start()
    t.join(10)
    return result == [True]


def test_lock_not_held_while_receivers_run():
    sig = Signal()
    seen = []

    def reentrant(**kwargs):
        # Would deadlock (or be refused) if the registry lock were held during dispatch.
        seen.append(_free_in_another_thread(sig.lock))
        sig.connect(second)

    def second(**kwargs):
        return 2

    sig.connect(reentrant)
    sig.send(None)
    assert seen == [True]
    assert [r for r, _ in sig.send(None)] == [reentrant, second]


def test_concurrent_connects_and_sends_are_safe():
    sig = Signal()
    receivers: list[Any] = []
    errors = []

    def worker(n):
        try:
            for i in range(200):
                def r(**kwargs):
                    return None
                receivers.append(r)
                sig.connect(r)
                sig.send(None)
                if i % 2:
                    sig.disconnect(r)
        except Exception as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(sig.receivers) == 400


def test_a_dead_senders_strong_receivers_are_released_at_once():
    sig = Signal()
    sender = Sender()

    def make():
        def local(**kwargs):
            return None

        return local

    r = make()
    probe = weakref.ref(r)
    sig.connect(r, sender=sender, weak=False)
    del r
    assert probe() is not None  # the registry holds it
    del sender  # no registry call after this
    gc.collect()
    assert probe() is None
