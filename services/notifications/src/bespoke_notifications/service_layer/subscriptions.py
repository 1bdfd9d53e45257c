"""The events the notifications service consumes and the handler each goes to: the subscription
table, which ``bootstrap`` registers on the broker (``bespoke_platform.messaging``)."""

from __future__ import annotations

from bespoke_contracts import (
    OrderHoldExpiring,
    OrderLate,
    OrderStageChanged,
    OrderSubmitted,
    PaymentCleared,
    PaymentRefunded,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
    StampStatusChanged,
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
        "Emails that an order was received on the factory floor (no other stage of the "
        "floor), that a paid order waits for the brand's stamps, and that it launched after.",
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
    (
        OrderHoldExpiring,
        handlers.on_order_hold_expiring,
        "Emails, once per hold, that an order launches unlabeled on a date unless the "
        "brand's stamps are approved first.",
    ),
    (
        StampStatusChanged,
        handlers.on_stamp_status_changed,
        "Emails the brand when the factory sends a stamp's proof and as its mold is made.",
    ),
]
