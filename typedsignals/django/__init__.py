"""Django integration for typedsignals (``pip install 'typedsignals[django]'``).

``typedsignals.django.swap.install()`` puts typedsignals' ``Signal`` and
``receiver`` in place of ``django.dispatch``'s, before Django's signal
modules load.
"""
