"""Topic names and the event types carried on them."""

from __future__ import annotations

from typing import Final

from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import (
    ORDER_HOLD_EXPIRING,
    ORDER_LATE,
    ORDER_REVISED,
    ORDER_STAGE_CHANGED,
    ORDER_STATUS_CHANGED,
    ORDER_SUBMITTED,
    OrderHoldExpiring,
    OrderLate,
    OrderRevised,
    OrderStageChanged,
    OrderStatusChanged,
    OrderSubmitted,
)
from bespoke_contracts.payments import (
    INVOICE_ISSUED,
    PAYMENT_CLEARED,
    PAYMENT_REFUNDED,
    InvoiceIssued,
    PaymentCleared,
    PaymentRefunded,
)
from bespoke_contracts.production import STAGE_REPORTED, StageReported
from bespoke_contracts.shipping import (
    SHIPMENT_GROUPED,
    SHIPMENT_STATUS_CHANGED,
    SHIPMENT_UNGROUPED,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
)
from bespoke_contracts.stamps import STAMP_STATUS_CHANGED, StampStatusChanged

DLQ_SUFFIX: Final = ".dlq"

EVENT_TYPES: Final[dict[str, type[Envelope]]] = {  # type: ignore[type-arg]
    ORDER_SUBMITTED: OrderSubmitted,
    ORDER_STATUS_CHANGED: OrderStatusChanged,
    ORDER_REVISED: OrderRevised,
    ORDER_STAGE_CHANGED: OrderStageChanged,
    ORDER_LATE: OrderLate,
    ORDER_HOLD_EXPIRING: OrderHoldExpiring,
    STAMP_STATUS_CHANGED: StampStatusChanged,
    PAYMENT_CLEARED: PaymentCleared,
    PAYMENT_REFUNDED: PaymentRefunded,
    INVOICE_ISSUED: InvoiceIssued,
    SHIPMENT_GROUPED: ShipmentGrouped,
    SHIPMENT_UNGROUPED: ShipmentUngrouped,
    SHIPMENT_STATUS_CHANGED: ShipmentStatusChanged,
    STAGE_REPORTED: StageReported,
}
"""Every event type, by the topic it is published on (one event type per topic)."""

ALL_TOPICS: Final[tuple[str, ...]] = tuple(EVENT_TYPES)


def dead_letter_topic(topic: str) -> str:
    """Where a consumer parks a message it cannot process (poison message)."""
    return topic + DLQ_SUFFIX


DOWNSTREAM: Final = "downstream"
"""The principal of the factory systems we did not write: reads every event topic,
writes only ``production.stage_reported``."""

PUBLISHERS: Final[dict[str, str]] = {
    ORDER_SUBMITTED: "orders",
    ORDER_STATUS_CHANGED: "orders",
    ORDER_REVISED: "orders",
    ORDER_STAGE_CHANGED: "orders",
    ORDER_LATE: "orders",
    ORDER_HOLD_EXPIRING: "orders",
    STAMP_STATUS_CHANGED: "orders",
    PAYMENT_CLEARED: "payments",
    PAYMENT_REFUNDED: "payments",
    INVOICE_ISSUED: "payments",
    SHIPMENT_GROUPED: "shipping",
    SHIPMENT_UNGROUPED: "shipping",
    SHIPMENT_STATUS_CHANGED: "shipping",
    STAGE_REPORTED: DOWNSTREAM,
}
"""The one principal that may write each topic (Kafka's ACLs are made from this)."""

CONSUMERS: Final[dict[str, tuple[str, ...]]] = {
    "orders": (
        PAYMENT_CLEARED,
        SHIPMENT_GROUPED,
        SHIPMENT_UNGROUPED,
        STAGE_REPORTED,
        SHIPMENT_STATUS_CHANGED,
        PAYMENT_REFUNDED,
        INVOICE_ISSUED,
    ),
    "payments": (
        ORDER_SUBMITTED,
        ORDER_REVISED,
        SHIPMENT_GROUPED,
        SHIPMENT_UNGROUPED,
        PAYMENT_CLEARED,
        ORDER_STATUS_CHANGED,
        PAYMENT_REFUNDED,
        ORDER_STAGE_CHANGED,
    ),
    "shipping": (
        ORDER_SUBMITTED,
        ORDER_REVISED,
        ORDER_STATUS_CHANGED,
        PAYMENT_CLEARED,
        ORDER_STAGE_CHANGED,
    ),
    "notifications": (
        ORDER_SUBMITTED,
        PAYMENT_CLEARED,
        SHIPMENT_GROUPED,
        SHIPMENT_UNGROUPED,
        SHIPMENT_STATUS_CHANGED,
        ORDER_STAGE_CHANGED,
        ORDER_LATE,
        PAYMENT_REFUNDED,
        ORDER_HOLD_EXPIRING,
        STAMP_STATUS_CHANGED,
    ),
}
"""What each service consumes (and so reads, and writes the ``.dlq`` of), by its
consumer group, which is the service's name; a test holds it to the subscriptions."""
