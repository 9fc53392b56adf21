"""Shared set-up for tests that need more than this interpreter.

``interpreters`` finds the other CPythons (through pyenv), ``venvs`` builds
cached virtual environments with uv, and ``sdists`` downloads and unpacks
source distributions from PyPI. Each fails loudly when it cannot: a test
that needs them never skips silently.
"""
