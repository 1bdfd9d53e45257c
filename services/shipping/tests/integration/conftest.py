from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke.stack.containers import Infrastructure
from bespoke_platform.mongo import connect
from bespoke_shipping.adapters.mongo import ensure_indexes


@pytest.fixture
async def shipping_db(
    stack_infrastructure: Infrastructure, unique: str
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A fresh shipping database on the real MongoDB-wire server, dropped afterwards."""
    client = connect(stack_infrastructure.mongodb_url)
    name = f"test_shipping_{unique}"
    db = client[name]
    await ensure_indexes(db)
    yield db
    await client.drop_database(name)
    await client.close()
