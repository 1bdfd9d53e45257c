"""The Pay page and starting a payment (public API shapes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bespoke_contracts.api.query import QueryString


class PayPage(BaseModel):
    """What paying an order (or a shipping group) costs."""

    invoice_id: str
    target: str = Field(description="The order number (or shipping group id) paid.")
    order_numbers: list[str]
    status: str = Field(description="`open`, `deposit_paid`, `paid` or `void`.")
    version: int = Field(description="Bumped when the amount changes.")
    manufacturing: int = Field(description="Integer minor units.")
    shipping: int = Field(description="Integer minor units.")
    customization: int = Field(description="Integer minor units (e.g. custom stamps).")
    subtotal: int = Field(description="`manufacturing + shipping + customization`, net.")
    vat_rate_bp: int = Field(description="VAT rate in basis points: `2100` = 21 %.")
    vat: int = Field(description="VAT on each line at `vat_rate_bp`, rounded half up, added.")
    vat_note: str = Field(description="What the invoice says of VAT (e.g. reverse charge).")
    total: int = Field(description="`subtotal + vat`, integer minor units: what is paid.")
    currency: str
    payment_intent_id: str | None = None
    payment_part: str | None = Field(
        default=None,
        description="What the started PaymentIntent pays: `full`, `deposit`, `balance`.",
    )
    payment_amount: int | None = Field(
        default=None, description="What the started PaymentIntent asks, minor units."
    )
    paid_at: str | None = None
    deposit: int | None = Field(
        default=None,
        description="Offered when `total` is at least EUR 1,499.00: half of it, rounded up "
        'to the cent; pay it with `{"amount": "deposit"}` to start production.',
    )
    balance: int | None = Field(
        default=None,
        description="`total - deposit`: due before shipping; with the deposit paid, what "
        "is left to pay.",
    )
    deposit_paid: int = Field(default=0, description="The deposit paid so far, minor units.")


class PaymentRequest(BaseModel):
    """What to pay of the bill: without a body (or `amount` null), all that is left."""

    model_config = ConfigDict(extra="forbid")

    amount: Literal["deposit", "balance"] | None = Field(
        default=None,
        description="`deposit` (offered from EUR 1,499.00) or, once it is paid, `balance`.",
    )


class StartedPayment(BaseModel):
    """Give `client_secret` to Stripe.js to collect the card."""

    invoice_id: str
    payment_intent_id: str
    client_secret: str
    amount: int
    currency: str


INVOICE_NUMBER_PATTERN = r"^(INV|CN)-\d{4}-\d{6,}$"


class PartyView(BaseModel):
    """Seller or buyer as the invoice names them."""

    name: str
    address_lines: list[str]
    country: str
    vat_id: str | None = None


class InvoiceLineView(BaseModel):
    """One order on an invoice, net (`shipping`: its share of a group's shipping)."""

    order_number: str
    manufacturing: int
    shipping: int
    customization: int
    net: int = Field(description="`manufacturing + shipping + customization`.")


class InvoiceView(BaseModel):
    """An issued invoice (`INV-YYYY-NNNNNN`) or credit note (`CN-YYYY-NNNNNN`, money
    given back): immutable, numbered without gaps within its year."""

    invoice_number: str = Field(description="e.g. `INV-2026-000042` or `CN-2026-000007`.")
    kind: str = Field(description="`invoice` or `credit_note`.")
    issued_at: str
    paid_at: str = Field(description="When it was paid (a credit note: refunded).")
    order_numbers: list[str]
    seller: PartyView
    buyer: PartyView
    lines: list[InvoiceLineView]
    currency: str
    subtotal: int = Field(description="Net, integer minor units.")
    vat_rate_bp: int = Field(description="Basis points: `2100` = 21 %.")
    vat: int
    vat_note: str
    total: int = Field(description="`subtotal + vat`: what was paid (or is refunded).")
    payment_reference: str = Field(
        description="The Stripe PaymentIntent that paid it (a credit note: the Refund)."
    )
    credits: str | None = Field(
        default=None, description="A credit note's invoice: the one whose payment it gives back."
    )
    cancellation_fee: int = Field(
        default=0, description="A credit note's cancellation fee kept, net (deducted)."
    )
    part: str = Field(
        default="full",
        description="What its payment paid: `full`, `deposit` (the lines, less the balance "
        "invoiced later) or `balance` (the lines, less the deposit invoiced before).",
    )
    adjustment: int = Field(
        default=0, description="Net, signed, added to the lines (see `adjustment_label`)."
    )
    adjustment_label: str = Field(default="", description="What `adjustment` is.")
    vat_check: str = Field(
        default="",
        description="Where a VIES check is configured: what it said of the buyer's VAT "
        "number when this was issued (valid, not registered, or unavailable).",
    )
    pdf: str = Field(description="Where its PDF is: `/api/v1/invoices/{invoice_number}/pdf`.")


class InvoicePage(BaseModel):
    """A page of the brand's invoices, newest first."""

    items: list[InvoiceView]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class InvoiceQuery(QueryString):
    """The brand's invoices (`GET /api/v1/invoices`): what a client asks the gateway for
    and what the gateway asks the payments service for."""

    order_number: str | None = Field(
        default=None, pattern=r"^BF-\d{6,}$", description="Only the invoices of this order."
    )
    limit: int = Field(default=20, ge=1, le=100, description="Page size.")
    cursor: str | None = Field(
        default=None,
        pattern=INVOICE_NUMBER_PATTERN,
        description="`next_cursor` of the previous page.",
    )
