"""A Celery app and its task receivers, for the integration tests with a real worker.

The worker (``celery -A pizzeria_worker worker``) imports this module, which
registers the tasks; the test process imports it too, and sends. Each
receiver writes its effect as a file in PIZZERIA_OUT, with the worker's pid.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

from celery import Celery
from typing_extensions import TypedDict

from typedsignals import Signal
from typedsignals.celery import task_receiver

app = Celery("pizzeria", set_as_current=False)
app.conf.update(
    broker_url=os.environ.get("PIZZERIA_BROKER", "memory://"),
    result_backend=os.environ.get("PIZZERIA_BACKEND") or None,
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
)


class Kitchen: ...


class Order(TypedDict):
    size: int
    toppings: list[str]
    when: datetime.datetime


order_placed = Signal[type[Kitchen], Order](name="order_placed")
order_flaky = Signal[type[Kitchen], Order](name="order_flaky")
order_doomed = Signal[type[Kitchen], Order](name="order_doomed")
order_parked = Signal[type[Kitchen], Order](name="order_parked")


def effect(name: str, **content: Any) -> None:
    """Write an effect file whole (a reader never sees half of it)."""
    out = Path(os.environ["PIZZERIA_OUT"])
    partial = out / f".{name}.partial"
    partial.write_text(json.dumps({"pid": os.getpid(), **content}))
    partial.rename(out / name)


@task_receiver(order_placed, app=app)
def bake(
    sender: type[Kitchen], size: int, toppings: list[str], when: datetime.datetime, **kwargs: Any
) -> str:
    effect(
        f"baked-{size}.json",
        sender=sender.__qualname__,
        toppings=toppings,
        when=when.isoformat(),
        signal=kwargs["signal"].name,
    )
    return f"baked {size}"


@task_receiver(
    order_flaky, app=app, autoretry_for=(ConnectionError,), max_retries=2, default_retry_delay=0
)
def flaky(sender: type[Kitchen], size: int, **kwargs: Any) -> str:
    attempts = Path(os.environ["PIZZERIA_OUT"], f"attempts-{size}")
    with attempts.open("a") as f:
        f.write("x")
    tries = len(attempts.read_text())
    if tries < 3:
        raise ConnectionError(f"oven cold (try {tries})")
    return f"done after {tries}"


@task_receiver(order_doomed, app=app)
def doomed(sender: type[Kitchen], size: int, **kwargs: Any) -> None:
    raise RuntimeError("the oven is on fire")


@task_receiver(order_parked, app=app, queue="parked")
def parked(sender: type[Kitchen], **kwargs: Any) -> None:
    """Routed to a queue no test worker consumes: its messages stay on the broker."""
