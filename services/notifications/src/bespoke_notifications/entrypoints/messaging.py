"""Kafka subscribers: translate an event into a handler call, nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bespoke_contracts import (
    Envelope,
    OrderSubmitted,
    PaymentCleared,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
)
from bespoke_notifications.service_layer import handlers
from bespoke_notifications.service_layer.handlers import NotificationsDeps
from bespoke_platform.messaging import subscribe_event

if TYPE_CHECKING:
    from bespoke_notifications.bootstrap import NotificationsRuntime

Handler = Callable[[Any, NotificationsDeps], Awaitable[int]]

SUBSCRIPTIONS: list[tuple[type[Envelope[Any]], Handler, str]] = [
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
    for event_type, handler, description in SUBSCRIPTIONS:

        async def handle(event: Any, handler: Handler = handler) -> None:
            await handler(event, runtime.deps)

        subscribe_event(
            runtime.broker,
            event_type,
            runtime.settings.consumer_group,
            handle,
            runtime.dead_letters,
            description,
        )
