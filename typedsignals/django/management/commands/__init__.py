"""``manage.py signals``: see ``signals.py``."""
