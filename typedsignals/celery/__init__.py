"""Receivers that run in a Celery worker: ``@task_receiver`` beside ``@receiver``.

A task receiver is checked by the receiver rules like any receiver; at send
time the payload is validated against the signal's TypedDict and serialised to
JSON with pydantic (Django model instances and classes by reference), and a
Celery task carries it to a worker, which validates it again before the
receiver runs. See the README's "Receivers on Celery".

Modules: ``receivers`` (the decorator and the receiver it connects),
``serialisation`` (payloads to JSON and back), ``references`` (what travels by
reference: Django models, classes), ``tasks`` (the worker side) and
``errors``.
"""

from __future__ import annotations

import importlib

for _needed in ("celery", "pydantic"):  # fail here, naming the extra, not deep inside
    try:
        importlib.import_module(_needed)
    except ImportError as exc:
        raise ImportError(
            f"typedsignals.celery needs Celery and pydantic ({exc.name} is missing): "
            "pip install 'typedsignals[celery]'"
        ) from exc

from .errors import MessageRefused, ModelRowMissing  # noqa: E402
from .receivers import TaskReceiver, task_receiver  # noqa: E402

__all__ = ["MessageRefused", "ModelRowMissing", "TaskReceiver", "task_receiver"]
