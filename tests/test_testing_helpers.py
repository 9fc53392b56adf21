"""typedsignals.testing: capture, muted and connected_to, on typedsignals' and Django's signals."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from unittest.mock import ANY

import django.dispatch
import pytest
from pizza_types import PizzaDone, Store

from typedsignals import PayloadError, ReceiverError, Signal, hooks
from typedsignals.testing import capture, connected_to, muted


def kitchen(sender: Store, size: int, **kwargs: Any) -> int:
    return size * 2


def make_signal() -> Signal[Store, PizzaDone]:
    sig = Signal[Store, PizzaDone](name="pizza_done")
    sig.connect(kitchen)
    return sig


# -- capture -------------------------------------------------------------------------------


def test_capture_records_sender_payload_and_responses_in_order():
    sig = make_signal()
    store, other = Store(), Store()
    with capture(sig) as captured:
        sig.send(store, size=12, toppings=["basil"])
        sig.send_robust(other, size=9, toppings=[])
    assert [s.method for s in captured.sends] == ["send", "send_robust"]
    assert captured.senders == [store, other]
    assert captured.payloads == [{"size": 12, "toppings": ["basil"]}, {"size": 9, "toppings": []}]
    assert captured.sends[0].responses == [(kitchen, 24)]
    assert captured.sends[0].error is None
    sig.send(store, size=1, toppings=[])
    assert len(captured.sends) == 2  # the block is over
    assert hooks.interceptors(sig) == ()


def test_capture_for_one_sender_and_of_a_send_that_raises():
    sig = make_signal()
    store, other = Store(), Store()

    def boom(**kwargs: Any) -> None:
        raise KeyError("boom")

    with capture(sig, sender=store) as captured:
        sig.send(other, size=1, toppings=[])
        sig.connect(boom)
        with pytest.raises(KeyError):
            sig.send(store, size=2, toppings=[])
    assert len(captured.sends) == 1
    assert captured.sends[0].responses is None
    assert isinstance(captured.sends[0].error, KeyError)


def test_capture_of_async_sends_from_concurrent_tasks():
    sig = make_signal()

    async def main() -> None:
        with capture(sig) as captured:
            await asyncio.gather(
                *(sig.asend(Store(), size=n, toppings=[]) for n in range(5)),
                sig.asend_robust(Store(), size=99, toppings=[]),
            )
        assert sorted(s.payload["size"] for s in captured.sends) == [0, 1, 2, 3, 4, 99]
        assert {s.method for s in captured.sends} == {"asend", "asend_robust"}
        assert all(s.responses == [(kitchen, s.payload["size"] * 2)] for s in captured.sends)

    asyncio.run(main())


def test_capture_sees_sends_from_other_threads_and_muted_ones():
    sig = make_signal()
    with capture(sig) as captured, muted(sig):
        assert sig.send(Store(), size=1, toppings=[]) == []
        thread = threading.Thread(
            target=sig.send, args=(Store(),), kwargs={"size": 2, "toppings": []}
        )
        thread.start()
        thread.join(timeout=30)
    assert [s.responses for s in captured.sends] == [[], [(kitchen, 4)]]


def test_assertions_pass_when_they_should():
    sig = make_signal()
    store = Store()
    with capture(sig) as captured:
        captured.assert_not_sent()
        sig.send(store, size=12, toppings=["basil"])
    captured.assert_sent()
    captured.assert_sent_once()
    captured.assert_sent_with(store, size=12, toppings=["basil"])
    captured.assert_sent_once_with(store, size=ANY, toppings=["basil"])


def test_assertion_failures_show_what_was_sent_as_a_diff():
    sig = make_signal()
    store = Store()
    with capture(sig) as captured:
        sig.send(store, size=10, toppings=["basil"])
        sig.send(store, size=12, toppings=["ham"])
    with pytest.raises(AssertionError) as failed:
        captured.assert_sent_with(store, size=12, toppings=["basil"])
    message = str(failed.value)
    assert "Expected the last send of signal 'pizza_done' to be" in message
    assert "pizza_done.send(" in message and "toppings=['ham']" in message
    assert "-  'toppings': ['basil']}" in message
    assert "+  'toppings': ['ham']}" in message
    assert "   'size': 12," in message  # unchanged lines are shown too
    with pytest.raises(AssertionError, match=r"sent once\. It was sent 2 times:\n  1\. "):
        captured.assert_sent_once()
    with pytest.raises(AssertionError, match=r"not to have been sent\. It was sent 2 times"):
        captured.assert_not_sent()
    with pytest.raises(AssertionError, match="sent once, with"):
        captured.assert_sent_once_with(store, size=12, toppings=["ham"])
    with pytest.raises(AssertionError, match=r"last send of signal 'pizza_done'"):
        captured.assert_sent_with(Store(), size=12, toppings=["ham"])  # another sender
    with capture(sig) as empty:
        pass
    with pytest.raises(AssertionError, match="It was not sent"):
        empty.assert_sent()
    with pytest.raises(AssertionError, match="It was not sent"):
        empty.assert_sent_with(store, size=1, toppings=[])


def test_capture_of_a_django_signal():
    sig = django.dispatch.Signal()
    sig.connect(kitchen)
    with capture(sig) as captured:
        sig.send(Store(), size=3, toppings=[])
    captured.assert_sent_once_with(ANY, size=3, toppings=[])
    assert captured.sends[0].responses == [(kitchen, 6)]


# -- muted ---------------------------------------------------------------------------------


def test_muted_returns_empty_and_restores_the_signal():
    sig = make_signal()
    with muted(sig):
        assert sig.send(Store(), size=1, toppings=[]) == []
        assert sig.send_robust(Store(), size=1, toppings=[]) == []
        assert asyncio.run(sig.asend(Store(), size=1, toppings=[])) == []
        assert sig.has_listeners()  # unchanged: the receivers are still connected
    assert sig.send(Store(), size=1, toppings=[]) == [(kitchen, 2)]
    assert hooks.interceptors(sig) == ()


def test_muted_is_scoped_to_this_thread():
    sig = make_signal()
    results: list[object] = []
    started, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        started.set()
        assert release.wait(timeout=30)
        results.append(sig.send(Store(), size=5, toppings=[]))

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert started.wait(timeout=30)
    with muted(sig):
        release.set()
        thread.join(timeout=30)
        results.append(sig.send(Store(), size=5, toppings=[]))
    assert results == [[(kitchen, 10)], []]


def test_muted_is_scoped_to_this_task_and_the_tasks_it_starts():
    sig = make_signal()

    async def send() -> object:
        await asyncio.sleep(0)
        return await sig.asend(Store(), size=2, toppings=[])

    async def main() -> None:
        outside = asyncio.ensure_future(send())  # created before the block: not muted
        with muted(sig):
            inside = asyncio.ensure_future(send())  # copies the muted context
            assert await send() == []
            assert await inside == []
        assert await outside == [(kitchen, 4)]

    asyncio.run(main())


def test_a_task_that_outlives_the_block_is_no_longer_muted():
    sig = make_signal()

    async def main() -> None:
        gate = asyncio.Event()

        async def later() -> object:
            await gate.wait()
            return sig.send(Store(), size=3, toppings=[])

        with muted(sig):
            task = asyncio.ensure_future(later())
            await asyncio.sleep(0)
        with muted(sig):  # another block elsewhere does not revive the first
            gate.set()
            assert await task == [(kitchen, 6)]

    asyncio.run(main())


def test_muted_as_a_decorator_of_sync_and_async_functions():
    sig = make_signal()

    @muted(sig)
    def bake() -> object:
        return sig.send(Store(), size=1, toppings=[])

    @muted(sig)
    async def abake() -> object:
        return await sig.asend(Store(), size=1, toppings=[])

    assert bake() == []
    assert asyncio.run(abake()) == []
    assert bake.__name__ == "bake" and abake.__name__ == "abake"
    assert sig.send(Store(), size=1, toppings=[]) == [(kitchen, 2)]


def test_nested_and_overlapping_mutes():
    a, b = make_signal(), make_signal()
    outer = muted(a)
    outer.__enter__()
    inner = muted(a, b)
    inner.__enter__()
    outer.__exit__(None, None, None)  # ends first: a stays muted by inner
    assert a.send(Store(), size=1, toppings=[]) == []
    inner.__exit__(None, None, None)
    assert a.send(Store(), size=1, toppings=[]) == [(kitchen, 2)]
    assert b.send(Store(), size=1, toppings=[]) == [(kitchen, 2)]
    assert hooks.interceptors(a) == () == hooks.interceptors(b)


def test_muted_still_checks_a_validated_payload_and_refuses_non_signals():
    sig = Signal[Store, PizzaDone](validate=True)
    with muted(sig), pytest.raises(PayloadError):
        sig.send(Store(), size="large", toppings=[])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="muted\\(\\) takes signals; got int 3"):
        muted(3)
    with pytest.raises(TypeError, match="one or more signals"):
        muted()


def test_muted_django_signal():
    sig = django.dispatch.Signal()
    sig.connect(kitchen)
    with muted(sig):
        assert sig.send(Store(), size=1) == []
    assert sig.send(Store(), size=1) == [(kitchen, 2)]


# -- connected_to --------------------------------------------------------------------------


def test_connected_to_connects_strongly_for_the_block_and_always_disconnects():
    sig = make_signal()
    store = Store()
    seen: list[int] = []
    with connected_to(lambda sender, size, **kwargs: seen.append(size), sig, sender=store):
        sig.send(store, size=1, toppings=[])
        sig.send(Store(), size=2, toppings=[])  # another sender
    sig.send(store, size=3, toppings=[])
    assert seen == [1]
    with pytest.raises(KeyError), connected_to(lambda **kwargs: None, sig):
        assert len(sig.receivers) == 2
        raise KeyError("the block failed")
    assert len(sig.receivers) == 1


def test_connected_to_checks_the_receiver_and_leaves_a_connected_one_connected():
    sig = make_signal()

    def wrong(sender: Store, colour: str, **kwargs: Any) -> None: ...

    with pytest.raises(ReceiverError, match="colour"), connected_to(wrong, sig):
        pass
    assert len(sig.receivers) == 1
    with connected_to(kitchen, sig) as same:
        assert same is kitchen
    assert sig.send(Store(), size=1, toppings=[]) == [(kitchen, 2)]  # still connected
    with pytest.raises(TypeError, match="takes a signal"):
        connected_to(kitchen, object())


def test_connected_to_a_django_signal():
    sig = django.dispatch.Signal()
    with connected_to(kitchen, sig, dispatch_uid="k"):
        assert sig.send(Store(), size=1) == [(kitchen, 2)]
    assert sig.send(Store(), size=1) == []
