"""Kafka subscribers: translate an event into a handler call, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bespoke_contracts import (
    OrderSubmitted,
    PaymentCleared,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
)
from bespoke_notifications.service_layer import handlers
from bespoke_notifications.service_layer.handlers import NotificationsDeps
from bespoke_platform.messaging import Subscription, subscribe_all

if TYPE_CHECKING:
    from bespoke_notifications.bootstrap import NotificationsRuntime

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
        "Emails each shipment stage: awaiting production, ready to ship, shipped.",
    ),
]


def subscribe(runtime: NotificationsRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    subscribe_all(
        runtime.broker,
        runtime.settings.consumer_group,
        runtime.dead_letters,
        lambda: runtime.deps,
        SUBSCRIPTIONS,
    )
