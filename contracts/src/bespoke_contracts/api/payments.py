"""The Pay page and starting a payment (public API shapes)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PayPage(BaseModel):
    """What paying an order (or a shipping group) costs."""

    invoice_id: str
    target: str = Field(description="The order number (or shipping group id) paid.")
    order_numbers: list[str]
    status: str = Field(description="`open`, `paid` or `void`.")
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
    paid_at: str | None = None


class StartedPayment(BaseModel):
    """Give `client_secret` to Stripe.js to collect the card."""

    invoice_id: str
    payment_intent_id: str
    client_secret: str
    amount: int
    currency: str
