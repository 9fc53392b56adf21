"""A package for the command-line tests (tests/test_cli.py): signals, and receivers."""
