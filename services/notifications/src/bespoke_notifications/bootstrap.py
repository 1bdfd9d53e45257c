"""Wiring: builds the notifications service from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_notifications.adapters.drawings import HttpDrawings
from bespoke_notifications.adapters.mongo import MongoSendLog, ensure_indexes
from bespoke_notifications.adapters.smtp import SmtpMailer
from bespoke_notifications.adapters.templates import TemplateWriter
from bespoke_notifications.service_layer.delivery import Courier, RetryPolicy
from bespoke_notifications.service_layer.handlers import NotificationsDeps
from bespoke_notifications.service_layer.ports import Clock, Drawings, Mailer, SendLog
from bespoke_notifications.service_layer.subscriptions import SUBSCRIPTIONS
from bespoke_notifications.settings import NotificationsSettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.credentials import signer_from
from bespoke_platform.kafka import BrokerPublisher, KafkaLogin, make_broker
from bespoke_platform.messaging import PartitionWorkers, subscribe_all
from bespoke_platform.mongo import Document, connect
from bespoke_platform.tracing import service_client


@dataclass
class NotificationsRuntime:
    settings: NotificationsSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    dead_letters: BrokerPublisher
    deps: NotificationsDeps
    courier: Courier
    consumer: PartitionWorkers = field(default_factory=PartitionWorkers)
    """Handles the events of the service's one Kafka consumer; stopped before the broker."""

    async def start(self) -> None:
        """Indexes, the Kafka client, then the courier."""
        await ensure_indexes(self.mongo[self.settings.mongodb_database])
        await self.broker.start()
        self.courier.start()

    async def stop(self) -> None:
        await self.consumer.stop()
        await self.courier.stop()
        await self.broker.stop()
        if isinstance(self.deps.drawings, HttpDrawings):
            await self.deps.drawings.aclose()


def bootstrap(
    settings: NotificationsSettings | None = None,
    broker: KafkaBroker | None = None,
    mailer: Mailer | None = None,
    send_log: SendLog | None = None,
    clock: Clock | None = None,
    drawings: Drawings | None = None,
) -> NotificationsRuntime:
    """The service from its settings; tests pass fakes for the broker, the mailer, the send
    log, the clock and the drawings, and get everything else wired as in production."""
    settings = settings or NotificationsSettings()
    mongo = connect(settings.mongodb_url)
    broker = broker or make_broker(
        settings.kafka_bootstrap, client_id="bespoke-notifications", login=KafkaLogin.of(settings)
    )
    send_log = send_log or MongoSendLog(mongo[settings.mongodb_database])
    clock = clock or SystemClock()
    courier = Courier(
        mailer
        or SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            settings.smtp_username,
            settings.smtp_password,
            start_tls=settings.smtp_starttls,
            use_tls=settings.smtp_tls,
            timeout=settings.smtp_timeout_seconds,
        ),
        send_log,
        clock,
        RetryPolicy(
            first_delay=settings.retry_first_delay_seconds,
            max_delay=settings.retry_max_delay_seconds,
            give_up_after=settings.give_up_after_seconds,
            lease=settings.sending_lease_seconds,
        ),
        poll_seconds=settings.courier_poll_seconds,
    )
    drawings = drawings or HttpDrawings(
        service_client(settings.design_url, settings.upstream_timeout_seconds),
        signer_from("notifications", settings.signing_key, settings.signing_key_id),
    )
    deps = NotificationsDeps(
        writer=TemplateWriter(settings.backoffice_url),
        log=send_log,
        clock=clock,
        courier=courier,
        drawings=drawings,
    )
    runtime = NotificationsRuntime(settings, mongo, broker, BrokerPublisher(broker), deps, courier)
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
