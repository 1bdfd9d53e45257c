"""Kafka subscribers of the payments service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bespoke_contracts import OrderRevised, OrderSubmitted, ShipmentGrouped, ShipmentUngrouped
from bespoke_payments.service_layer import handlers
from bespoke_platform.messaging import subscribe_event

if TYPE_CHECKING:
    from bespoke_payments.bootstrap import PaymentsRuntime


def subscribe(runtime: PaymentsRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    group, deps = runtime.settings.consumer_group, runtime.deps

    async def order_submitted(event: OrderSubmitted) -> None:
        await handlers.on_order_submitted(event, deps)

    async def order_revised(event: OrderRevised) -> None:
        await handlers.on_order_revised(event, deps)

    subscribe_event(
        runtime.broker,
        OrderSubmitted,
        group,
        order_submitted,
        runtime.dead_letters,
        "Opens the order's invoice from the costs in the event.",
    )
    subscribe_event(
        runtime.broker,
        OrderRevised,
        group,
        order_revised,
        runtime.dead_letters,
        "Re-prices the open invoice of an edited order.",
    )

    async def shipment_grouped(event: ShipmentGrouped) -> None:
        await handlers.on_shipment_grouped(event, deps)

    subscribe_event(
        runtime.broker,
        ShipmentGrouped,
        group,
        shipment_grouped,
        runtime.dead_letters,
        "Opens one invoice for a shipping group and voids its orders' own invoices.",
    )

    async def shipment_ungrouped(event: ShipmentUngrouped) -> None:
        await handlers.on_shipment_ungrouped(event, deps)

    subscribe_event(
        runtime.broker,
        ShipmentUngrouped,
        group,
        shipment_ungrouped,
        runtime.dead_letters,
        "Voids a dissolved group's invoice and restores its orders' own invoices.",
    )
