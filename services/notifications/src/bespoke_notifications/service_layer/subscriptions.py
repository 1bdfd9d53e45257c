"""The events the notifications service consumes and the handler each goes to: the subscription
table, which ``bootstrap`` registers on the broker (``bespoke_platform.messaging``)."""

from __future__ import annotations

from bespoke_contracts import (
    OrderLate,
    OrderStageChanged,
    OrderSubmitted,
    PaymentCleared,
    PaymentRefunded,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
)
from bespoke_notifications.service_layer import handlers
from bespoke_notifications.service_layer.handlers import NotificationsDeps
from bespoke_platform.messaging import Subscription

SUBSCRIPTIONS: list[Subscription[NotificationsDeps]] = [
    (
        OrderSubmitted,
        handlers.on_order_submitted,
        "Emails the order specifications, pending payment, and how to pay.",
    ),
    (
        PaymentCleared,
        handlers.on_payment_cleared,
        "Emails 'payment received - now Work In Process' for every order paid.",
    ),
    (
        ShipmentGrouped,
        handlers.on_shipment_grouped,
        "Emails the shipping group, its saving and how to pay it.",
    ),
    (
        ShipmentUngrouped,
        handlers.on_shipment_ungrouped,
        "Emails that a shipping group was dissolved, and why.",
    ),
    (
        ShipmentStatusChanged,
        handlers.on_shipment_status_changed,
        "Emails that a shipment left, with its carrier's tracking link.",
    ),
    (
        OrderStageChanged,
        handlers.on_order_stage_changed,
        "Emails that an order was received on the factory floor (no other stage).",
    ),
    (
        PaymentRefunded,
        handlers.on_payment_refunded,
        "Emails that a cancelled order's money is on its way back, with any fee kept.",
    ),
    (
        OrderLate,
        handlers.on_order_late,
        "Emails, once, that an order is past its estimated ship date.",
    ),
]
