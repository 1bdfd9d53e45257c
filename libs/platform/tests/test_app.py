from __future__ import annotations

from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from bespoke_platform.app import service_app


async def test_health_names_what_is_not_ready() -> None:
    async def kafka_down() -> bool:
        return False

    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", serverSelectionTimeoutMS=100),
        ready_checks={"kafka": kafka_down},
    )
    async with AsyncTestClient(app) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": ["mongodb", "kafka"]}
