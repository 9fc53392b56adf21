"""The command line: ``python -m typedsignals list|check|graph MODULE ...``.

Also installed as the ``typedsignals`` script; the Django management command
``signals`` (``typedsignals.django``) runs the same commands.
``loading.py`` turns ``MODULE[:SIGNAL]`` into signals, ``output.py`` prints
them, ``main.py`` is the parser and the commands.
"""

from .loading import LoadError, load
from .main import add_commands, main, run

__all__ = ["LoadError", "add_commands", "load", "main", "run"]
