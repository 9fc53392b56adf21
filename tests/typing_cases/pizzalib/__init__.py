"""A typed library declaring signals, as a third-party package would (it ships py.typed)."""

from .signals import PizzaDone, PizzaSignal, Store, by_annotation, by_class, pizza_done

__all__ = ["PizzaDone", "PizzaSignal", "Store", "by_annotation", "by_class", "pizza_done"]
