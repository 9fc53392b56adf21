"""The project's own signal: untyped, so only the rules that need no types apply."""

from django.dispatch import Signal

order_placed = Signal()
