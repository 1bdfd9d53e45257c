"""Kafka subscribers: translate a record into a handler call, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage

from bespoke_contracts import ORDER_SUBMITTED, OrderSubmitted
from bespoke_notifications.service_layer import handlers
from bespoke_platform.messaging import consume

if TYPE_CHECKING:
    from bespoke_notifications.bootstrap import NotificationsRuntime


def subscribe(runtime: NotificationsRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    settings = runtime.settings

    @runtime.broker.subscriber(
        ORDER_SUBMITTED,
        group_id=settings.consumer_group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,  # commit after the email is sent and recorded
        title="notifications/order.submitted",
        description="Emails the order specifications to the brand after checkout.",
    )
    async def order_submitted(message: KafkaMessage) -> None:
        async def handle(event: OrderSubmitted) -> None:
            await handlers.on_order_submitted(event, runtime.deps)

        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await consume(record, OrderSubmitted.from_json, handle, runtime.dead_letters)
