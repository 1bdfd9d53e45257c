"""Kafka subscribers of the payments service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bespoke_contracts import OrderRevised, OrderSubmitted, ShipmentGrouped, ShipmentUngrouped
from bespoke_payments.service_layer import handlers
from bespoke_payments.service_layer.handlers import PaymentsDeps
from bespoke_platform.messaging import Subscription, subscribe_all

if TYPE_CHECKING:
    from bespoke_payments.bootstrap import PaymentsRuntime

SUBSCRIPTIONS: list[Subscription[PaymentsDeps]] = [
    (
        OrderSubmitted,
        handlers.on_order_submitted,
        "Opens the order's invoice from the costs in the event.",
    ),
    (OrderRevised, handlers.on_order_revised, "Re-prices the open invoice of an edited order."),
    (
        ShipmentGrouped,
        handlers.on_shipment_grouped,
        "Opens one invoice for a shipping group and voids its orders' own invoices.",
    ),
    (
        ShipmentUngrouped,
        handlers.on_shipment_ungrouped,
        "Voids a dissolved group's invoice and restores its orders' own invoices.",
    ),
]


def subscribe(runtime: PaymentsRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    subscribe_all(
        runtime.broker,
        runtime.settings.consumer_group,
        runtime.dead_letters,
        lambda: runtime.deps,
        SUBSCRIPTIONS,
    )
