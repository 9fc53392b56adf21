"""``python -m typedsignals list|check|graph MODULE ...``: see ``typedsignals.cli``."""

from typedsignals.cli import main

raise SystemExit(main(prog="python -m typedsignals"))
