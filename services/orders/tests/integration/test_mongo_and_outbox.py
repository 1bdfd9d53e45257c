from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo.asynchronous.database import AsyncDatabase

from bespoke.stack.config import StackConfig
from bespoke_contracts import ORDER_SUBMITTED, Address, BillingInfo, Labeling, OrderType
from bespoke_orders.adapters.mongo import (
    MongoOrderRepository,
    SystemClock,
)
from bespoke_orders.adapters.outbox import OutboxRelay
from bespoke_orders.domain.model import Checkout, check_out
from bespoke_orders.service_layer import handlers
from bespoke_platform.kafka import BrokerPublisher, make_broker

pytestmark = pytest.mark.stack

ADDRESS = Address(
    name="Atelier Norte", line1="Calle Mayor 1", city="Elda", postal_code="03600", country="ES"
)


def command(key: str, account: str = "acc_it") -> Checkout:
    return Checkout(
        account_id=account,
        idempotency_key=key,
        design_id="des_1",
        design_version=1,
        bom_hash="sha256:abc",
        order_type=OrderType.MTO,
        sizes={"42.5": 1},
        shipping_address=ADDRESS,
        billing=BillingInfo(name="Norte SL", email="ops@norte.example", address=ADDRESS),
        labeling=Labeling.UNLABELED,
        request_id="req-it",
    )


async def topic_partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


class NoRelay:
    def wake(self) -> None:
        pass


async def test_concurrent_checkouts_get_unique_gapless_numbers(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    deps = handlers.OrdersDeps(MongoOrderRepository(orders_db), SystemClock(), NoRelay())

    results = await asyncio.gather(
        *(handlers.check_out(command(f"k{i}", account=f"acc_{i % 3}"), deps) for i in range(30))
    )

    numbers = sorted(r.order.order_number for r in results)
    assert numbers == [f"BF-{n:06d}" for n in range(1, 31)]
    assert await orders_db.orders.count_documents({}) == 30


async def test_an_order_and_its_event_are_stored_in_one_document(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)
    order = check_out(command("k1"), "BF-000007", datetime.now(UTC))

    await repository.add(order)

    doc = await orders_db.orders.find_one({"_id": "BF-000007"})
    assert doc is not None
    assert doc["outbox_pending"] is True
    [entry] = doc["outbox"]
    assert entry["topic"] == ORDER_SUBMITTED
    assert json.loads(entry["value"])["payload"]["order_number"] == "BF-000007"
    again = await repository.get("acc_it", "BF-000007")
    assert again is not None
    assert again.sizes == {"42.5": 1}
    assert again.shipping_address == ADDRESS
    assert await repository.get("acc_other", "BF-000007") is None


async def test_racing_requests_with_one_key_store_one_order(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)
    first = check_out(command("same"), "BF-000001", datetime.now(UTC))
    second = check_out(command("same"), "BF-000002", datetime.now(UTC))

    stored = [await repository.add(first), await repository.add(second)]

    assert [o.order_number for o in stored] == ["BF-000001", "BF-000001"]
    assert await orders_db.orders.count_documents({}) == 1


async def test_checkout_is_published_to_kafka_once_by_the_relay(
    orders_db: AsyncDatabase[dict[str, Any]], stack_infrastructure: StackConfig, unique: str
) -> None:
    broker = make_broker(stack_infrastructure.kafka_bootstrap, client_id="test-relay")
    await broker.start()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack_infrastructure.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = await topic_partitions(stack_infrastructure.kafka_bootstrap, ORDER_SUBMITTED)
        assert partitions, "topic order.submitted missing: was it created by `bespoke stack up`?"
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        for tp, offset in end.items():
            consumer.seek(tp, offset)

        relay = OutboxRelay(orders_db, BrokerPublisher(broker))
        deps = handlers.OrdersDeps(MongoOrderRepository(orders_db), SystemClock(), NoRelay())
        account = f"acc_{unique}"
        result = await handlers.check_out(
            dataclasses.replace(command("k-relay"), account_id=account), deps
        )

        assert await relay.publish_pending() == 1
        assert await relay.publish_pending() == 0, "a published event must not be sent again"

        received = []
        async with asyncio.timeout(20):
            while not received:
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    received += [r for r in records if json.loads(r.value)["account_id"] == account]
        [record] = received
        assert record.key == result.order.order_number.encode()
        assert dict(record.headers)["event_type"] == b"order.submitted"
        doc = await orders_db.orders.find_one({"_id": result.order.order_number})
        assert doc is not None
        assert doc["outbox_pending"] is False
    finally:
        await consumer.stop()
        await broker.stop()
