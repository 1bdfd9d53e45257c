"""Fixtures of the shipping service's integration tests."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_shipping.adapters.mongo import ensure_indexes


@pytest.fixture
async def shipping_db(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> AsyncDatabase[dict[str, Any]]:
    """A fresh shipping database with its indexes, on the real MongoDB-wire server."""
    await ensure_indexes(fresh_database)
    return fresh_database
