"""Kafka subscribers of the orders service: translate a record into a handler call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage

from bespoke_contracts import (
    PAYMENT_CLEARED,
    SHIPMENT_GROUPED,
    PaymentCleared,
    ShipmentGrouped,
)
from bespoke_orders.domain.errors import ConcurrentChange, OrdersError, UpstreamUnavailable
from bespoke_orders.service_layer import handlers
from bespoke_platform.messaging import PoisonMessage, consume

if TYPE_CHECKING:
    from bespoke_orders.bootstrap import OrdersRuntime


def subscribe(runtime: OrdersRuntime) -> None:
    """Register every subscriber on the runtime's broker."""

    @runtime.broker.subscriber(
        PAYMENT_CLEARED,
        group_id=runtime.settings.consumer_group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,  # commit after the orders are updated
        title="orders/payment.cleared",
        description="Moves every order a cleared payment covers to Work In Process.",
    )
    async def payment_cleared(message: KafkaMessage) -> None:
        async def handle(event: PaymentCleared) -> None:
            try:
                await handlers.on_payment_cleared(event, runtime.deps)
            except (ConcurrentChange, UpstreamUnavailable):
                raise  # transient: retried
            except OrdersError as error:
                raise PoisonMessage(str(error)) from error

        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await consume(record, PaymentCleared.from_json, handle, runtime.dead_letters)

    @runtime.broker.subscriber(
        SHIPMENT_GROUPED,
        group_id=runtime.settings.consumer_group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        title="orders/shipment.grouped",
        description="Records on each order the shipping group it ships in.",
    )
    async def shipment_grouped(message: KafkaMessage) -> None:
        async def handle(event: ShipmentGrouped) -> None:
            try:
                await handlers.on_shipment_grouped(event, runtime.deps)
            except (ConcurrentChange, UpstreamUnavailable):
                raise
            except OrdersError as error:
                raise PoisonMessage(str(error)) from error

        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await consume(record, ShipmentGrouped.from_json, handle, runtime.dead_letters)
