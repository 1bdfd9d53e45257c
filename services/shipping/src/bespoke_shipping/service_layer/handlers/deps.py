"""What every shipping use case is given, and the one way they change a group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bespoke_platform.concurrency import change_with_retries
from bespoke_shipping.domain.errors import ConcurrentChange, NotYetKnown
from bespoke_shipping.domain.model import OrderRecord, ShippingGroup
from bespoke_shipping.domain.rates import RateCard
from bespoke_shipping.service_layer.ports import (
    Clock,
    Groups,
    OrderRecords,
    Shipments,
)

MAX_CHANGE_ATTEMPTS = 10


@dataclass(frozen=True)
class ShippingDeps:
    """Everything the handlers use, wired by ``bootstrap``."""

    rates: RateCard
    orders: OrderRecords
    groups: Groups
    shipments: Shipments
    clock: Clock
    order_wait_seconds: float = 3.0
    """How long grouping waits for an order just checked out to reach shipping."""


async def change_group(
    group_id: str, apply: Callable[[ShippingGroup], bool], deps: ShippingDeps
) -> ShippingGroup | None:
    return await change_with_retries(
        lambda: deps.groups.get(group_id),
        apply,
        deps.groups.save,
        ConcurrentChange,
        MAX_CHANGE_ATTEMPTS,
    )


async def known(order_number: str, deps: ShippingDeps) -> OrderRecord:
    """Shipping's copy of an order (``NotYetKnown``, retried, before its first event)."""
    record = await deps.orders.get(order_number)
    if record is None:
        raise not_known_yet(order_number)
    return record


def not_known_yet(order_number: str) -> NotYetKnown:
    """An event about an order whose first event has not come yet (retried)."""
    return NotYetKnown(f"order {order_number} is not known here yet")
