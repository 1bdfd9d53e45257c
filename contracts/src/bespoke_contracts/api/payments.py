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
    total: int = Field(description="Integer minor units.")
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
