"""The events the payments service consumes and the handler each goes to: the subscription
table, which ``bootstrap`` registers on the broker (``bespoke_platform.messaging``)."""

from __future__ import annotations

from bespoke_contracts import (
    OrderRevised,
    OrderStageChanged,
    OrderStatusChanged,
    OrderSubmitted,
    PaymentCleared,
    PaymentRefunded,
    ShipmentGrouped,
    ShipmentUngrouped,
)
from bespoke_payments.service_layer import handlers
from bespoke_payments.service_layer.handlers import PaymentsDeps
from bespoke_platform.messaging import Subscription

SUBSCRIPTIONS: list[Subscription[PaymentsDeps]] = [
    (
        OrderSubmitted,
        handlers.on_order_submitted,
        "Opens the order's invoice from the costs in the event.",
    ),
    (OrderRevised, handlers.on_order_revised, "Re-prices the open invoice of an edited order."),
    (
        ShipmentGrouped,
        handlers.on_shipment_grouped,
        "Opens one invoice for a shipping group and voids its orders' own invoices.",
    ),
    (
        PaymentCleared,
        handlers.on_payment_cleared,
        "Issues the paid bill's invoice, numbered INV-YYYY-NNNNNN, once per payment.",
    ),
    (
        OrderStatusChanged,
        handlers.on_order_status_changed,
        "A cancelled order: voids its unpaid bill, or refunds its paid share less the fee.",
    ),
    (
        PaymentRefunded,
        handlers.on_payment_refunded,
        "Issues a refund's credit note, numbered CN-YYYY-NNNNNN, once per refund.",
    ),
    (
        ShipmentUngrouped,
        handlers.on_shipment_ungrouped,
        "Voids a dissolved group's invoice and restores its orders' own invoices.",
    ),
    (
        OrderStageChanged,
        handlers.on_order_stage_changed,
        "Gives back, with a credit note, the stamp development of an order launched "
        "unlabeled (its stamps never approved); other moves change nothing.",
    ),
]
