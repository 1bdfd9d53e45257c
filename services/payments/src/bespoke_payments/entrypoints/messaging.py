"""Kafka subscribers of the payments service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage

from bespoke_contracts import ORDER_REVISED, ORDER_SUBMITTED, OrderRevised, OrderSubmitted
from bespoke_payments.service_layer import handlers
from bespoke_platform.messaging import consume

if TYPE_CHECKING:
    from bespoke_payments.bootstrap import PaymentsRuntime


def subscribe(runtime: PaymentsRuntime) -> None:
    group = runtime.settings.consumer_group

    @runtime.broker.subscriber(
        ORDER_SUBMITTED,
        group_id=group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        title="payments/order.submitted",
        description="Opens the order's invoice from the costs in the event.",
    )
    async def order_submitted(message: KafkaMessage) -> None:
        async def handle(event: OrderSubmitted) -> None:
            await handlers.on_order_submitted(event, runtime.deps)

        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await consume(record, OrderSubmitted.from_json, handle, runtime.dead_letters)

    @runtime.broker.subscriber(
        ORDER_REVISED,
        group_id=group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        title="payments/order.revised",
        description="Re-prices the open invoice of an edited order.",
    )
    async def order_revised(message: KafkaMessage) -> None:
        async def handle(event: OrderRevised) -> None:
            await handlers.on_order_revised(event, runtime.deps)

        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await consume(record, OrderRevised.from_json, handle, runtime.dead_letters)
