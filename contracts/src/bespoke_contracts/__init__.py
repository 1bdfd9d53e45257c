"""Events of the Bespoke backoffice, defined once for every service and downstream consumer.

Every Kafka message is one :class:`~bespoke_contracts.envelope.Envelope` serialised as plain
JSON. The topic constant sits beside each event model.
"""

from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import (
    ORDER_REVISED,
    ORDER_STATUS_CHANGED,
    ORDER_SUBMITTED,
    Address,
    BillingInfo,
    Labeling,
    OrderCosts,
    OrderRevised,
    OrderRevisedPayload,
    OrderSpecification,
    OrderStatus,
    OrderStatusChanged,
    OrderStatusChangedPayload,
    OrderSubmitted,
    OrderSubmittedPayload,
    OrderType,
)
from bespoke_contracts.payments import PAYMENT_CLEARED, PaymentCleared, PaymentClearedPayload
from bespoke_contracts.shipping import (
    SHIPMENT_GROUPED,
    SHIPMENT_STATUS_CHANGED,
    SHIPMENT_UNGROUPED,
    ShipmentGrouped,
    ShipmentGroupedPayload,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentStatusChangedPayload,
    ShipmentUngrouped,
    ShipmentUngroupedPayload,
)
from bespoke_contracts.topics import ALL_TOPICS, EVENT_TYPES, dead_letter_topic

__all__ = [
    "ALL_TOPICS",
    "EVENT_TYPES",
    "ORDER_REVISED",
    "ORDER_STATUS_CHANGED",
    "ORDER_SUBMITTED",
    "PAYMENT_CLEARED",
    "SHIPMENT_GROUPED",
    "SHIPMENT_STATUS_CHANGED",
    "SHIPMENT_UNGROUPED",
    "Address",
    "BillingInfo",
    "Envelope",
    "Labeling",
    "OrderCosts",
    "OrderRevised",
    "OrderRevisedPayload",
    "OrderSpecification",
    "OrderStatus",
    "OrderStatusChanged",
    "OrderStatusChangedPayload",
    "OrderSubmitted",
    "OrderSubmittedPayload",
    "OrderType",
    "PaymentCleared",
    "PaymentClearedPayload",
    "ShipmentGrouped",
    "ShipmentGroupedPayload",
    "ShipmentStatus",
    "ShipmentStatusChanged",
    "ShipmentStatusChangedPayload",
    "ShipmentUngrouped",
    "ShipmentUngroupedPayload",
    "dead_letter_topic",
]
