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


async def test_liveness_needs_nothing_and_readiness_says_when_to_come_back() -> None:
    async def kafka_raises() -> bool:
        raise ConnectionError("broker gone")

    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", serverSelectionTimeoutMS=100),
        ready_checks={"kafka": kafka_raises},
    )
    async with AsyncTestClient(app) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == "5"
    assert ready.json()["failing"] == ["mongodb", "kafka"]


async def test_every_response_carries_a_request_id() -> None:
    app = service_app(mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False))
    async with AsyncTestClient(app) as client:
        given = await client.get("/health/live", headers={"X-Request-Id": "req-abc.1"})
        made = await client.get("/health/live")
        hostile = await client.get("/health/live", headers={"X-Request-Id": "bad id; drop"})
        missing = await client.get("/nowhere")
    assert given.headers["x-request-id"] == "req-abc.1"
    assert made.headers["x-request-id"].startswith("req_")
    assert hostile.headers["x-request-id"].startswith("req_")
    assert missing.status_code == 404
    assert missing.headers["x-request-id"].startswith("req_")
