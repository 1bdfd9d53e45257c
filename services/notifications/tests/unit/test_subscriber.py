"""The subscriber wiring, with FastStream's in-memory broker (unit level: no Kafka)."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from bespoke_contracts import ORDER_SUBMITTED, OrderSubmitted, dead_letter_topic
from bespoke_notifications.bootstrap import bootstrap
from bespoke_notifications.settings import NotificationsSettings


def runtime_with(fakes: Any) -> Any:
    return bootstrap(NotificationsSettings(), deps=fakes.deps, broker=KafkaBroker())


async def test_an_order_submitted_message_sends_the_email(
    order_submitted: OrderSubmitted, fakes: Any
) -> None:
    runtime = runtime_with(fakes)
    async with TestKafkaBroker(runtime.broker) as broker:
        await broker.publish(order_submitted.to_json(), ORDER_SUBMITTED, key=order_submitted.key())

    [email] = fakes.mailer.sent
    assert "BF-000042" in email.subject


async def test_a_poison_message_goes_to_the_dead_letter_topic(fakes: Any) -> None:
    runtime = runtime_with(fakes)
    parked: list[Any] = []

    @runtime.broker.subscriber(dead_letter_topic(ORDER_SUBMITTED))
    async def dead_letters(message: KafkaMessage) -> None:
        parked.append(message)

    async with TestKafkaBroker(runtime.broker) as broker:
        await broker.publish(
            b'{"event_type": "order.submitted", "payload": {}}', ORDER_SUBMITTED, key=b"x"
        )

    assert fakes.mailer.sent == []
    [message] = parked
    assert message.body == b'{"event_type": "order.submitted", "payload": {}}'
    assert message.headers["dlq-source-topic"] == ORDER_SUBMITTED
    assert "invalid event" in message.headers["dlq-error"]


async def test_a_transient_failure_is_retried(
    order_submitted: OrderSubmitted, fakes: Any, monkeypatch: Any
) -> None:
    import bespoke_platform.messaging as messaging

    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr(messaging.asyncio, "sleep", no_sleep)
    fakes.mailer.failures_left = 2
    runtime = runtime_with(fakes)
    async with TestKafkaBroker(runtime.broker) as broker:
        await broker.publish(order_submitted.to_json(), ORDER_SUBMITTED, key=order_submitted.key())

    assert len(fakes.mailer.sent) == 1
