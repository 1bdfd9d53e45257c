"""The events the shipping service consumes and the handler each goes to: the subscription
table, which ``bootstrap`` registers on the broker (``bespoke_platform.messaging``)."""

from __future__ import annotations

from bespoke_contracts import (
    OrderRevised,
    OrderStageChanged,
    OrderStatusChanged,
    OrderSubmitted,
    PaymentCleared,
)
from bespoke_platform.messaging import Subscription
from bespoke_shipping.service_layer import handlers
from bespoke_shipping.service_layer.handlers import ShippingDeps

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
    (
        OrderStageChanged,
        handlers.on_order_stage_changed,
        "Marks an order finished on the floor; its shipment is ready once all its orders are.",
    ),
]
