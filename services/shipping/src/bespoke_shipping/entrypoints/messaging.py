"""Kafka subscribers of the shipping service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bespoke_contracts import OrderRevised, OrderStatusChanged, OrderSubmitted, PaymentCleared
from bespoke_platform.messaging import subscribe_event
from bespoke_shipping.service_layer import handlers

if TYPE_CHECKING:
    from bespoke_shipping.bootstrap import ShippingRuntime


def subscribe(runtime: ShippingRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    group, deps = runtime.settings.consumer_group, runtime.deps

    async def order_submitted(event: OrderSubmitted) -> None:
        await handlers.on_order_submitted(event, deps)

    async def order_revised(event: OrderRevised) -> None:
        await handlers.on_order_revised(event, deps)

    async def order_status_changed(event: OrderStatusChanged) -> None:
        await handlers.on_order_status_changed(event, deps)

    async def payment_cleared(event: PaymentCleared) -> None:
        await handlers.on_payment_cleared(event, deps)

    subscribe_event(
        runtime.broker,
        OrderSubmitted,
        group,
        order_submitted,
        runtime.dead_letters,
        "Records the order's pairs, address and shipping cost, so it can be grouped.",
    )
    subscribe_event(
        runtime.broker,
        OrderRevised,
        group,
        order_revised,
        runtime.dead_letters,
        "Takes an edited order's new pairs and address; dissolves an open group holding it.",
    )
    subscribe_event(
        runtime.broker,
        OrderStatusChanged,
        group,
        order_status_changed,
        runtime.dead_letters,
        "Tracks order status; a cancelled order dissolves the open group holding it.",
    )
    subscribe_event(
        runtime.broker,
        PaymentCleared,
        group,
        payment_cleared,
        runtime.dead_letters,
        "Creates the shipment (awaiting production) of a paid order or shipping group.",
    )
