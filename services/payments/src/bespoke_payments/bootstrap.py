"""Wiring: builds the payments service (invoices, Stripe, webhooks) from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_payments.adapters.mongo import (
    MongoInvoices,
    MongoIssuedInvoices,
    MongoProcessedWebhooks,
    ensure_indexes,
)
from bespoke_payments.adapters.stripe_gateway import StripePayments, StripeWebhookVerifier
from bespoke_payments.adapters.vies import ViesCheck
from bespoke_payments.domain.invoicing import Party
from bespoke_payments.service_layer.handlers import PaymentsDeps, sweep_refunds
from bespoke_payments.service_layer.subscriptions import SUBSCRIPTIONS
from bespoke_payments.settings import PaymentsSettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.kafka import BrokerPublisher, KafkaLogin, make_broker
from bespoke_platform.messaging import PartitionWorkers, subscribe_all
from bespoke_platform.mongo import Document, connect
from bespoke_platform.outbox import OutboxRelay
from bespoke_platform.worker import BackgroundLoop


@dataclass
class PaymentsRuntime:
    settings: PaymentsSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    relay: OutboxRelay
    dead_letters: BrokerPublisher
    deps: PaymentsDeps
    refund_sweep: BackgroundLoop
    consumer: PartitionWorkers = field(default_factory=PartitionWorkers)
    """Handles the events of the service's one Kafka consumer; stopped before the broker."""

    async def start(self) -> None:
        await ensure_indexes(self.mongo[self.settings.mongodb_database])
        await self.broker.start()
        self.relay.start()
        self.refund_sweep.start()

    async def stop(self) -> None:
        await self.consumer.stop()
        await self.refund_sweep.stop()
        await self.relay.stop()
        await self.broker.stop()


def bootstrap(
    settings: PaymentsSettings | None = None, broker: KafkaBroker | None = None
) -> PaymentsRuntime:
    settings = settings or PaymentsSettings()
    mongo = connect(settings.mongodb_url)
    db = mongo[settings.mongodb_database]
    broker = broker or make_broker(
        settings.kafka_bootstrap, client_id="bespoke-payments", login=KafkaLogin.of(settings)
    )
    publisher = BrokerPublisher(broker)
    relay = OutboxRelay(
        db.invoices, db.outbox_signals, publisher, poll_seconds=settings.outbox_poll_seconds
    )
    deps = PaymentsDeps(
        invoices=MongoInvoices(db, relay.signals),
        stripe=StripePayments(
            settings.stripe_api_key, settings.stripe_api_base, proxy=settings.stripe_proxy or None
        ),
        webhooks=StripeWebhookVerifier(
            settings.stripe_webhook_secret, settings.stripe_webhook_tolerance_seconds
        ),
        processed=MongoProcessedWebhooks(db),
        clock=SystemClock(),
        issued=MongoIssuedInvoices(db),
        seller=Party(
            settings.seller_name,
            tuple(settings.seller_address),
            settings.seller_country,
            settings.seller_vat_id,
        ),
        vat_check=(
            ViesCheck(
                settings.vies_url, settings.vies_timeout_seconds, settings.stripe_proxy or None
            )
            if settings.vies_url
            else None
        ),
        live=settings.live,
    )
    sweep = BackgroundLoop(
        "refund-sweep", lambda: sweep_refunds(deps), settings.refund_sweep_seconds
    )
    runtime = PaymentsRuntime(settings, mongo, broker, relay, publisher, deps, sweep)
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
