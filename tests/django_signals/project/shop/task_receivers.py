"""Receivers of the tasks framework's signals, imported from Django 6.0 on; marks as in
mistakes.py."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskResult
from django.tasks.signals import task_enqueued, task_finished, task_started


@receiver([task_enqueued, task_started, task_finished])
def task_event(
    sender: type[BaseTaskBackend], task_result: TaskResult[..., Any], **kwargs: Any
) -> None: ...


@receiver(task_finished)  # E(6.1): receiver-unknown-parameter
def finished_with_result(sender, task_result, result, **kwargs):
    pass
