"""Async receivers and async sends.

``# E: code[rule-id]`` marks each expected error (tests/test_mypy_plugin.py).
"""



from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from typedsignals import Signal, receiver


class Store: ...


class PizzaDone(TypedDict):
    size: int


pizza_done = Signal[Store, PizzaDone]()


async def fine(sender: Store, size: int, **kwargs: Any) -> str:
    return ""


async def no_kwargs(sender: Store, size: int) -> None: ...
async def wrong_size(sender: Store, size: str, **kwargs: Any) -> None: ...


class Courier:
    async def deliver(self, sender: Store, **kwargs: Any) -> None: ...

    async def __call__(self, sender: Store, colour: str, **kwargs: Any) -> None: ...


pizza_done.connect(fine)
pizza_done.connect(Courier().deliver)
pizza_done.connect(no_kwargs)  # E: signal-receiver[receiver-kwargs]
pizza_done.connect(wrong_size)  # E: signal-receiver[receiver-payload-type]
pizza_done.connect(Courier())  # E: signal-receiver[receiver-unknown-parameter]


@receiver(pizza_done)
async def decorated(sender: Store, size: int, **kwargs: Any) -> int:
    return size


@receiver(pizza_done)  # E: signal-receiver[receiver-kwargs]
async def decorated_no_kwargs(sender: Store) -> None: ...


async def main() -> None:
    await pizza_done.asend(Store(), size=1)
    await pizza_done.asend_robust(Store(), size="1")  # E: signal-payload[payload-type]
    responses = await pizza_done.asend(Store(), size=await decorated(Store(), 1))
    for _receiver, _response in responses:
        pass
