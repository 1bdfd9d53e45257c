"""Kafka subscribers: translate an event into a handler call, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bespoke_contracts import OrderSubmitted
from bespoke_notifications.service_layer import handlers
from bespoke_platform.messaging import subscribe_event

if TYPE_CHECKING:
    from bespoke_notifications.bootstrap import NotificationsRuntime


def subscribe(runtime: NotificationsRuntime) -> None:
    """Register every subscriber on the runtime's broker."""

    async def order_submitted(event: OrderSubmitted) -> None:
        await handlers.on_order_submitted(event, runtime.deps)

    subscribe_event(
        runtime.broker,
        OrderSubmitted,
        runtime.settings.consumer_group,
        order_submitted,
        runtime.dead_letters,
        "Emails the order specifications to the brand after checkout.",
    )
