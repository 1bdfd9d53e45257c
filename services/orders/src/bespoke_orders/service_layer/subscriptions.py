"""The events the orders service consumes and the handler each goes to: the subscription
table, which ``bootstrap`` registers on the broker (``bespoke_platform.messaging``)."""

from __future__ import annotations

from collections.abc import Awaitable

from bespoke_contracts import (
    InvoiceIssued,
    PaymentCleared,
    PaymentRefunded,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
    StageReported,
)
from bespoke_orders.domain.errors import (
    ConcurrentChange,
    OrdersError,
    PaymentAheadOfGroup,
    UpstreamUnavailable,
)
from bespoke_orders.service_layer import handlers
from bespoke_orders.service_layer.handlers import OrdersDeps
from bespoke_platform.messaging import PoisonMessage, Subscription


async def poison_on_refusal(work: Awaitable[object]) -> None:
    """Transient failures are retried; a refusal by the domain never succeeds: dead letter."""
    try:
        await work
    except (ConcurrentChange, UpstreamUnavailable, PaymentAheadOfGroup):
        raise
    except OrdersError as error:
        raise PoisonMessage(str(error)) from error


SUBSCRIPTIONS: list[Subscription[OrdersDeps]] = [
    (
        InvoiceIssued,
        handlers.on_invoice_issued,
        "Shows the number of each invoice and credit note issued on the orders it lists.",
    ),
    (
        PaymentRefunded,
        handlers.on_payment_refunded,
        "Records a cancelled order's refund (payment status refunded or partially refunded).",
    ),
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
    (
        StageReported,
        handlers.on_stage_reported,
        "Moves an order to the stage a floor station scanned (once per event); a scan that "
        "cannot apply goes to the dead-letter topic with the reason.",
    ),
    (
        ShipmentStatusChanged,
        handlers.on_shipment_status_changed,
        "Marks a shipment's orders shipped, with its tracking, or delivered.",
    ),
]
