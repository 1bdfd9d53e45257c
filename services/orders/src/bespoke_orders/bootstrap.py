"""Wiring: builds the orders service from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_platform.kafka import BrokerPublisher, make_broker
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_orders.adapters.mongo import (
    Document,
    MongoOrderRepository,
    SystemClock,
    connect,
)
from bespoke_orders.adapters.outbox import OutboxRelay
from bespoke_orders.service_layer.handlers import OrdersDeps
from bespoke_orders.settings import OrdersSettings


@dataclass
class OrdersRuntime:
    """The running service's shared clients and background workers."""

    settings: OrdersSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    relay: OutboxRelay
    deps: OrdersDeps


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
