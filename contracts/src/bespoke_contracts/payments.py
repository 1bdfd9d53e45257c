"""Payment events: `payment.cleared`."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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


class PaymentCleared(Envelope[PaymentClearedPayload]):
    """A payment succeeded. Orders it covers move to Work In Process and launch to production."""

    TOPIC = PAYMENT_CLEARED

    event_type: Literal["payment.cleared"] = PAYMENT_CLEARED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The invoice's target: an order number or a shipping group id."""
        return self.payload.target.encode()
