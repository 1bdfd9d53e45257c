"""Invoices and processed Stripe webhooks in MongoDB (invoices carry their outbox)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_contracts import RefundReason, RefundStatus
from bespoke_payments.domain.invoicing import InvoiceLine, IssuedInvoice, Party, format_number
from bespoke_payments.domain.model import Invoice, InvoiceStatus, Payment, Refund
from bespoke_payments.service_layer.handlers import ConcurrentChange
from bespoke_platform.mongo import Document, insert_new
from bespoke_platform.outbox import OutboxPositions, Signals, new_outbox, save_with_events


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
        "buyer": _party_doc(invoice.buyer) if invoice.buyer else None,
        "lines": [_line_doc(line) for line in invoice.lines],
        "currency": invoice.currency,
        "contact_email": invoice.contact_email,
        "status": invoice.status.value,
        "version": invoice.version,
        "payment": (
            {
                "payment_intent_id": invoice.payment.payment_intent_id,
                "client_secret": invoice.payment.client_secret,
                "invoice_version": invoice.payment.invoice_version,
                "part": invoice.payment.part,
            }
            if invoice.payment
            else None
        ),
        "paid_at": invoice.paid_at,
        "flagged": list(invoice.flagged),
        "superseded_by": invoice.superseded_by,
        "applied_events": list(invoice.applied_events),
        "paid_by": invoice.paid_by,
        "deposit_paid": invoice.deposit_paid,
        "deposit_paid_by": invoice.deposit_paid_by,
        "deposit_paid_at": invoice.deposit_paid_at,
        "cancelled_orders": list(invoice.cancelled_orders),
        "refunds": [_refund_doc(r) for r in invoice.refunds],
        "issued": list(invoice.issued),
        # For the sweep that makes refunds a crash or Stripe's absence left owed.
        "owes_refund": bool(invoice.refunds_owed),
    }


def _refund_doc(refund: Refund) -> Document:
    return {
        "id": refund.id,
        "order_number": refund.order_number,
        "amount": refund.amount,
        "fee": refund.fee,
        "reason": refund.reason.value,
        "owed_at": refund.owed_at,
        "payment_intent_id": refund.payment_intent_id,
        "stripe_refund_id": refund.stripe_refund_id,
        "status": refund.status.value if refund.status else None,
        "updated_at": refund.updated_at,
    }


def _refund(doc: Document) -> Refund:
    return Refund(
        id=doc["id"],
        order_number=doc["order_number"],
        amount=doc["amount"],
        fee=doc["fee"],
        reason=RefundReason(doc["reason"]),
        owed_at=doc["owed_at"].replace(tzinfo=UTC),
        payment_intent_id=doc.get("payment_intent_id"),
        stripe_refund_id=doc.get("stripe_refund_id"),
        status=RefundStatus(doc["status"]) if doc.get("status") else None,
        updated_at=doc["updated_at"].replace(tzinfo=UTC) if doc.get("updated_at") else None,
    )


def _party_doc(party: Party) -> Document:
    return {
        "name": party.name,
        "address_lines": list(party.address_lines),
        "country": party.country,
        "vat_id": party.vat_id,
    }


def _party(doc: Document) -> Party:
    return Party(doc["name"], tuple(doc["address_lines"]), doc["country"], doc.get("vat_id"))


def _line_doc(line: InvoiceLine) -> Document:
    return {
        "order_number": line.order_number,
        "manufacturing": line.manufacturing,
        "shipping": line.shipping,
        "customization": line.customization,
    }


def _line(doc: Document) -> InvoiceLine:
    return InvoiceLine(
        doc["order_number"], doc["manufacturing"], doc["shipping"], doc["customization"]
    )


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
        buyer=_party(doc["buyer"]) if doc.get("buyer") else None,
        lines=[_line(line) for line in doc.get("lines", [])],
        currency=doc["currency"],
        contact_email=doc["contact_email"],
        status=InvoiceStatus(doc["status"]),
        version=doc["version"],
        payment=Payment(
            payment["payment_intent_id"],
            payment["client_secret"],
            payment["invoice_version"],
            payment.get("part", "full"),
        )
        if payment
        else None,
        paid_at=doc.get("paid_at"),
        flagged=list(doc.get("flagged", [])),
        superseded_by=doc.get("superseded_by"),
        applied_events=list(doc.get("applied_events", [])),
        # A bill paid before the payment was recorded apart: its last PaymentIntent.
        paid_by=doc.get("paid_by")
        or (payment["payment_intent_id"] if payment and doc["status"] == "paid" else None),
        deposit_paid=doc.get("deposit_paid", 0),
        deposit_paid_by=doc.get("deposit_paid_by"),
        deposit_paid_at=_utc(doc.get("deposit_paid_at")),
        cancelled_orders=list(doc.get("cancelled_orders", [])),
        refunds=[_refund(r) for r in doc.get("refunds", [])],
        issued=list(doc.get("issued", [])),
        revision=doc.get("revision", 0),
    )


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


class MongoInvoices:
    def __init__(self, db: AsyncDatabase[Document], signals: Signals | None = None) -> None:
        """``signals``: the relay's, in the process that runs it (default: documents)."""
        self._invoices: AsyncCollection[Document] = db.invoices
        self._signals = signals or Signals(db.outbox_signals)
        self._positions = OutboxPositions()
        """Where the outbox of each invoice read or written lately stood: a save needs no
        read."""

    async def add(self, invoice: Invoice) -> bool:
        doc = {"_id": invoice.id, **_fields(invoice), "revision": 0, **new_outbox(invoice.events)}
        if not await insert_new(self._invoices, doc):
            return False
        self._positions.note(doc)
        invoice.events.clear()
        return True

    async def get(self, invoice_id: str) -> Invoice | None:
        doc = await self._invoices.find_one({"_id": invoice_id})
        if doc is None:
            return None
        self._positions.note(doc)
        return from_document(doc)

    async def save(self, invoice: Invoice) -> None:
        # The change and its events in one guarded single-document update.
        if not await save_with_events(
            self._invoices,
            self._signals,
            invoice.id,
            invoice.revision,
            _fields(invoice),
            invoice.events,
            self._positions,
        ):
            raise ConcurrentChange(invoice.id)
        invoice.revision += 1
        invoice.events.clear()

    async def owing_refunds(self, limit: int) -> list[str]:
        docs = await self._invoices.find({"owes_refund": True}, {"_id": 1}).to_list(limit)
        return [doc["_id"] for doc in docs]


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


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Indexes payments relies on for correctness and speed (idempotent)."""
    await db.issued_invoices.create_index(
        [("source", ASCENDING)], unique=True, name="one_invoice_per_payment"
    )
    # A brand's invoices, newest number first (cursor pages); one order's are found among
    # its brand's. (No index on the `order_numbers` array: the local FerretDB's indexed
    # finds do not match array elements.)
    await db.issued_invoices.create_index(
        [("account_id", ASCENDING), ("_id", DESCENDING)], name="brand_invoices"
    )
    await db.invoices.create_index([("owes_refund", ASCENDING)], name="owes_refund")


def _issued_doc(issued: IssuedInvoice, number: str, year: int, seq: int) -> Document:
    return {
        "_id": number,
        "kind": issued.kind,
        "year": year,
        "seq": seq,
        "source": issued.source,
        "account_id": issued.account_id,
        "issued_at": issued.issued_at,
        "seller": _party_doc(issued.seller),
        "buyer": _party_doc(issued.buyer),
        "lines": [_line_doc(line) for line in issued.lines],
        "order_numbers": list(issued.order_numbers),
        "currency": issued.currency,
        "vat_rate_bp": issued.vat_rate_bp,
        "vat": issued.vat,
        "vat_note": issued.vat_note,
        "payment_reference": issued.payment_reference,
        "paid_at": issued.paid_at,
        "subtotal": issued.subtotal,
        "total": issued.total,
        "credits": issued.credits,
        "fee": issued.fee,
        "part": issued.part,
        "adjustment": issued.adjustment,
        "adjustment_label": issued.adjustment_label,
        "vat_check": issued.vat_check,
    }


def issued_from(doc: Document) -> IssuedInvoice:
    return IssuedInvoice(
        number=doc["_id"],
        kind=doc["kind"],
        source=doc["source"],
        account_id=doc["account_id"],
        issued_at=doc["issued_at"].replace(tzinfo=UTC),
        seller=_party(doc["seller"]),
        buyer=_party(doc["buyer"]),
        lines=[_line(line) for line in doc["lines"]],
        order_numbers=list(doc["order_numbers"]),
        currency=doc["currency"],
        vat_rate_bp=doc["vat_rate_bp"],
        vat=doc["vat"],
        vat_note=doc["vat_note"],
        payment_reference=doc["payment_reference"],
        paid_at=doc["paid_at"].replace(tzinfo=UTC),
        credits=doc.get("credits"),
        fee=doc.get("fee", 0),
        part=doc.get("part", "full"),
        adjustment=doc.get("adjustment", 0),
        adjustment_label=doc.get("adjustment_label", ""),
        vat_check=doc.get("vat_check", ""),
    )


class MongoIssuedInvoices:
    """Issued invoices, each under its number (``_id``). The number is the one after the
    highest of its year, taken when the document is stored: a concurrent issuer that
    stored it first makes the insert fail and this one takes the next; so no number is
    skipped or given twice (as order numbers: decision 0002). The unique ``source`` makes
    a payment's invoice one, however often its event is delivered.

    The highest number of a year is read by the ``_id`` index once per process, not
    once per invoice, and then remembered (this process took it, or learns otherwise
    when the unique ``_id`` refuses its proposal and reads it again)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._issued: AsyncCollection[Document] = db.issued_invoices
        self._lock = asyncio.Lock()  # one process's issuers take numbers one at a time
        self._last: dict[tuple[str, int], int] = {}
        """The highest number taken of each (prefix, year), as far as this process knows."""

    async def issue(self, issued: IssuedInvoice) -> IssuedInvoice:
        # No read first: an invoice stored for this source already refuses the insert.
        year = issued.issued_at.year
        counter = (issued.prefix, year)
        async with self._lock:
            seq = await self._next(*counter)
            while True:
                number = format_number(issued.prefix, year, seq)
                try:
                    await self._issued.insert_one(_issued_doc(issued, number, year, seq))
                except DuplicateKeyError:
                    existing = await self._issued.find_one({"source": issued.source})
                    if existing is not None:  # this payment's, stored before or by another
                        return issued_from(existing)
                    # Another process's invoice took the number, and maybe more since.
                    self._last.pop(counter, None)
                    seq = max(seq + 1, await self._next(*counter))
                    continue
                self._last[counter] = max(self._last.get(counter, 0), seq)
                issued.number = number
                return issued

    async def _next(self, prefix: str, year: int) -> int:
        if (prefix, year) not in self._last:
            last = await self._issued.find_one(
                {
                    "_id": {
                        "$gte": format_number(prefix, year, 1),
                        "$lt": f"{prefix}-{year + 1:04d}",
                    }
                },
                {"seq": 1},
                sort=[("_id", DESCENDING)],
            )
            self._last[(prefix, year)] = 0 if last is None else int(last["seq"])
        return self._last[(prefix, year)] + 1

    async def get(self, account_id: str | None, number: str) -> IssuedInvoice | None:
        query: Document = {"_id": number}
        if account_id is not None:
            query["account_id"] = account_id
        doc = await self._issued.find_one(query)
        return None if doc is None else issued_from(doc)

    async def find(
        self, account_id: str, order_number: str | None, before: str | None, limit: int
    ) -> list[IssuedInvoice]:
        query: Document = {"account_id": account_id}
        if order_number is not None:
            query["order_numbers"] = order_number
        if before is not None:
            query["_id"] = {"$lt": before}
        docs = await self._issued.find(query).sort("_id", DESCENDING).limit(limit).to_list()
        return [issued_from(doc) for doc in docs]
