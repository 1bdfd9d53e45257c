"""Wiring: builds the notifications service from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from bespoke_notifications.adapters.mongo import MongoSentLog
from bespoke_notifications.adapters.smtp import SmtpMailer
from bespoke_notifications.service_layer.handlers import NotificationsDeps
from bespoke_notifications.settings import NotificationsSettings
from bespoke_platform.kafka import BrokerPublisher, make_broker
from bespoke_platform.mongo import Document, connect


@dataclass
class NotificationsRuntime:
    settings: NotificationsSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    dead_letters: BrokerPublisher
    deps: NotificationsDeps


def bootstrap(
    settings: NotificationsSettings | None = None,
    deps: NotificationsDeps | None = None,
    broker: KafkaBroker | None = None,
) -> NotificationsRuntime:
    settings = settings or NotificationsSettings()
    mongo = connect(settings.mongodb_url)
    broker = broker or make_broker(settings.kafka_bootstrap, client_id="bespoke-notifications")
    deps = deps or NotificationsDeps(
        mailer=SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_starttls,
        ),
        sent=MongoSentLog(mongo[settings.mongodb_database]),
    )
    runtime = NotificationsRuntime(settings, mongo, broker, BrokerPublisher(broker), deps)
    from bespoke_notifications.entrypoints.messaging import subscribe

    subscribe(runtime)
    return runtime
