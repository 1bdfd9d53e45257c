"""Kafka subscribers of the orders service: translate an event into a handler call."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from bespoke_contracts import PaymentCleared, ShipmentGrouped, ShipmentUngrouped
from bespoke_orders.domain.errors import ConcurrentChange, OrdersError, UpstreamUnavailable
from bespoke_orders.service_layer import handlers
from bespoke_platform.messaging import PoisonMessage, subscribe_event

if TYPE_CHECKING:
    from bespoke_orders.bootstrap import OrdersRuntime


async def _poison_on_refusal(work: Awaitable[Any]) -> None:
    """Transient failures are retried; a refusal by the domain never succeeds: dead letter."""
    try:
        await work
    except (ConcurrentChange, UpstreamUnavailable):
        raise
    except OrdersError as error:
        raise PoisonMessage(str(error)) from error


def subscribe(runtime: OrdersRuntime) -> None:
    """Register every subscriber on the runtime's broker."""
    group, deps = runtime.settings.consumer_group, runtime.deps

    async def payment_cleared(event: PaymentCleared) -> None:
        await _poison_on_refusal(handlers.on_payment_cleared(event, deps))

    async def shipment_grouped(event: ShipmentGrouped) -> None:
        await _poison_on_refusal(handlers.on_shipment_grouped(event, deps))

    subscribe_event(
        runtime.broker,
        PaymentCleared,
        group,
        payment_cleared,
        runtime.dead_letters,
        "Moves every order a cleared payment covers to Work In Process.",
    )
    subscribe_event(
        runtime.broker,
        ShipmentGrouped,
        group,
        shipment_grouped,
        runtime.dead_letters,
        "Records on each order the shipping group it ships in.",
    )

    async def shipment_ungrouped(event: ShipmentUngrouped) -> None:
        await _poison_on_refusal(handlers.on_shipment_ungrouped(event, deps))

    subscribe_event(
        runtime.broker,
        ShipmentUngrouped,
        group,
        shipment_ungrouped,
        runtime.dead_letters,
        "Forgets a dissolved shipping group on each of its orders.",
    )
