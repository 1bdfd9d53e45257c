"""Use cases of the payments service."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bespoke_contracts import (
    Envelope,
    OrderRevised,
    OrderStageChanged,
    OrderStatus,
    OrderStatusChanged,
    OrderSubmitted,
    PaymentCleared,
    PaymentRefunded,
    RefundStatus,
    ShipmentGrouped,
    ShipmentUngrouped,
)
from bespoke_contracts.deposits import Part
from bespoke_payments.domain import model
from bespoke_payments.domain.errors import (
    InvoiceNotFound,
    InvoiceNotPayable,
    PaymentProviderUnavailable,
)
from bespoke_payments.domain.invoicing import IssuedInvoice, Party
from bespoke_payments.service_layer.ports import (
    Clock,
    InvoiceRepository,
    IssuedInvoiceRepository,
    PaymentProvider,
    ProcessedWebhooks,
    VatCheck,
    WebhookVerifier,
)
from bespoke_platform.concurrency import change_with_retries
from bespoke_platform.messaging import PoisonMessage

log = logging.getLogger(__name__)

MAX_CHANGE_ATTEMPTS = 10


class ConcurrentChange(Exception):
    """The invoice changed between reading and writing it."""


@dataclass(frozen=True)
class PaymentsDeps:
    invoices: InvoiceRepository
    stripe: PaymentProvider
    webhooks: WebhookVerifier
    processed: ProcessedWebhooks
    clock: Clock
    issued: IssuedInvoiceRepository
    seller: Party
    """The factory, as its invoices name it (settings)."""
    vat_check: VatCheck | None = None
    """VIES, when configured: asked once per invoice issued to a buyer with a VAT number."""
    live: bool = False
    """Whether this is the factory's live Stripe account: then only live-mode events
    count (a test-mode event, such as a local simulation, clears nothing), and the
    other way round."""


async def on_order_submitted(event: OrderSubmitted, deps: PaymentsDeps) -> bool:
    """Open the order's invoice from the event alone (idempotent: one per order)."""
    order = event.payload
    invoice = model.invoice_for_order(
        order_number=order.order_number,
        account_id=event.account_id,
        costs=order.costs,
        contact_email=str(order.billing.email),
        billing=order.billing,
    )
    return await deps.invoices.add(invoice)


async def _change(
    invoice_id_: str,
    apply: Callable[[model.Invoice], bool],
    deps: PaymentsDeps,
    read: model.Invoice | None = None,
) -> model.Invoice | None:
    """Change one bill (``read``: see ``change_with_retries``)."""
    return await change_with_retries(
        lambda: deps.invoices.get(invoice_id_),
        apply,
        deps.invoices.save,
        ConcurrentChange,
        MAX_CHANGE_ATTEMPTS,
        read,
    )


async def on_order_revised(event: OrderRevised, deps: PaymentsDeps) -> None:
    """The order was edited while pending: its invoice takes the new amounts. (Topics are
    not ordered with each other: if the invoice is not open yet, this fails and is retried.)"""
    changed = await _change(
        model.invoice_id_for(event.payload.order_number),
        lambda invoice: invoice.reprice(
            event.payload.costs, event.payload.billing, str(event.event_id)
        ),
        deps,
    )
    if changed is None:
        raise InvoiceNotFound(f"no invoice yet for {event.payload.order_number}")


async def on_shipment_grouped(event: ShipmentGrouped, deps: PaymentsDeps) -> bool:
    """Open the group's invoice and void (supersede) each order's own. Idempotent: the
    group invoice is created once; each order invoice applies the event once."""
    group = event.payload
    orders = []
    for number in group.order_numbers:
        invoice = await deps.invoices.get(model.invoice_id_for(number))
        if invoice is None or invoice.account_id != event.account_id:
            raise InvoiceNotFound(f"no invoice yet for {number} in group {group.group_id}")
        orders.append(invoice)
    group_invoice_id = model.invoice_id_for(group.group_id)
    late = [o.target for o in orders if not o.payable and o.superseded_by != group_invoice_id]
    if late:
        # An order was paid (or voided) on its own before the group reached us: the group
        # cannot be paid as one. The shipping service dissolves it when it sees that
        # payment; until then it has no invoice, so no order can be paid twice.
        log.warning("group %s not invoiced: %s no longer payable", group.group_id, late)
        return False
    group_invoice = model.invoice_for_group(
        group_id=group.group_id,
        account_id=event.account_id,
        orders=orders,
        allocations=group.allocations,
        currency=group.currency,
        contact_email=group.contact_email,
    )
    # Orders first: once the group's invoice can be seen, none of its orders is payable
    # on its own. (A retry after a crash in between finds the orders done and adds it.)
    for number in group.order_numbers:
        await _change(
            model.invoice_id_for(number),
            lambda invoice: invoice.supersede(group_invoice.id, str(event.event_id)),
            deps,
        )
    created = await deps.invoices.add(group_invoice)
    return created


async def on_shipment_ungrouped(event: ShipmentUngrouped, deps: PaymentsDeps) -> None:
    """A dissolved group: void its invoice, give each order its own invoice back."""
    event_id = str(event.event_id)
    await _change(
        model.invoice_id_for(event.payload.group_id), lambda invoice: invoice.void(event_id), deps
    )
    for number in event.payload.order_numbers:
        await _change(model.invoice_id_for(number), lambda invoice: invoice.restore(event_id), deps)


async def on_payment_cleared(event: PaymentCleared, deps: PaymentsDeps) -> IssuedInvoice:
    """A cleared payment issues its invoice: numbered, once per payment however often the
    event comes (a crash before issuing is retried from Kafka, never skipped). The event
    leaves the paid bill's own outbox, so a bill that is missing or not paid can never
    be invoiced: the event is parked at once, not retried."""
    paid = event.payload
    bill = await deps.invoices.get(paid.invoice_id)
    if bill is None or bill.account_id != event.account_id:
        raise PoisonMessage(f"no bill {paid.invoice_id} of this brand for a cleared payment")
    try:
        return await _invoice_of(bill, paid.payment_intent_id, deps)
    except InvoiceNotPayable as error:
        raise PoisonMessage(str(error)) from error


async def on_order_status_changed(event: OrderStatusChanged, deps: PaymentsDeps) -> bool:
    """A cancelled order: its unpaid bill is void (nothing more can be paid for it); a
    paid one owes that order's share back, less the cancellation fee the event states,
    and the refund is made at Stripe at once. A group's order is refunded from the group's
    bill; the rest of the group stays paid. Idempotent per event and per order."""
    change = event.payload
    if change.to_status is not OrderStatus.CANCELLED:
        return False
    bills = await _bills_of(change.order_number, "cancelled order", event, deps)
    event_id, fee = str(event.event_id), change.cancellation_fee or 0
    for bill_id in bills:
        await _change(
            bill_id,
            lambda bill: bill.cancel_order(change.order_number, fee, event_id, change.changed_at),
            deps,
        )
    await make_refunds(bills[0], deps)
    return True


async def _bills_of(
    order_number: str, what: str, event: Envelope[Any], deps: PaymentsDeps
) -> list[str]:
    """The bills of an order an event names, the one its payment went to first: its own,
    or its group's and then its own (void while grouped)."""
    own = await deps.invoices.get(model.invoice_id_for(order_number))
    if own is None or own.account_id != event.account_id:
        # Topics are not ordered with each other: retried until `order.submitted` opened it.
        raise InvoiceNotFound(f"no invoice yet for {what} {order_number}")
    return [own.id] if own.superseded_by is None else [own.superseded_by, own.id]


async def on_order_stage_changed(event: OrderStageChanged, deps: PaymentsDeps) -> bool:
    """An order launched unlabeled, its stamps never approved: the stamp development it
    paid for goes back, refunded at Stripe at once, with a credit note. Every other move
    of the floor changes nothing here. Idempotent per event and per order."""
    change = event.payload
    if not change.stamps_credit:
        return False
    bill_id = (await _bills_of(change.order_number, "unlabeled order", event, deps))[0]
    event_id = str(event.event_id)
    await _change(
        bill_id,
        lambda bill: bill.credit_stamps(
            change.order_number, change.stamps_credit, event_id, change.changed_at
        ),
        deps,
    )
    await make_refunds(bill_id, deps)
    return True


async def make_refunds(bill_id: str, deps: PaymentsDeps) -> list[str]:
    """Make at Stripe every refund the bill owes, each under its own idempotency key (a
    retry after a crash, or a second worker, makes the same refund, never another), and
    record it, which publishes `payment.refunded`. The bill's invoice is issued first, so
    the credit note always has an invoice to name. Returns the refunds made."""
    bill = await deps.invoices.get(bill_id)
    if bill is None or not bill.refunds_owed:
        return []
    return [await _make(bill, refund, deps) for refund in bill.refunds_owed]


async def _make(bill: model.Invoice, refund: model.Refund, deps: PaymentsDeps) -> str:
    intent = refund.payment_intent_id or bill.paid_by
    if intent is None:
        raise InvoiceNotPayable(f"{bill.id} owes refund {refund.id} but names no payment")
    await _invoice_of(bill, intent, deps)
    at_stripe = await deps.stripe.refund(
        payment_intent_id=intent,
        amount=refund.amount,
        idempotency_key=refund.id,
        metadata={
            "refund_id": refund.id,
            "invoice_id": bill.id,
            "order_number": refund.order_number,
            "account_id": bill.account_id,
        },
    )
    now = deps.clock.now()
    await _change(
        bill.id,
        lambda current: current.refund_made(refund.id, at_stripe.refund_id, at_stripe.status, now),
        deps,
    )
    return refund.id


async def sweep_refunds(deps: PaymentsDeps, limit: int = 50) -> list[str]:
    """Refunds owed but not made (Stripe was down, or the process died in between): made
    now. Run periodically."""
    made = []
    for bill_id in await deps.invoices.owing_refunds(limit):
        try:
            made += await make_refunds(bill_id, deps)
        except PaymentProviderUnavailable as error:
            log.warning("refunds of %s wait for Stripe: %s", bill_id, error)
    return made


async def on_payment_refunded(event: PaymentRefunded, deps: PaymentsDeps) -> IssuedInvoice | None:
    """A refund made issues its credit note, CN-YYYY-NNNNNN, naming the invoice of the
    payment it gives back: once per refund however often the event comes. (A later
    status of the same refund issues nothing.)"""
    refund = event.payload
    if refund.previous_status is not None:
        return None
    bill = await deps.invoices.get(refund.invoice_id)
    if bill is None or bill.account_id != event.account_id:
        raise PoisonMessage(f"no paid bill {refund.invoice_id} of this brand for a refund")
    try:
        invoice = await _invoice_of(bill, refund.payment_intent_id, deps)
        note = bill.credit_note(
            refund.refund_id,
            seller=deps.seller,
            invoice_number=invoice.number,
            at=deps.clock.now(),
        )
    except (InvoiceNotPayable, StopIteration) as error:
        raise PoisonMessage(f"refund {refund.refund_id}: {error}") from error
    return await _issue(bill, note, deps)


async def _invoice_of(bill: model.Invoice, payment: str, deps: PaymentsDeps) -> IssuedInvoice:
    """The invoice of one payment of the bill, issued now if it was not yet; a balance's
    names its deposit's invoice, so that one is issued first."""
    at = deps.clock.now()
    deposit = None
    if bill.deposit_paid_by is not None and payment != bill.deposit_paid_by:
        deposit = await _issue(
            bill,
            bill.issue(seller=deps.seller, payment_reference=bill.deposit_paid_by, at=at),
            deps,
        )
    document = bill.issue(
        seller=deps.seller,
        payment_reference=payment,
        at=at,
        deposit_invoice=deposit.number if deposit else None,
    )
    if deps.vat_check is not None and document.buyer.vat_id:
        document.vat_check = await deps.vat_check.check(document.buyer.vat_id)
    return await _issue(bill, document, deps)


async def _issue(bill: model.Invoice, document: IssuedInvoice, deps: PaymentsDeps) -> IssuedInvoice:
    """Number and store an invoice or credit note (once per source), then publish it from
    its bill (once per number): a crash in between publishes it on the retry. ``bill`` is
    the caller's, recorded in place when it is still current."""
    issued = await deps.issued.issue(document)
    await _change(bill.id, lambda current: current.record_issued(issued), deps, read=bill)
    return issued


async def invoices_of(
    account_id: str, order_number: str | None, before: str | None, limit: int, deps: PaymentsDeps
) -> list[IssuedInvoice]:
    return await deps.issued.find(account_id, order_number, before, limit)


async def issued_invoice(account_id: str | None, number: str, deps: PaymentsDeps) -> IssuedInvoice:
    """One of the brand's issued invoices; ``None`` account: the factory's operators."""
    found = await deps.issued.get(account_id, number)
    if found is None:
        raise InvoiceNotFound(f"no invoice {number}")
    return found


async def pay_page(account_id: str | None, target: str, deps: PaymentsDeps) -> model.Invoice:
    """The invoice of an order (or group) of the brand; ``None`` account: operator tools."""
    invoice = await deps.invoices.get(model.invoice_id_for(target))
    if invoice is None or (account_id is not None and invoice.account_id != account_id):
        raise InvoiceNotFound(
            f"no invoice for {target} (an order's invoice opens right after checkout)"
        )
    return invoice


async def start_payment(
    account_id: str | None, target: str, deps: PaymentsDeps, asked: Part | None = None
) -> model.Invoice:
    """A Stripe PaymentIntent for the invoice's current version and what is paid of it
    (all, the deposit, or the balance after it): one, however often asked."""
    invoice = await pay_page(account_id, target, deps)
    if invoice.superseded_by is not None:
        raise InvoiceNotPayable(
            f"{target} is paid with its shipping group's invoice ({invoice.superseded_by})"
        )
    if not invoice.payable:
        raise InvoiceNotPayable(
            f"the invoice for {target} is {invoice.status.value}: nothing to pay"
        )
    part = invoice.part_due(asked)
    current = invoice.payment
    if current is not None and (current.invoice_version, current.part) == (invoice.version, part):
        return invoice
    started = await deps.stripe.create_payment_intent(
        amount=invoice.amount_of(part),
        currency=invoice.currency,
        idempotency_key=invoice.payment_key(part),
        metadata={
            "invoice_id": invoice.id,
            "invoice_version": str(invoice.version),
            "target": invoice.target,
            "account_id": invoice.account_id,
            "part": part,
        },
    )
    version = invoice.version

    def record(current: model.Invoice) -> bool:
        if current.version != version or not current.payable:
            return False
        current.payment = model.Payment(
            started.payment_intent_id, started.client_secret, version, part
        )
        return True

    stored = await _change(invoice.id, record, deps)
    assert stored is not None
    if stored.payment is None or (stored.payment.invoice_version, stored.payment.part) != (
        version,
        part,
    ):
        raise InvoiceNotPayable(f"the invoice for {target} changed meanwhile; ask again")
    return stored


async def handle_webhook(payload: bytes, signature: str, deps: PaymentsDeps) -> str:
    """Verify, deduplicate and apply one Stripe event. Returns what was done."""
    event = deps.webhooks.verify(payload, signature)
    event_id = str(event.get("id", ""))
    event_type = str(event.get("type", ""))
    if bool(event.get("livemode")) != deps.live:
        log.warning("stripe event %s ignored: livemode does not match the account", event_id)
        return (
            "ignored: a test-mode event for a live account"
            if deps.live
            else ("ignored: a live-mode event for a test account")
        )
    if await deps.processed.seen(event_id):
        return "duplicate"
    outcome = await _apply(event_id, event_type, event, deps)
    await deps.processed.record(event_id, event_type, outcome)
    return outcome


REFUND_EVENTS = ("charge.refunded", "refund.updated", "refund.created")


async def _refunds_moved(
    event_id: str, event_type: str, event: dict[str, Any], deps: PaymentsDeps
) -> str:
    """Stripe reports refunds: a charge's (`charge.refunded`) or one (`refund.updated`).
    Each refund we made names its bill in its metadata; others are not ours."""
    found: dict[str, Any] = event.get("data", {}).get("object", {})
    refunds = (
        list((found.get("refunds") or {}).get("data") or [])
        if event_type == "charge.refunded"
        else [found]
    )
    created = event.get("created")
    at = datetime.fromtimestamp(created, UTC) if isinstance(created, int) else deps.clock.now()
    moved = []
    for refund in refunds:
        bill_id = (refund.get("metadata") or {}).get("invoice_id")
        stripe_id, status = str(refund.get("id", "")), model.refund_status(refund.get("status"))
        if not bill_id:
            continue

        def move(
            bill: model.Invoice, stripe_id: str = stripe_id, status: RefundStatus = status
        ) -> bool:
            if not bill.refund_moved(stripe_id, status, f"{event_id}:{stripe_id}", at):
                return False
            moved.append(f"{stripe_id} {status.value}")
            return True

        await _change(bill_id, move, deps)
    return f"refunds: {', '.join(moved)}" if moved else "no change"


async def _apply(event_id: str, event_type: str, event: dict[str, Any], deps: PaymentsDeps) -> str:
    if event_type in REFUND_EVENTS:
        return await _refunds_moved(event_id, event_type, event, deps)
    intent: dict[str, Any] = event.get("data", {}).get("object", {})
    metadata: dict[str, str] = intent.get("metadata") or {}
    target_invoice = metadata.get("invoice_id")
    if event_type not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return "ignored"
    if not target_invoice:
        return "ignored: no invoice in metadata"
    if event_type == "payment_intent.payment_failed":
        return "payment failed; invoice stays open"
    version = metadata.get("invoice_version")
    part: Part = PARTS.get(metadata.get("part", ""), "full")
    created = event.get("created")
    at = datetime.fromtimestamp(created, UTC) if isinstance(created, int) else deps.clock.now()
    cleared = False

    def settle(invoice: model.Invoice) -> bool:
        nonlocal cleared
        cleared = invoice.settle(
            stripe_event_id=event_id,
            payment_intent_id=str(intent.get("id", "")),
            amount=int(intent.get("amount_received") or intent.get("amount") or 0),
            currency=str(intent.get("currency", "")),
            metadata_version=int(version) if version and version.isdigit() else None,
            at=at,
            correlation_id=f"stripe:{event_id}",
            part=part,
        )
        return True

    invoice = await _change(target_invoice, settle, deps)
    if invoice is None:
        return f"ignored: unknown invoice {target_invoice}"
    if invoice.refunds_owed:  # paid for an order already cancelled: it all goes back
        await make_refunds(invoice.id, deps)
        return "cleared and refunded: the order was cancelled"
    if cleared:
        return "deposit cleared" if part == "deposit" else "cleared"
    return "flagged" if invoice.flagged else "no change"


PARTS: dict[str, Part] = {"deposit": "deposit", "balance": "balance"}
"""A PaymentIntent's ``part`` metadata (none: the whole bill)."""
