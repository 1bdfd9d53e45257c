"""Fixtures of the design service's integration tests."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_design.adapters.mongo import ensure_indexes


@pytest.fixture
async def design_db(fresh_database: AsyncDatabase[dict[str, Any]]) -> AsyncDatabase[dict[str, Any]]:
    """A fresh design database with its indexes, on the real MongoDB-wire server."""
    await ensure_indexes(fresh_database)
    return fresh_database
