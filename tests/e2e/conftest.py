from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeAlias

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import client_options
from bespoke_contracts.topics import ALL_TOPICS


@pytest.fixture
def brand_from_cli(running_system: StackConfig, unique: str) -> dict[str, Any]:
    """A new brand made with the real command: `bespoke accounts create`."""
    bespoke = Path(sys.executable).parent / "bespoke"
    result = subprocess.run(
        [
            str(bespoke),
            "accounts",
            "create",
            "--name",
            f"E2E Brand {unique}",
            "--email",
            f"admin-{unique}@e2e.example",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    created: dict[str, Any] = json.loads(result.stdout)
    assert created["account_id"].startswith("acc_")
    assert created["token"].startswith("bsk_")
    return created


@pytest.fixture
async def api(
    running_system: StackConfig, brand: dict[str, Any]
) -> AsyncIterator[httpx.AsyncClient]:
    """The public API as that brand."""
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {brand['token']}"},
        timeout=15,
    ) as client:
        yield client


@pytest.fixture
async def browser(running_system: StackConfig) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, like a browser, and sends no token."""
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1", timeout=15
    ) as client:
        yield client


@pytest.fixture
async def design(api: httpx.AsyncClient) -> dict[str, Any]:
    """A design of the brand, cloned from the gallery: what checkout orders."""
    response = await api.post(
        "/gallery/gal_country_derby/clone", headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def checkout_body(email: str, design: dict[str, Any], **changes: Any) -> dict[str, Any]:
    address = {
        "name": "Atelier Norte",
        "line1": "Calle Mayor 1",
        "city": "Elda",
        "postal_code": "03600",
        "country": "ES",
    }
    body: dict[str, Any] = {
        "design_id": design["id"],
        "design_version": design["version"],
        "bom_hash": design["bom_hash"],
        "order_type": "mini_bulk",
        "sizes": {"41": 2, "42.5": 3},
        "shipping_address": address,
        "billing": {"name": "Atelier Norte SL", "email": email, "address": address},
        "labeling": "unlabeled",
    }
    body.update(changes)
    return body


Record: TypeAlias = Any  # aiokafka ships no type information: ConsumerRecord[bytes, bytes]


class Events:
    """Records of the event topics from the moment it was made; kept, so waiting for one
    does not drop another read in the same batch."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self._seen: list[Record] = []

    async def first(self, wanted: Callable[[Record], bool]) -> Record:
        async with asyncio.timeout(30):
            while True:
                for record in self._seen:
                    if wanted(record):
                        return record
                for records in (await self._consumer.getmany(timeout_ms=500)).values():
                    self._seen += records


@pytest.fixture
async def from_now(running_system: StackConfig) -> AsyncIterator[Events]:
    """Every event topic, read from its end as the test starts."""
    topics = list(ALL_TOPICS)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=running_system.kafka_bootstrap, **client_options(config=running_system)
    )
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
    ]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=running_system.kafka_bootstrap,
        enable_auto_commit=False,
        **client_options(config=running_system),
    )
    await consumer.start()
    consumer.assign(partitions)
    for partition, offset in (await consumer.end_offsets(partitions)).items():
        consumer.seek(partition, offset)
    yield Events(consumer)
    await consumer.stop()


def event(record: Record) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(record.value)
    return parsed
