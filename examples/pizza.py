"""A pizza shop announces finished pizzas; kitchen, till and courier listen.

Run it: ``uv run python examples/pizza.py``. It declares a typed signal,
connects sync and async receivers (one only for a particular store), sends
with send(), send_robust() and asend(), shows a receiver refused at connect
time, and a payload refused by validation.
"""

from __future__ import annotations

import asyncio
from typing import Any

from typing_extensions import NotRequired, TypedDict

from typedsignals import PayloadError, ReceiverError, Signal, receiver


class Store:
    def __init__(self, city: str) -> None:
        self.city = city

    def __repr__(self) -> str:
        return f"Store({self.city!r})"


class PizzaDone(TypedDict):
    """The keyword arguments every pizza_done send carries."""

    size: int
    toppings: list[str]
    note: NotRequired[str]


pizza_done = Signal[Store, PizzaDone](name="pizza_done", validate=True)

rome, naples = Store("Rome"), Store("Naples")


@receiver(pizza_done)
def kitchen(sender: Store, size: int, toppings: list[str], **kwargs: Any) -> str:
    line = f"kitchen: a {size}-inch pizza with {', '.join(toppings) or 'nothing'} in {sender.city}"
    print(line)
    return "cleaned the oven"


@receiver(pizza_done, sender=rome)
def rome_till(sender: Store, size: int, note: str = "", **kwargs: Any) -> int:
    price = 8 + size // 4
    print(f"till (Rome only): {price} EUR{' - ' + note if note else ''}")
    return price


async def courier(sender: Store, **kwargs: Any) -> str:
    await asyncio.sleep(0.01)  # drive to the customer
    print(f"courier: delivered from {sender.city}")
    return "delivered"


def flaky(sender: Store, **kwargs: Any) -> None:
    raise RuntimeError("the printer is out of paper")


def main() -> None:
    pizza_done.connect(courier)
    print("== send() from Rome: every receiver, sync first, then async")
    for r, response in pizza_done.send(rome, size=12, toppings=["basil"], note="extra hot"):
        print(f"   {r.__name__} -> {response!r}")

    print("== send() from Naples: the Rome till does not hear it")
    print("   receivers:", [r.__name__ for r, _ in pizza_done.send(naples, size=10, toppings=[])])

    print("== asend() from async code")
    responses = asyncio.run(pizza_done.asend(naples, size=14, toppings=["olives"]))
    print("   responses:", [resp for _, resp in responses])

    print("== send_robust(): a failing receiver's error is its response")
    pizza_done.connect(flaky)
    for r, response in pizza_done.send_robust(naples, size=9, toppings=[]):
        print(f"   {r.__name__} -> {response!r}")
    pizza_done.disconnect(flaky)

    print("== a receiver that asks for something the signal never sends is refused")

    def wants_colour(sender: Store, colour: str, **kwargs: Any) -> None: ...

    try:
        pizza_done.connect(wants_colour)  # type: ignore[signal-receiver]  # on purpose
    except ReceiverError as err:
        print(err)

    print("== a send with a bad payload is refused before any receiver runs")
    try:
        pizza_done.send(rome, size="large", toppings=["ham"], colour="red")  # type: ignore[signal-payload]
    except PayloadError as err:
        print(err)


if __name__ == "__main__":
    main()
