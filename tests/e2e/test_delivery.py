"""Delivery guarantees on the real stack: duplicates change nothing, outages lose nothing."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bespoke.stack import processes
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import client_options
from bespoke.stack.lifecycle import Stack
from bespoke_contracts import (
    PAYMENT_CLEARED,
    Envelope,
    PaymentCleared,
    PaymentClearedPayload,
)
from bespoke_contracts.topics import PUBLISHERS

from .conftest import checkout_body
from .test_order_slice import wait_for_emails

pytestmark = pytest.mark.stack


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def payment_for(
    account_id: str, order: dict[str, Any], email: str, amount: int | None = None
) -> PaymentCleared:
    """A ``payment.cleared`` for ``order`` (as the API shows it), by default of exactly
    its total (the only payment orders applies)."""
    order_number = order["order_number"]
    return PaymentCleared(
        account_id=account_id,
        correlation_id=f"test-{uuid.uuid4().hex[:8]}",
        payload=PaymentClearedPayload(
            invoice_id=f"inv_{uuid.uuid4().hex[:8]}",
            target=order_number,
            order_numbers=[order_number],
            amount=order["costs"]["total"] if amount is None else amount,
            currency="EUR",
            payment_intent_id="pi_test",
            paid_at=datetime.now(UTC),
            contact_email=email,
        ),
    )


async def publish(bootstrap: str, *events: Envelope[Any]) -> None:
    """Publish ``events`` as their topic's owner would (the one principal allowed to)."""
    for event in events:
        await publish_as(PUBLISHERS[event.TOPIC], bootstrap, event)


async def publish_as(principal: str, bootstrap: str, *events: Envelope[Any]) -> None:
    """Publish ``events`` signed in as ``principal``."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        **client_options(principal),
    )
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(event.TOPIC, event.to_json(), key=event.key())
    finally:
        await producer.stop()


async def wait_until_consumed(bootstrap: str, group: str, topic: str) -> None:
    """Until the consumer group has committed everything published to ``topic`` so far."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options())
        await probe.start()
        try:
            ends = await probe.end_offsets(partitions)
        finally:
            await probe.stop()
        async with asyncio.timeout(30):
            while True:
                committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
                if all(
                    committed.get(tp) and committed[tp].offset >= ends[tp]
                    for tp in partitions
                    if ends[tp]
                ):
                    return
                await asyncio.sleep(0.2)
    finally:
        await admin.close()


async def test_a_duplicated_payment_cleared_changes_nothing(
    api: httpx.AsyncClient,
    brand: dict[str, Any],
    design: dict[str, Any],
    running_system: StackConfig,
) -> None:
    order = (
        await api.post("/orders", json=checkout_body("pay@e2e.example", design), headers=key())
    ).json()
    number = order["order_number"]
    payment = payment_for(brand["account_id"], order, "pay@e2e.example")
    second_payment = payment_for(brand["account_id"], order, "pay@e2e.example")

    await publish(running_system.kafka_bootstrap, payment, payment, second_payment)
    await wait_until_consumed(running_system.kafka_bootstrap, "orders", PAYMENT_CLEARED)

    fetched = (await api.get(f"/orders/{number}")).json()
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert fetched["status"] == "work_in_process"
    assert [(h["status"], h["production_stage"]) for h in history] == [
        ("pending_payment", None),
        ("work_in_process", None),
        ("work_in_process", "queued"),  # launched: queued for the floor
    ]
    assert history[1]["cause"] == f"event:{payment.event_id}"


async def test_an_order_written_while_kafka_is_down_is_published_when_it_returns(
    api: httpx.AsyncClient, mailpit: httpx.AsyncClient, design: dict[str, Any], unique: str
) -> None:
    stack = Stack(StackConfig())
    [kafka] = stack.components(["kafka"])
    email = f"outage-{unique}@e2e.example"
    assert processes.stop(kafka.pid_file), "Kafka was not running under this stack"
    try:
        response = await api.post("/orders", json=checkout_body(email, design), headers=key())
        assert response.status_code == 201, "checkout must not need Kafka"
        number = response.json()["order_number"]
    finally:
        await stack.up(lambda line: print(line, file=sys.stderr), ["kafka"])

    [message] = await wait_for_emails(mailpit, email, 1)
    assert number in message["Subject"]
