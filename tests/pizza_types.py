"""The sender and payload types the runtime tests share."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Store:
    """A sender."""


class PizzaDone(TypedDict):
    """A payload with two Required keys and a NotRequired one."""

    size: int
    toppings: list[str]
    note: NotRequired[str]
