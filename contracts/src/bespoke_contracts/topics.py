"""Topic names and the event types carried on them."""

from __future__ import annotations

from typing import Final

from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import (
    ORDER_REVISED,
    ORDER_STATUS_CHANGED,
    ORDER_SUBMITTED,
    OrderRevised,
    OrderStatusChanged,
    OrderSubmitted,
)
from bespoke_contracts.payments import PAYMENT_CLEARED, PaymentCleared
from bespoke_contracts.shipping import (
    SHIPMENT_GROUPED,
    SHIPMENT_STATUS_CHANGED,
    SHIPMENT_UNGROUPED,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
)

DLQ_SUFFIX: Final = ".dlq"

EVENT_TYPES: Final[dict[str, type[Envelope]]] = {  # type: ignore[type-arg]
    ORDER_SUBMITTED: OrderSubmitted,
    ORDER_STATUS_CHANGED: OrderStatusChanged,
    ORDER_REVISED: OrderRevised,
    PAYMENT_CLEARED: PaymentCleared,
    SHIPMENT_GROUPED: ShipmentGrouped,
    SHIPMENT_UNGROUPED: ShipmentUngrouped,
    SHIPMENT_STATUS_CHANGED: ShipmentStatusChanged,
}
"""Every event type, by the topic it is published on (one event type per topic)."""

ALL_TOPICS: Final[tuple[str, ...]] = tuple(EVENT_TYPES)


def dead_letter_topic(topic: str) -> str:
    """Where a consumer parks a message it cannot process (poison message)."""
    return topic + DLQ_SUFFIX
