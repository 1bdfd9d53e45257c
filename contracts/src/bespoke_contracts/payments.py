"""Payment events: `payment.cleared`, `payment.refunded`, `invoice.issued`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bespoke_contracts.deposits import Part
from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import OrderNumber

PAYMENT_CLEARED: Final = "payment.cleared"
"""Topic of :class:`PaymentCleared`; key: the invoice's target (order number or group id)."""


class PaymentClearedPayload(BaseModel):
    """Money for an invoice arrived: every order it covers may go to production."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    invoice_id: str = Field(description="The invoice that was paid.")
    target: str = Field(description="What the invoice was for: an order number or a group id.")
    order_numbers: list[OrderNumber] = Field(
        min_length=1, description="Every order the payment covers."
    )
    amount: Annotated[int, Field(ge=0)] = Field(description="Amount paid, integer minor units.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code, e.g. `EUR`.")
    payment_intent_id: str = Field(description="Stripe PaymentIntent id.")
    paid_at: AwareDatetime = Field(description="When Stripe reported the payment as succeeded.")
    contact_email: str = Field(description="Billing email of the brand, for the receipt.")
    part: Part = Field(
        default="full",
        description="What it paid of the bill: `full`; `deposit` (half, rounded up: "
        "production starts, the balance is due before shipping); `balance` (the rest).",
    )


class PaymentCleared(Envelope[PaymentClearedPayload]):
    """A payment succeeded. Orders it covers move to Work In Process and launch to production."""

    TOPIC = PAYMENT_CLEARED

    event_type: Literal["payment.cleared"] = PAYMENT_CLEARED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The invoice's target: an order number or a shipping group id."""
        return self.payload.target.encode()


PAYMENT_REFUNDED: Final = "payment.refunded"
"""Topic of :class:`PaymentRefunded`; key: the refunded order's number."""


class RefundStatus(StrEnum):
    """A refund as Stripe reports it."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class RefundReason(StrEnum):
    """Why money goes back."""

    CANCELLED = "cancelled"
    """The brand cancelled the paid order (less the fee for its stage)."""
    PAID_AFTER_CANCELLATION = "paid_after_cancellation"
    """A payment cleared for an order that was already cancelled: all of it goes back."""
    STAMPS_NOT_DEVELOPED = "stamps_not_developed"
    """The order launched unlabeled before the brand approved its stamps: the stamp
    development it paid for is given back (its customization line, with its VAT)."""


class PaymentRefundedPayload(BaseModel):
    """Money paid for one order is going back to the brand (or its refund moved on)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    refund_id: str = Field(description="Ours, one per refunded order: `rf_<invoice>_<order>`.")
    invoice_id: str = Field(description="The paid bill the money came from.")
    target: str = Field(description="What the bill was for: an order number or a group id.")
    order_number: OrderNumber = Field(description="The order whose money goes back.")
    amount: Annotated[int, Field(ge=1)] = Field(description="Refunded, integer minor units.")
    fee: Annotated[int, Field(ge=0)] = Field(
        description="The cancellation fee kept, VAT included, integer minor units."
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")
    reason: RefundReason = Field(
        description="`cancelled` (less the fee) or `paid_after_cancellation` (all of it)."
    )
    status: RefundStatus = Field(description="Stripe's: `pending`, `succeeded`, `failed`, ….")
    previous_status: RefundStatus | None = Field(
        description="Null when the refund was just made at Stripe; else the status before."
    )
    stripe_refund_id: str = Field(description="Stripe's Refund id.")
    payment_intent_id: str = Field(description="The payment refunded.")
    refunded_at: AwareDatetime = Field(description="When this status was reported.")
    contact_email: str = Field(description="Billing email of the brand.")


class PaymentRefunded(Envelope[PaymentRefundedPayload]):
    """A refund was made at Stripe (`previous_status` null) or its status changed. The
    credit note is issued once, for the refund as made."""

    TOPIC = PAYMENT_REFUNDED

    event_type: Literal["payment.refunded"] = PAYMENT_REFUNDED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The refunded order's number."""
        return self.payload.order_number.encode()


INVOICE_ISSUED: Final = "invoice.issued"
"""Topic of :class:`InvoiceIssued`; key: the bill's target (order number or group id)."""


class InvoiceIssuedPayload(BaseModel):
    """An invoice or credit note was issued: numbered, immutable, downloadable."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    invoice_number: str = Field(description="`INV-YYYY-NNNNNN` or `CN-YYYY-NNNNNN`.")
    kind: Literal["invoice", "credit_note"] = Field(description="`invoice` or `credit_note`.")
    invoice_id: str = Field(description="The bill it was issued from.")
    target: str = Field(description="What the bill was for: an order number or a group id.")
    order_numbers: list[OrderNumber] = Field(min_length=1, description="The orders it lists.")
    credits: str | None = Field(
        default=None, description="A credit note's invoice: the one whose payment it gives back."
    )
    total: Annotated[int, Field(ge=0)] = Field(
        description="Paid (or refunded), VAT included, integer minor units."
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")
    issued_at: AwareDatetime = Field(description="When it was issued.")


class InvoiceIssued(Envelope[InvoiceIssuedPayload]):
    """An invoice (for a cleared payment) or a credit note (for a refund) was issued; its
    PDF is at `/api/v1/invoices/{invoice_number}/pdf`. Accounting systems consume this."""

    TOPIC = INVOICE_ISSUED

    event_type: Literal["invoice.issued"] = INVOICE_ISSUED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The bill's target."""
        return self.payload.target.encode()
