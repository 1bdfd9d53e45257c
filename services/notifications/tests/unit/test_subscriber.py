"""The subscriber wiring, with FastStream's in-memory broker (unit level: no Kafka)."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from bespoke_contracts import EVENT_TYPES, ORDER_SUBMITTED, OrderSubmitted, dead_letter_topic
from bespoke_notifications.bootstrap import NotificationsRuntime, bootstrap
from bespoke_notifications.service_layer.subscriptions import SUBSCRIPTIONS
from bespoke_notifications.settings import NotificationsSettings

from .fakes import Fakes


def runtime_with(fakes: Fakes) -> NotificationsRuntime:
    return bootstrap(
        NotificationsSettings(),
        broker=KafkaBroker(),
        mailer=fakes.mailer,
        send_log=fakes.log,
        clock=fakes.clock,
        drawings=fakes.drawings,
    )


async def test_an_order_submitted_message_records_its_email(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    runtime = runtime_with(fakes)
    async with TestKafkaBroker(runtime.broker) as broker:
        await broker.publish(order_submitted.to_json(), ORDER_SUBMITTED, key=order_submitted.key())
    [delivery] = fakes.log.log.values()
    assert "BF-000042" in delivery.email.subject


def test_every_event_a_brand_hears_about_is_subscribed() -> None:
    topics = {event_type.TOPIC for event_type, _, _ in SUBSCRIPTIONS}
    # A floor scan reaches brands as the order stage it causes (`order.stage_changed`).
    # An issued invoice is linked from the emails of the payment and the refund.
    unheard = {
        "order.status_changed",
        "order.revised",
        "production.stage_reported",
        "invoice.issued",
    }
    assert topics == set(EVENT_TYPES) - unheard


async def test_a_poison_message_goes_to_the_dead_letter_topic(fakes: Fakes) -> None:
    runtime = runtime_with(fakes)
    parked: list[Any] = []

    @runtime.broker.subscriber(dead_letter_topic(ORDER_SUBMITTED))
    async def dead_letters(message: KafkaMessage) -> None:
        parked.append(message)

    async with TestKafkaBroker(runtime.broker) as broker:
        await broker.publish(
            b'{"event_type": "order.submitted", "payload": {}}', ORDER_SUBMITTED, key=b"x"
        )

    assert fakes.log.log == {}
    [message] = parked
    assert message.headers["dlq-source-topic"] == ORDER_SUBMITTED
    assert "invalid event" in message.headers["dlq-error"]
