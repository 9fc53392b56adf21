"""Shared test set-up."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _frozen_heap() -> Iterator[None]:
    """Keep gc.collect() cheap in tests that kill receivers and senders.

    Earlier tests (in-process mypy runs above all) leave a large heap; every
    gc.collect() would scan it, and the thread and state-machine tests collect
    often. Objects that exist before a test starts are moved out of the
    collector's sight for its duration (gc.freeze), and handed back after.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
