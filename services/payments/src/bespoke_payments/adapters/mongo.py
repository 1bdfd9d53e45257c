"""Invoices and processed Stripe webhooks in MongoDB (invoices carry their outbox)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_payments.domain.model import Invoice, InvoiceStatus, Payment
from bespoke_payments.service_layer.handlers import ConcurrentChange
from bespoke_platform.mongo import Document, insert_new
from bespoke_platform.outbox import new_outbox, save_with_events


def _fields(invoice: Invoice) -> Document:
    return {
        "account_id": invoice.account_id,
        "target": invoice.target,
        "order_numbers": list(invoice.order_numbers),
        "manufacturing": invoice.manufacturing,
        "shipping": invoice.shipping,
        "customization": invoice.customization,
        "vat": invoice.vat,
        "vat_rate_bp": invoice.vat_rate_bp,
        "vat_note": invoice.vat_note,
        "currency": invoice.currency,
        "contact_email": invoice.contact_email,
        "status": invoice.status.value,
        "version": invoice.version,
        "payment": (
            {
                "payment_intent_id": invoice.payment.payment_intent_id,
                "client_secret": invoice.payment.client_secret,
                "invoice_version": invoice.payment.invoice_version,
            }
            if invoice.payment
            else None
        ),
        "paid_at": invoice.paid_at,
        "flagged": list(invoice.flagged),
        "superseded_by": invoice.superseded_by,
        "applied_events": list(invoice.applied_events),
    }


def from_document(doc: Document) -> Invoice:
    payment = doc.get("payment")
    return Invoice(
        id=doc["_id"],
        account_id=doc["account_id"],
        target=doc["target"],
        order_numbers=list(doc["order_numbers"]),
        manufacturing=doc["manufacturing"],
        shipping=doc["shipping"],
        customization=doc["customization"],
        vat=doc.get("vat", 0),
        vat_rate_bp=doc.get("vat_rate_bp", 0),
        vat_note=doc.get("vat_note", ""),
        currency=doc["currency"],
        contact_email=doc["contact_email"],
        status=InvoiceStatus(doc["status"]),
        version=doc["version"],
        payment=Payment(
            payment["payment_intent_id"], payment["client_secret"], payment["invoice_version"]
        )
        if payment
        else None,
        paid_at=doc.get("paid_at"),
        flagged=list(doc.get("flagged", [])),
        superseded_by=doc.get("superseded_by"),
        applied_events=list(doc.get("applied_events", [])),
        revision=doc.get("revision", 0),
    )


class MongoInvoices:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._invoices: AsyncCollection[Document] = db.invoices
        self._signals: AsyncCollection[Document] = db.outbox_signals

    async def add(self, invoice: Invoice) -> bool:
        if not await insert_new(
            self._invoices,
            {"_id": invoice.id, **_fields(invoice), "revision": 0, **new_outbox(invoice.events)},
        ):
            return False
        invoice.events.clear()
        return True

    async def get(self, invoice_id: str) -> Invoice | None:
        doc = await self._invoices.find_one({"_id": invoice_id})
        return None if doc is None else from_document(doc)

    async def save(self, invoice: Invoice) -> None:
        # The change and its events in one guarded single-document update.
        if not await save_with_events(
            self._invoices,
            self._signals,
            invoice.id,
            invoice.revision,
            _fields(invoice),
            invoice.events,
        ):
            raise ConcurrentChange(invoice.id)
        invoice.revision += 1
        invoice.events.clear()


class MongoProcessedWebhooks:
    """Stripe event ids already handled (by `_id`), with what was done."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._events: AsyncCollection[Document] = db.stripe_events

    async def seen(self, event_id: str) -> bool:
        return await self._events.find_one({"_id": event_id}, {"_id": 1}) is not None

    async def record(self, event_id: str, event_type: str, outcome: str) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self._events.insert_one(
                {
                    "_id": event_id,
                    "type": event_type,
                    "outcome": outcome,
                    "handled_at": datetime.now(UTC),
                }
            )
