"""Wiring: builds the shipping service (shipping rates, shipping groups and shipments) from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_platform.clock import SystemClock
from bespoke_platform.kafka import BrokerPublisher, KafkaLogin, make_broker
from bespoke_platform.messaging import PartitionWorkers, subscribe_all
from bespoke_platform.mongo import Document, connect
from bespoke_platform.outbox import OutboxRelay
from bespoke_platform.worker import BackgroundLoop
from bespoke_shipping.adapters.mongo import (
    MongoGroups,
    MongoOrderRecords,
    MongoShipments,
    ensure_indexes,
)
from bespoke_shipping.adapters.rates_file import load_rates
from bespoke_shipping.service_layer import handlers
from bespoke_shipping.service_layer.handlers import ShippingDeps
from bespoke_shipping.service_layer.subscriptions import SUBSCRIPTIONS
from bespoke_shipping.settings import ShippingSettings


@dataclass
class ShippingRuntime:
    """The running service's shared clients and background workers."""

    settings: ShippingSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    relays: tuple[OutboxRelay, OutboxRelay]
    dead_letters: BrokerPublisher
    deps: ShippingDeps
    recovery: BackgroundLoop
    """Completes or refuses groups left forming by a crash, every ``recovery_seconds``."""
    consumer: PartitionWorkers = field(default_factory=PartitionWorkers)
    """Handles the events of the service's one Kafka consumer; stopped before the broker."""

    async def start(self) -> None:
        """Indexes, the Kafka producer, the outbox relays, recovery of interrupted groups."""
        await ensure_indexes(self.mongo[self.settings.mongodb_database])
        await self.broker.start()
        for relay in self.relays:
            relay.start()
        self.recovery.start()

    async def stop(self) -> None:
        await self.consumer.stop()
        await self.recovery.stop()
        for relay in self.relays:
            await relay.stop()
        await self.broker.stop()


def bootstrap(
    settings: ShippingSettings | None = None, broker: KafkaBroker | None = None
) -> ShippingRuntime:
    settings = settings or ShippingSettings()
    mongo = connect(settings.mongodb_url)
    db = mongo[settings.mongodb_database]
    broker = broker or make_broker(
        settings.kafka_bootstrap, client_id="bespoke-shipping", login=KafkaLogin.of(settings)
    )
    publisher = BrokerPublisher(broker)
    poll = settings.outbox_poll_seconds
    groups_relay = OutboxRelay(db.groups, db.group_signals, publisher, poll_seconds=poll)
    shipments_relay = OutboxRelay(db.shipments, db.shipment_signals, publisher, poll_seconds=poll)
    deps = ShippingDeps(
        rates=load_rates(),
        orders=MongoOrderRecords(db),
        groups=MongoGroups(db, groups_relay.signals),
        shipments=MongoShipments(db, shipments_relay.signals),
        clock=SystemClock(),
        order_wait_seconds=settings.order_wait_seconds,
    )
    recovery = BackgroundLoop(
        "group-recovery", lambda: handlers.recover_forming(deps), settings.recovery_seconds
    )
    runtime = ShippingRuntime(
        settings, mongo, broker, (groups_relay, shipments_relay), publisher, deps, recovery
    )
    subscribe_all(
        broker,
        settings.consumer_group,
        runtime.dead_letters,
        lambda: runtime.deps,
        SUBSCRIPTIONS,
        instance_id=settings.consumer_instance_id,
        workers=runtime.consumer,
    )
    return runtime
