"""Wiring: builds the orders service from its settings."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_orders.adapters.artwork import Inspector
from bespoke_orders.adapters.mongo import (
    MongoBrandLabels,
    MongoOrderRepository,
    ensure_indexes,
)
from bespoke_orders.adapters.services import HttpDesignCatalog, HttpShippingRates
from bespoke_orders.adapters.stamps import GridFsFiles, MongoStamps, ensure_stamp_indexes
from bespoke_orders.domain.model import Order
from bespoke_orders.service_layer.handlers import OrdersDeps, flag_late_orders
from bespoke_orders.service_layer.stamps import sweep_stamp_holds
from bespoke_orders.service_layer.subscriptions import SUBSCRIPTIONS, poison_on_refusal
from bespoke_orders.settings import OrdersSettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.credentials import signer_from
from bespoke_platform.kafka import BrokerPublisher, KafkaLogin, make_broker
from bespoke_platform.messaging import PartitionWorkers, subscribe_all
from bespoke_platform.mongo import Document, connect
from bespoke_platform.outbox import OutboxRelay
from bespoke_platform.tracing import service_client
from bespoke_platform.worker import BackgroundLoop

log = logging.getLogger(__name__)


def _job_ticket(order: Order, now: datetime, drawing: bytes | None) -> bytes:
    """The job ticket, with ReportLab loaded when the first one is printed: a replica that
    prints none does not carry the PDF engine (about 40 MB of its memory)."""
    from bespoke_orders.adapters.ticket import job_ticket

    return job_ticket(order, now, drawing)


@dataclass
class OrdersRuntime:
    """The running service's shared clients and background workers."""

    settings: OrdersSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    relay: OutboxRelay
    stamps_relay: OutboxRelay
    deps: OrdersDeps
    dead_letters: BrokerPublisher
    design: HttpDesignCatalog
    shipping: HttpShippingRates
    late_orders: BackgroundLoop
    stamp_holds: BackgroundLoop
    """Launches orders whose wait for their brand's stamps is over, reminds the brand."""
    orders: MongoOrderRepository
    consumer: PartitionWorkers = field(default_factory=PartitionWorkers)
    """Handles the events of the service's one Kafka consumer; stopped before the broker."""
    _rebuild: asyncio.Task[None] | None = field(default=None, init=False)

    async def start(self) -> None:
        """Indexes, the Kafka producer, then the outbox relays and the periodic checks."""
        db = self.mongo[self.settings.mongodb_database]
        await ensure_indexes(db)
        await ensure_stamp_indexes(db)
        # In the background: the check waits a few seconds when the newest order has no
        # summary yet, and the pool fills as any rebuild runs.
        self._rebuild = asyncio.create_task(self._rebuild_summaries())
        await self.broker.start()
        self.relay.start()
        self.stamps_relay.start()
        self.late_orders.start()
        self.stamp_holds.start()

    async def _rebuild_summaries(self) -> None:
        """Orders stored before their summaries were (a database from before the read
        model, or restored without it): their summaries, made again."""
        try:
            if not await self.orders.summaries_behind():
                return
            log.warning("order summaries behind the orders: rebuilding them")
            report = await self.orders.rebuild_summaries()
            log.warning("order summaries rebuilt: %s", report)
        except Exception:
            log.exception("rebuilding the order summaries failed (`bespoke orders rebuild-pool`)")

    async def stop(self) -> None:
        await self.consumer.stop()
        if self._rebuild is not None:
            self._rebuild.cancel()
        await self.stamp_holds.stop()
        await self.late_orders.stop()
        await self.stamps_relay.stop()
        await self.relay.stop()
        await self.broker.stop()
        await self.design.aclose()
        await self.shipping.aclose()


def bootstrap(
    settings: OrdersSettings | None = None, broker: KafkaBroker | None = None
) -> OrdersRuntime:
    settings = settings or OrdersSettings()
    mongo = connect(settings.mongodb_url)
    db = mongo[settings.mongodb_database]
    broker = broker or make_broker(
        settings.kafka_bootstrap, client_id="bespoke-orders", login=KafkaLogin.of(settings)
    )
    publisher = BrokerPublisher(broker)

    async def refresh_summaries(order_numbers: list[str]) -> None:
        await orders.refresh_summaries(order_numbers)

    relay = OutboxRelay(
        db.orders,
        db.outbox_signals,
        publisher,
        poll_seconds=settings.outbox_poll_seconds,
        recovered=refresh_summaries,
    )
    orders = MongoOrderRepository(db, relay.signals)
    stamps_relay = OutboxRelay(
        db.stamps, db.stamp_signals, publisher, poll_seconds=settings.outbox_poll_seconds
    )
    timeout = httpx.Timeout(settings.upstream_timeout_seconds)
    signer = signer_from("orders", settings.signing_key, settings.signing_key_id)
    design = HttpDesignCatalog(service_client(settings.design_url, timeout), signer)
    shipping = HttpShippingRates(service_client(settings.shipping_url, timeout), signer)
    deps = OrdersDeps(
        orders=orders,
        clock=SystemClock(),
        design=design,
        shipping=shipping,
        brands=MongoBrandLabels(db),
        tickets=_job_ticket,
        stamps=MongoStamps(db, stamps_relay.signals),
        files=GridFsFiles(db),
        inspector=Inspector(),
        stamp_hold=settings.stamp_hold,
    )
    late_orders = BackgroundLoop(
        "late-orders", lambda: flag_late_orders(deps), settings.late_check_seconds
    )
    stamp_holds = BackgroundLoop(
        "stamp-holds", lambda: sweep_stamp_holds(deps), settings.stamp_hold_check_seconds
    )
    runtime = OrdersRuntime(
        settings,
        mongo,
        broker,
        relay,
        stamps_relay,
        deps,
        publisher,
        design,
        shipping,
        late_orders,
        stamp_holds,
        orders,
    )
    subscribe_all(
        broker,
        settings.consumer_group,
        runtime.dead_letters,
        lambda: runtime.deps,
        SUBSCRIPTIONS,
        instance_id=settings.consumer_instance_id,
        workers=runtime.consumer,
        around=poison_on_refusal,
    )
    return runtime
