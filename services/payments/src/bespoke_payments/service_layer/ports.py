"""What the payments handlers need from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bespoke_contracts import RefundStatus
from bespoke_payments.domain.invoicing import IssuedInvoice
from bespoke_payments.domain.model import Invoice


class InvoiceRepository(Protocol):
    async def add(self, invoice: Invoice) -> bool:
        """Insert unless an invoice with that id exists; True when inserted."""
        ...

    async def get(self, invoice_id: str) -> Invoice | None: ...

    async def save(self, invoice: Invoice) -> None:
        """Store a change and its events in one write; ``ConcurrentChange`` if it moved."""
        ...

    async def owing_refunds(self, limit: int) -> list[str]:
        """Ids of bills with a refund owed but not yet made at Stripe."""
        ...


class IssuedInvoiceRepository(Protocol):
    async def issue(self, issued: IssuedInvoice) -> IssuedInvoice:
        """Store it under the next number of its year, once per ``source``: the stored
        invoice (an earlier one for the same source, if any)."""
        ...

    async def get(self, account_id: str | None, number: str) -> IssuedInvoice | None: ...

    async def find(
        self, account_id: str, order_number: str | None, before: str | None, limit: int
    ) -> list[IssuedInvoice]:
        """The brand's invoices, newest number first, numbered below ``before``."""
        ...


@dataclass(frozen=True)
class StartedPayment:
    payment_intent_id: str
    client_secret: str


@dataclass(frozen=True)
class MadeRefund:
    refund_id: str
    status: RefundStatus


class PaymentProvider(Protocol):
    """Stripe."""

    async def create_payment_intent(
        self, *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str]
    ) -> StartedPayment: ...

    async def refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> MadeRefund:
        """Give ``amount`` of a payment back; the same key again is the same refund."""
        ...


class VatCheck(Protocol):
    """A registry that says whether a VAT number is registered (VIES)."""

    async def check(self, vat_id: str) -> str:
        """What the invoice says of the check: valid, not registered, or unavailable."""
        ...


class WebhookVerifier(Protocol):
    def verify(self, payload: bytes, signature: str) -> dict[str, Any]:
        """The event if the signature is Stripe's and fresh; raises ``InvalidWebhook``."""
        ...


class ProcessedWebhooks(Protocol):
    async def seen(self, event_id: str) -> bool: ...

    async def record(self, event_id: str, event_type: str, outcome: str) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
