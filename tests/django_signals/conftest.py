"""One venv per tested Django version, built once per session (``django_project.environment``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_project import VERSIONS, environment


@pytest.fixture(scope="session", params=sorted(VERSIONS))
def django_env(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """(Django version, its venv), for each tested version."""
    version: str = request.param
    return version, environment(version)
