"""Kafka subscribers of the shipping service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bespoke_contracts import OrderRevised, OrderStatusChanged, OrderSubmitted, PaymentCleared
from bespoke_platform.messaging import Subscription, subscribe_all
from bespoke_shipping.service_layer import handlers
from bespoke_shipping.service_layer.handlers import ShippingDeps

if TYPE_CHECKING:
    from bespoke_shipping.bootstrap import ShippingRuntime

SUBSCRIPTIONS: list[Subscription[ShippingDeps]] = [
    (
        OrderSubmitted,
        handlers.on_order_submitted,
        "Records the order's pairs, address and shipping cost, so it can be grouped.",
    ),
    (
        OrderRevised,
        handlers.on_order_revised,
        "Takes an edited order's new pairs and address; dissolves an open group holding it.",
    ),
    (
        OrderStatusChanged,
        handlers.on_order_status_changed,
        "Tracks order status; a cancelled order dissolves the open group holding it.",
    ),
    (
        PaymentCleared,
        handlers.on_payment_cleared,
        "Creates the shipment (awaiting production) of a paid order or shipping group.",
    ),
]


def subscribe(runtime: ShippingRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    subscribe_all(
        runtime.broker,
        runtime.settings.consumer_group,
        runtime.dead_letters,
        lambda: runtime.deps,
        SUBSCRIPTIONS,
    )
