"""One trace per piece of work, across processes: the caller's ``traceparent`` goes from
the gateway to the service, into the events the change causes, and on through the
consumers into the events they cause in turn (read back from Kafka's message headers)."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeAlias

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke_contracts import ORDER_STATUS_CHANGED, ORDER_SUBMITTED, PAYMENT_CLEARED

from .conftest import checkout_body
from .test_payments import pending_order

pytestmark = pytest.mark.stack

Record: TypeAlias = Any  # aiokafka ships no type information: ConsumerRecord[bytes, bytes]


def new_traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_of(record: Record) -> str | None:
    headers = {name: value.decode() for name, value in record.headers}
    if "traceparent" not in headers:
        return None
    return str(headers["traceparent"].split("-")[1])


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
    topics = [ORDER_SUBMITTED, PAYMENT_CLEARED, ORDER_STATUS_CHANGED]
    admin = AIOKafkaAdminClient(bootstrap_servers=running_system.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
    ]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=running_system.kafka_bootstrap, enable_auto_commit=False
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


async def test_a_checkout_s_trace_reaches_its_event(
    api: httpx.AsyncClient, design: dict[str, Any], from_now: Events
) -> None:
    trace_id, traceparent = new_traceparent()
    response = await api.post(
        "/orders",
        json=checkout_body("trace@e2e.example", design),
        headers={"Idempotency-Key": str(uuid.uuid4()), "traceparent": traceparent},
    )
    assert response.status_code == 201, response.text
    number = response.json()["order_number"]

    submitted = await from_now.first(
        lambda r: r.topic == ORDER_SUBMITTED and r.key == number.encode()
    )
    assert trace_of(submitted) == trace_id  # gateway -> orders -> outbox -> relay -> Kafka


async def test_a_payment_s_trace_goes_through_payments_and_orders(
    api: httpx.AsyncClient, design: dict[str, Any], from_now: Events
) -> None:
    number = await pending_order(api, design)
    trace_id, traceparent = new_traceparent()

    result = await simulate_success(number, headers={"traceparent": traceparent})

    assert result["outcome"] == "cleared"
    cleared = await from_now.first(
        lambda r: r.topic == PAYMENT_CLEARED and number in event(r)["payload"]["order_numbers"],
    )
    wip = await from_now.first(
        lambda r: (
            r.topic == ORDER_STATUS_CHANGED
            and r.key == number.encode()
            and event(r)["payload"]["to_status"] == "work_in_process"
        ),
    )
    # webhook -> gateway -> payments -> payment.cleared -> orders (a consumer) -> its event
    assert trace_of(cleared) == trace_id
    assert trace_of(wip) == trace_id
