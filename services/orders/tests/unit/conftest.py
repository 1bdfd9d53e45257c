"""Fixtures of the orders service's unit tests: the handlers wired to in-memory fakes."""

from __future__ import annotations

import pytest

from .fakes import Fakes


@pytest.fixture
def fakes() -> Fakes:
    """The orders handlers wired to in-memory fakes."""
    return Fakes()
