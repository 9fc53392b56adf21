"""Read what an app has enqueued, off kombu's in-memory transport (no worker involved)."""

from __future__ import annotations

from typing import Any

from celery import Celery

__all__ = ["take_messages"]


def take_messages(app: Celery, queue: str = "celery") -> list[Any]:
    """Every message waiting in ``queue``, taken off it, as kombu received them."""
    found = []
    with app.connection_for_read() as conn:
        q = conn.SimpleQueue(queue)
        try:
            while len(q):
                message = q.get(timeout=1)
                message.ack()
                found.append(message)
        finally:
            q.close()
    return found
