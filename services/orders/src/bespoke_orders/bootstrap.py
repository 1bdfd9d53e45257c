"""Wiring: builds the orders service from its settings."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_orders.adapters.mongo import MongoOrderRepository, SystemClock, ensure_indexes
from bespoke_orders.adapters.outbox import OutboxRelay
from bespoke_orders.service_layer.handlers import OrdersDeps
from bespoke_orders.settings import OrdersSettings
from bespoke_platform.kafka import BrokerPublisher, make_broker
from bespoke_platform.mongo import Document, connect


@dataclass
class OrdersRuntime:
    """The running service's shared clients and background workers."""

    settings: OrdersSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    relay: OutboxRelay
    deps: OrdersDeps
    _relay_task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def start(self) -> None:
        """Indexes, the Kafka producer, then the outbox relay."""
        await ensure_indexes(self.mongo[self.settings.mongodb_database])
        await self.broker.start()
        self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._relay_task is not None:
            self._relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay_task
        await self.broker.stop()


def bootstrap(settings: OrdersSettings | None = None) -> OrdersRuntime:
    settings = settings or OrdersSettings()
    mongo = connect(settings.mongodb_url)
    db = mongo[settings.mongodb_database]
    broker = make_broker(settings.kafka_bootstrap, client_id="bespoke-orders")
    relay = OutboxRelay(db, BrokerPublisher(broker), poll_seconds=settings.outbox_poll_seconds)
    deps = OrdersDeps(
        orders=MongoOrderRepository(db),
        clock=SystemClock(),
        outbox=relay,
    )
    return OrdersRuntime(settings, mongo, broker, relay, deps)
