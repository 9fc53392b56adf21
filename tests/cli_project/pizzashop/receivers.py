"""Receivers: good ones, and two that break a rule (connected without the check)."""

from typing import Any

from .signals import Store, order_placed, pizza_done

MAIN_STORE = Store()


def kitchen(sender: Store, size: int, **kwargs: Any) -> None: ...


async def notify(sender: Store, **kwargs: Any) -> None: ...


class Counter:
    def count(self, **kwargs: Any) -> None: ...


def wrong_size(sender: Store, size: str, **kwargs: Any) -> None: ...


def no_kwargs(sender):
    pass


COUNTER = Counter()
pizza_done.connect(kitchen)
pizza_done.connect(notify, sender=MAIN_STORE, dispatch_uid="notify")
pizza_done.connect(COUNTER.count, weak=False)
pizza_done.connect(wrong_size, check=False)
order_placed.connect(no_kwargs, check=False)
order_placed.connect(kitchen)
