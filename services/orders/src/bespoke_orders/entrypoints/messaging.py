"""Kafka subscribers of the orders service: translate an event into a handler call."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from bespoke_contracts import PaymentCleared, ShipmentGrouped, ShipmentUngrouped
from bespoke_orders.domain.errors import ConcurrentChange, OrdersError, UpstreamUnavailable
from bespoke_orders.service_layer import handlers
from bespoke_orders.service_layer.handlers import OrdersDeps
from bespoke_platform.messaging import PoisonMessage, Subscription, subscribe_all

if TYPE_CHECKING:
    from bespoke_orders.bootstrap import OrdersRuntime


async def _poison_on_refusal(work: Awaitable[object]) -> None:
    """Transient failures are retried; a refusal by the domain never succeeds: dead letter."""
    try:
        await work
    except (ConcurrentChange, UpstreamUnavailable):
        raise
    except OrdersError as error:
        raise PoisonMessage(str(error)) from error


SUBSCRIPTIONS: list[Subscription[OrdersDeps]] = [
    (
        PaymentCleared,
        handlers.on_payment_cleared,
        "Moves every order a cleared payment covers to Work In Process.",
    ),
    (
        ShipmentGrouped,
        handlers.on_shipment_grouped,
        "Records on each order the shipping group it ships in.",
    ),
    (
        ShipmentUngrouped,
        handlers.on_shipment_ungrouped,
        "Forgets a dissolved shipping group on each of its orders.",
    ),
]


def subscribe(runtime: OrdersRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    subscribe_all(
        runtime.broker,
        runtime.settings.consumer_group,
        runtime.dead_letters,
        lambda: runtime.deps,
        SUBSCRIPTIONS,
        around=_poison_on_refusal,
    )
