"""Invoices: what a brand owes for an order (or a shipping group), and whether it is paid.

Pure model: no I/O. Events the invoice causes wait in ``events`` and are stored in the
invoice's own document (the outbox) by the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bespoke_contracts import (
    BillingInfo,
    Envelope,
    InvoiceIssued,
    InvoiceIssuedPayload,
    OrderCosts,
    PaymentCleared,
    PaymentClearedPayload,
    PaymentRefunded,
    PaymentRefundedPayload,
    RefundReason,
    RefundStatus,
    order_total,
)
from bespoke_contracts.deposits import (
    DEPOSIT_MINIMUM,
    Part,
    deposit_of,
    due_for,
    net_of,
    paid_share,
)
from bespoke_contracts.formatting import money
from bespoke_contracts.vat import line_vat, vat_on_lines
from bespoke_payments.domain.errors import InvoiceNotPayable
from bespoke_payments.domain.invoicing import InvoiceLine, IssuedInvoice, Party


class InvoiceStatus(StrEnum):
    OPEN = "open"
    DEPOSIT_PAID = "deposit_paid"
    """Its deposit is paid (production runs); the balance is open."""
    PAID = "paid"
    VOID = "void"


@dataclass(frozen=True)
class Payment:
    """A Stripe PaymentIntent started for a version of the invoice."""

    payment_intent_id: str
    client_secret: str
    invoice_version: int
    part: Part = "full"


@dataclass
class Refund:
    """Money of one order of a paid bill going back: owed first (``stripe_refund_id``
    empty), then made at Stripe under ``id`` as its idempotency key, so a retry of any
    step never refunds twice."""

    id: str
    """``rf_<bill id>_<order number>``: one refund per order of a bill."""
    order_number: str
    amount: int
    """Given back, VAT included."""
    fee: int
    """The cancellation fee kept, net (its VAT at the bill's rate is kept too)."""
    reason: RefundReason
    owed_at: datetime
    payment_intent_id: str | None = None
    """The payment it gives back (with a deposit: the one that paid what is refunded)."""
    stripe_refund_id: str | None = None
    status: RefundStatus | None = None
    """Stripe's status once made; None while owed."""
    updated_at: datetime | None = None

    @property
    def made(self) -> bool:
        return self.stripe_refund_id is not None


def refund_status(status: str | None) -> RefundStatus:
    """Stripe's refund status in our words (`requires_action` waits, as `pending` does)."""
    try:
        return RefundStatus(status or "pending")
    except ValueError:
        return RefundStatus.PENDING


def refund_id_for(invoice_id: str, order_number: str) -> str:
    return f"rf_{invoice_id}_{order_number}"


@dataclass
class Invoice:
    """One invoice per order (id ``inv_<order number>``); amounts in integer minor units."""

    id: str
    account_id: str
    target: str
    order_numbers: list[str]
    manufacturing: int
    shipping: int
    customization: int
    currency: str
    contact_email: str
    vat: int = 0
    """VAT on the lines, each rounded on its own (``bespoke_contracts.vat``)."""
    vat_rate_bp: int = 0
    vat_note: str = ""
    buyer: Party | None = None
    """Who is invoiced (the order's billing; a group's: its first order's)."""
    lines: list[InvoiceLine] = field(default_factory=list)
    """Per order: what the issued invoice lists."""
    status: InvoiceStatus = InvoiceStatus.OPEN
    version: int = 1
    """Bumped whenever the amount changes, so a new PaymentIntent is needed."""
    payment: Payment | None = None
    paid_at: datetime | None = None
    flagged: list[str] = field(default_factory=list)
    """Why a reported payment was not accepted (e.g. amount mismatch)."""
    superseded_by: str | None = None
    """The group invoice that replaced this order's invoice (it is void meanwhile)."""
    paid_by: str | None = None
    """The Stripe PaymentIntent whose money cleared it (with a deposit: the balance's)."""
    deposit_paid: int = 0
    deposit_paid_by: str | None = None
    """The PaymentIntent that paid its deposit."""
    deposit_paid_at: datetime | None = None
    cancelled_orders: list[str] = field(default_factory=list)
    """Its orders that were cancelled: unpaid, the bill is void; paid, refunded."""
    refunds: list[Refund] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    """Numbers of the invoices and credit notes issued from it, each published once."""
    applied_events: list[str] = field(default_factory=list)
    revision: int = 0
    events: list[Envelope[Any]] = field(default_factory=list, compare=False)

    @property
    def subtotal(self) -> int:
        return order_total(
            manufacturing=self.manufacturing,
            shipping=self.shipping,
            customization=self.customization,
        )

    @property
    def total(self) -> int:
        return self.subtotal + self.vat

    @property
    def payable(self) -> bool:
        if self.status is InvoiceStatus.DEPOSIT_PAID:
            return not self.all_cancelled  # the balance of cancelled orders is not asked
        return self.status is InvoiceStatus.OPEN

    @property
    def deposit(self) -> int | None:
        """The deposit its total offers (none below EUR 1,499.00)."""
        return deposit_of(self.total)

    @property
    def balance(self) -> int | None:
        """What is left after the deposit (paid or offered); None without one."""
        deposit = self.deposit_paid or self.deposit
        return None if deposit is None else self.total - deposit

    @property
    def amount_paid(self) -> int:
        if self.status is InvoiceStatus.PAID:
            return self.total
        return self.deposit_paid if self.status is InvoiceStatus.DEPOSIT_PAID else 0

    def part_due(self, asked: Part | None) -> Part:
        """What a payment asked as ``asked`` pays now (``InvoiceNotPayable`` if nothing):
        all of it, or its deposit; once the deposit is paid, the balance."""
        if self.status is InvoiceStatus.DEPOSIT_PAID:
            if asked == "deposit":
                raise InvoiceNotPayable(f"the deposit of {self.target} is paid; pay the balance")
            return "balance"
        if asked == "balance":
            raise InvoiceNotPayable(f"{self.target} has no deposit paid: pay it or the whole total")
        if asked == "deposit" and self.deposit is None:
            raise InvoiceNotPayable(
                f"a deposit is offered from {money(DEPOSIT_MINIMUM, self.currency)}; "
                f"{self.target} is {money(self.total, self.currency)}: pay the whole total"
            )
        return "deposit" if asked == "deposit" else "full"

    def amount_of(self, part: Part) -> int:
        if part == "balance":
            return self.total - self.deposit_paid
        return due_for(part, self.total)

    def reprice(self, costs: OrderCosts, billing: BillingInfo, event_id: str) -> bool:
        """The order was edited: new amounts, a new version (a started payment is dropped).
        An invoice a group superseded takes them too: an edit that raced the grouping
        dissolves the group, and the invoice it gets back must ask for the new total."""
        if event_id in self.applied_events or self.status is InvoiceStatus.PAID:
            return False
        if self.status is InvoiceStatus.VOID and self.superseded_by is None:
            return False
        self._take(costs)
        self.buyer = party_from(billing)
        self.lines = [
            InvoiceLine(self.target, costs.manufacturing, costs.shipping, costs.customization)
        ]
        self.version += 1
        self.payment = None
        self.applied_events.append(event_id)
        return True

    def _take(self, costs: OrderCosts) -> None:
        self.manufacturing, self.shipping, self.customization = (
            costs.manufacturing,
            costs.shipping,
            costs.customization,
        )
        self.vat, self.vat_rate_bp, self.vat_note = costs.vat, costs.vat_rate_bp, costs.vat_note
        self.currency = costs.currency

    def supersede(self, group_invoice_id: str, event_id: str) -> bool:
        """The order ships (and is paid) in a group: this invoice is void meanwhile."""
        if event_id in self.applied_events:
            return False
        if not self.payable:
            raise InvoiceNotPayable(
                f"invoice {self.id} is {self.status.value}; it cannot be grouped"
            )
        self.status = InvoiceStatus.VOID
        self.superseded_by = group_invoice_id
        self.payment = None
        self.version += 1
        self.applied_events.append(event_id)
        return True

    def restore(self, event_id: str) -> bool:
        """Its group was dissolved before payment: the order is paid on its own again."""
        if event_id in self.applied_events or self.superseded_by is None:
            return False
        # An order cancelled meanwhile stays unpayable: void, as its cancellation left it.
        self.status = InvoiceStatus.VOID if self.cancelled_orders else InvoiceStatus.OPEN
        self.superseded_by = None
        self.version += 1
        self.applied_events.append(event_id)
        return True

    def void(self, event_id: str) -> bool:
        """A group invoice whose group was dissolved before payment."""
        if event_id in self.applied_events or self.status is not InvoiceStatus.OPEN:
            # A paid group stays paid: its payment beat the dissolution, and it ships.
            return False
        self.status = InvoiceStatus.VOID
        self.payment = None
        self.applied_events.append(event_id)
        return True

    def share_of(self, order_number: str) -> int:
        """What its payment paid for one of its orders: that order's line and the VAT on
        it, each part rounded as the bill's VAT was (so the shares add up to the total)."""
        line = self.line_of(order_number)
        parts = (line.manufacturing, line.shipping, line.customization)
        return sum(parts) + vat_on_lines(parts, self.vat_rate_bp)

    def line_of(self, order_number: str) -> InvoiceLine:
        for line in self.lines:
            if line.order_number == order_number:
                return line
        if self.order_numbers == [order_number]:
            return InvoiceLine(order_number, self.manufacturing, self.shipping, self.customization)
        raise InvoiceNotPayable(f"{self.id} has no line for order {order_number}")

    def cancel_order(self, order_number: str, fee: int, event_id: str, at: datetime) -> bool:
        """One of its orders was cancelled, keeping ``fee`` (net). Unpaid: the bill is
        void, nothing can be paid for it any more. Paid: that order's share, less the fee
        and its VAT, is owed back. False when applied already or nothing changed."""
        if event_id in self.applied_events or order_number in self.cancelled_orders:
            return False
        self.applied_events.append(event_id)
        self.cancelled_orders.append(order_number)
        if self.status is InvoiceStatus.OPEN:
            self.status = InvoiceStatus.VOID
            self.payment = None
        elif self.status in (InvoiceStatus.PAID, InvoiceStatus.DEPOSIT_PAID):
            self._owe(order_number, fee, RefundReason.CANCELLED, at)
            if self.all_cancelled:
                self.payment = None  # nothing is left to pay: its balance is not asked
        return True

    @property
    def all_cancelled(self) -> bool:
        return set(self.cancelled_orders) >= set(self.order_numbers)

    def _owe(self, order_number: str, fee: int, reason: RefundReason, at: datetime) -> None:
        """Owe back what its payments paid for the order, less the fee and its VAT: to the
        payment that paid it, or, paid in two halves, to the balance's payment first and
        the rest to the deposit's (Stripe refunds a payment up to what it took)."""
        paid = paid_share(self.share_of(order_number), self.total, self.amount_paid)
        amount = paid - fee - line_vat(fee, self.vat_rate_bp) - self._credited(order_number)
        if amount <= 0 or any(
            r.order_number == order_number and r.reason is not RefundReason.STAMPS_NOT_DEVELOPED
            for r in self.refunds
        ):
            return
        first = refund_id_for(self.id, order_number)
        for i, (intent, part) in enumerate(self._legs(amount)):
            refund_id, kept = (first, fee) if i == 0 else (f"{first}_deposit", 0)
            self.refunds.append(Refund(refund_id, order_number, part, kept, reason, at, intent))

    def _credited(self, order_number: str) -> int:
        """What went back for the order's stamps, never developed (VAT included)."""
        return sum(
            r.amount
            for r in self.refunds
            if r.order_number == order_number and r.reason is RefundReason.STAMPS_NOT_DEVELOPED
        )

    def credit_stamps(self, order_number: str, net: int, event_id: str, at: datetime) -> bool:
        """The order launched unlabeled: the stamp development it paid (``net``) and its
        VAT are owed back, to the payment that took it (or, paid in two halves, the
        balance's first). Nothing is owed of a bill not paid; False when applied already."""
        if event_id in self.applied_events or self._credited(order_number):
            return False
        if self.status not in (InvoiceStatus.PAID, InvoiceStatus.DEPOSIT_PAID) or net <= 0:
            return False
        self.applied_events.append(event_id)
        first = f"{refund_id_for(self.id, order_number)}_stamps"
        amount = net + line_vat(net, self.vat_rate_bp)
        for i, (intent, part) in enumerate(self._legs(amount)):
            refund_id = first if i == 0 else f"{first}_deposit"
            self.refunds.append(
                Refund(
                    refund_id, order_number, part, 0, RefundReason.STAMPS_NOT_DEVELOPED, at, intent
                )
            )
        return True

    def _legs(self, amount: int) -> list[tuple[str | None, int]]:
        if self.status is InvoiceStatus.DEPOSIT_PAID:
            return [(self.deposit_paid_by, amount)]
        if self.deposit_paid_by is None:
            return [(self.paid_by, amount)]
        given = sum(r.amount for r in self.refunds if r.payment_intent_id == self.paid_by)
        room = max(0, self.total - self.deposit_paid - given)
        legs = [
            (self.paid_by, min(amount, room)),
            (self.deposit_paid_by, amount - min(amount, room)),
        ]
        return [(intent, part) for intent, part in legs if part > 0]

    @property
    def refunds_owed(self) -> list[Refund]:
        """Refunds not yet made at Stripe."""
        return [r for r in self.refunds if not r.made]

    def refund_made(
        self, refund_id: str, stripe_refund_id: str, status: RefundStatus, at: datetime
    ) -> bool:
        """Stripe took the refund: it is published (`payment.refunded`), once."""
        refund = next(r for r in self.refunds if r.id == refund_id)
        if refund.made:
            return False
        refund.stripe_refund_id, refund.status, refund.updated_at = stripe_refund_id, status, at
        self._publish(refund, None, at)
        return True

    def refund_moved(
        self, stripe_refund_id: str, status: RefundStatus, event_id: str, at: datetime
    ) -> bool:
        """Stripe reports a refund's status (`charge.refunded`, `refund.updated`): a new
        one is published; the same again changes nothing."""
        refund = next((r for r in self.refunds if r.stripe_refund_id == stripe_refund_id), None)
        if refund is None or event_id in self.applied_events or refund.status is status:
            return False
        self.applied_events.append(event_id)
        before, refund.status, refund.updated_at = refund.status, status, at
        self._publish(refund, before, at)
        return True

    def _publish(self, refund: Refund, before: RefundStatus | None, at: datetime) -> None:
        assert refund.status is not None
        assert refund.stripe_refund_id is not None
        self.events.append(
            PaymentRefunded(
                occurred_at=at,
                account_id=self.account_id,
                correlation_id=refund.id,
                causation_id=refund.stripe_refund_id,
                payload=PaymentRefundedPayload(
                    refund_id=refund.id,
                    invoice_id=self.id,
                    target=self.target,
                    order_number=refund.order_number,
                    amount=refund.amount,
                    fee=refund.fee + line_vat(refund.fee, self.vat_rate_bp),
                    currency=self.currency,
                    reason=refund.reason,
                    status=refund.status,
                    previous_status=before,
                    stripe_refund_id=refund.stripe_refund_id,
                    payment_intent_id=refund.payment_intent_id or self.paid_by or "",
                    refunded_at=at,
                    contact_email=self.contact_email,
                ),
            )
        )

    def credit_note(
        self, refund_id: str, *, seller: Party, invoice_number: str, at: datetime
    ) -> IssuedInvoice:
        """The credit note of a refund made: the order's line given back, less the fee
        (and, when only its deposit was paid, less the balance that never was)."""
        refund = next(r for r in self.refunds if r.id == refund_id)
        if not refund.made:
            raise InvoiceNotPayable(f"refund {refund_id} is not made: nothing to credit")
        line = self.line_of(refund.order_number)
        if refund.reason is RefundReason.STAMPS_NOT_DEVELOPED:
            # Only the customization line: the stamp development, never made.
            net = net_of(refund.amount, self.vat_rate_bp)
            line = InvoiceLine(refund.order_number, 0, 0, net)
        parts = (line.manufacturing, line.shipping, line.customization)
        vat = vat_on_lines(parts, self.vat_rate_bp) - line_vat(refund.fee, self.vat_rate_bp)
        adjustment, label = 0, ""
        if refund.amount != line.net - refund.fee + vat:  # part of what the order cost
            net = net_of(refund.amount, self.vat_rate_bp)
            adjustment, vat = net - (line.net - refund.fee), refund.amount - net
            label = (
                "Stamp development credited before: the stamps were never made"
                if self._credited(refund.order_number)
                and refund.reason is not RefundReason.STAMPS_NOT_DEVELOPED
                else "Not refunded to this payment: the rest goes back to the order's other payment"
                if self.status is InvoiceStatus.PAID and self.deposit_paid_by
                else "Balance, never paid"
            )
        return IssuedInvoice(
            source=f"{refund.id}:{refund.stripe_refund_id}",
            account_id=self.account_id,
            issued_at=at,
            seller=seller,
            buyer=self.buyer or Party(self.contact_email, (), ""),
            lines=[line],
            currency=self.currency,
            vat_rate_bp=self.vat_rate_bp,
            vat=vat,
            vat_note=self.vat_note,
            payment_reference=refund.stripe_refund_id or "",
            paid_at=refund.updated_at or at,
            kind="credit_note",
            order_numbers=[refund.order_number],
            credits=invoice_number,
            fee=refund.fee,
            adjustment=adjustment,
            adjustment_label=label,
        )

    def issue(
        self,
        *,
        seller: Party,
        payment_reference: str,
        at: datetime,
        deposit_invoice: str | None = None,
    ) -> IssuedInvoice:
        """The invoice document of one of this bill's payments (numbered when stored):
        all of it; its deposit (the lines, less the balance not invoiced yet); or its
        balance (the lines, less the deposit invoiced in ``deposit_invoice``)."""
        deposit = self.deposit_paid_by is not None and payment_reference == self.deposit_paid_by
        paid_at = self.deposit_paid_at if deposit else self.paid_at
        if paid_at is None or (not deposit and self.status is not InvoiceStatus.PAID):
            raise InvoiceNotPayable(f"{self.id} is {self.status.value}: nothing to invoice")
        lines = list(self.lines) or [
            InvoiceLine(self.target, self.manufacturing, self.shipping, self.customization)
        ]
        deposit_net = net_of(self.deposit_paid, self.vat_rate_bp)
        deposit_vat = self.deposit_paid - deposit_net
        part, adjustment, label, vat = "full", 0, "", self.vat
        if deposit:
            part, vat = "deposit", deposit_vat
            adjustment = deposit_net - self.subtotal
            label = "Balance, invoiced when it is paid"
        elif self.deposit_paid:
            part, vat = "balance", self.vat - deposit_vat
            adjustment = -deposit_net
            label = f"Deposit, invoiced in {deposit_invoice or 'the deposit invoice'}"
        return IssuedInvoice(
            source=f"{self.id}:{payment_reference}",
            account_id=self.account_id,
            issued_at=at,
            seller=seller,
            buyer=self.buyer or Party(self.contact_email, (), ""),
            lines=lines,
            currency=self.currency,
            vat_rate_bp=self.vat_rate_bp,
            vat=vat,
            vat_note=self.vat_note,
            payment_reference=payment_reference,
            paid_at=paid_at,
            order_numbers=list(self.order_numbers),
            part=part,
            adjustment=adjustment,
            adjustment_label=label,
        )

    def record_issued(self, document: IssuedInvoice) -> bool:
        """An invoice or credit note of this bill was issued: `invoice.issued`, once."""
        if document.number in self.issued:
            return False
        self.issued.append(document.number)
        self.events.append(
            InvoiceIssued(
                occurred_at=document.issued_at,
                account_id=self.account_id,
                correlation_id=document.source,
                causation_id=document.payment_reference,
                payload=InvoiceIssuedPayload(
                    invoice_number=document.number,
                    kind="credit_note" if document.kind == "credit_note" else "invoice",
                    invoice_id=self.id,
                    target=self.target,
                    order_numbers=list(document.order_numbers),
                    credits=document.credits,
                    total=document.total,
                    currency=document.currency,
                    issued_at=document.issued_at,
                ),
            )
        )
        return True

    def payment_key(self, part: Part = "full") -> str:
        """Stripe idempotency key: one PaymentIntent per invoice version (and part: the
        deposit, the balance), however often asked."""
        return f"{self.id}:v{self.version}" + ("" if part == "full" else f":{part}")

    def settle(
        self,
        *,
        stripe_event_id: str,
        payment_intent_id: str,
        amount: int,
        currency: str,
        metadata_version: int | None,
        at: datetime,
        correlation_id: str,
        part: Part = "full",
    ) -> bool:
        """Stripe says the payment succeeded. Clears the invoice, or its deposit (and
        publishes `payment.cleared` once), only if it is payable and amount and currency
        are what that part of it is; otherwise the payment is flagged for a person. A bill
        void because its order was cancelled clears too, and all of it is owed back at
        once: money is never kept for an order that will not be made. True when cleared."""
        if stripe_event_id in self.applied_events or self.status is InvoiceStatus.PAID:
            return False
        self.applied_events.append(stripe_event_id)
        problems = []
        cancelled = self.status is InvoiceStatus.VOID and self.voided_by_cancellation
        expected = {
            InvoiceStatus.OPEN: ("full", "deposit"),
            InvoiceStatus.DEPOSIT_PAID: ("balance",),
        }
        if cancelled:
            part = "full" if part == "balance" else part
        elif part not in expected.get(self.status, ()):
            problems.append(f"a {part} payment, invoice is {self.status.value}")
        due = self.amount_of(part)
        if amount != due or currency.upper() != self.currency:
            problems.append(
                f"paid {amount} {currency.upper()}, {part} due is {due} {self.currency}"
            )
        if metadata_version is not None and metadata_version != self.version:
            problems.append(
                f"payment was for version {metadata_version}, invoice is at {self.version}"
            )
        if problems:
            self.flagged.append(f"{payment_intent_id}: " + "; ".join(problems))
            return False
        if part == "deposit":
            self.status = InvoiceStatus.DEPOSIT_PAID
            self.deposit_paid, self.deposit_paid_by, self.deposit_paid_at = (
                amount,
                payment_intent_id,
                at,
            )
            self.payment = None  # the balance is another PaymentIntent
        else:
            self.status = InvoiceStatus.PAID
            self.paid_at = at
            self.paid_by = payment_intent_id
        self.events.append(
            PaymentCleared(
                occurred_at=at,
                account_id=self.account_id,
                correlation_id=correlation_id,
                causation_id=stripe_event_id,
                payload=PaymentClearedPayload(
                    invoice_id=self.id,
                    target=self.target,
                    order_numbers=list(self.order_numbers),
                    amount=amount,
                    currency=self.currency,
                    payment_intent_id=payment_intent_id,
                    paid_at=at,
                    contact_email=self.contact_email,
                    part=part,
                ),
            )
        )
        for number in self.cancelled_orders:
            self._owe(number, 0, RefundReason.PAID_AFTER_CANCELLATION, at)
        return True

    @property
    def voided_by_cancellation(self) -> bool:
        return bool(self.cancelled_orders) and self.superseded_by is None


def invoice_id_for(target: str) -> str:
    """The invoice of an order or a shipping group: ``inv_<order number or group id>``."""
    return f"inv_{target}"


def party_from(billing: BillingInfo) -> Party:
    """The buyer an order's billing names."""
    address = billing.address
    lines = [address.line1, *([address.line2] if address.line2 else [])]
    lines.append(f"{address.postal_code} {address.city}")
    if address.state:
        lines.append(address.state)
    lines.append(address.country)
    return Party(billing.name, tuple(lines), address.country, billing.vat_id)


def invoice_for_order(
    *,
    order_number: str,
    account_id: str,
    costs: OrderCosts,
    contact_email: str,
    billing: BillingInfo | None = None,
) -> Invoice:
    """The invoice of a newly submitted order."""
    return Invoice(
        id=invoice_id_for(order_number),
        account_id=account_id,
        target=order_number,
        order_numbers=[order_number],
        manufacturing=costs.manufacturing,
        shipping=costs.shipping,
        customization=costs.customization,
        currency=costs.currency,
        contact_email=contact_email,
        vat=costs.vat,
        vat_rate_bp=costs.vat_rate_bp,
        vat_note=costs.vat_note,
        buyer=party_from(billing) if billing else None,
        lines=[InvoiceLine(order_number, costs.manufacturing, costs.shipping, costs.customization)],
    )


def invoice_for_group(
    *,
    group_id: str,
    account_id: str,
    orders: list[Invoice],
    allocations: dict[str, int],
    currency: str,
    contact_email: str,
) -> Invoice:
    """One invoice for a shipping group: every order's manufacturing and customization,
    and its share of the group's (lower) shipping cost instead of its own shipping. VAT
    is computed on those lines, order by order at the order's rate, each line rounded:
    so the group's total is exactly what its orders' shares add up to."""
    if any(o.currency != currency for o in orders):
        raise InvoiceNotPayable(f"group {group_id} mixes currencies")
    rates_bp = {o.vat_rate_bp for o in orders}
    if len(rates_bp) > 1:  # shipping forms no such group: one invoice carries one rate
        raise InvoiceNotPayable(f"group {group_id} mixes VAT rates {sorted(rates_bp)}")
    [rate_bp] = rates_bp
    note = "; ".join(dict.fromkeys(o.vat_note for o in orders if o.vat_note))
    lines = [
        InvoiceLine(n, o.manufacturing, allocations[n], o.customization)
        for o in orders
        for n in o.order_numbers
    ]
    return Invoice(
        id=invoice_id_for(group_id),
        account_id=account_id,
        target=group_id,
        order_numbers=[n for o in orders for n in o.order_numbers],
        manufacturing=sum(o.manufacturing for o in orders),
        shipping=sum(allocations[n] for o in orders for n in o.order_numbers),
        customization=sum(o.customization for o in orders),
        currency=currency,
        contact_email=contact_email,
        vat=sum(
            vat_on_lines((line.manufacturing, line.shipping, line.customization), rate_bp)
            for line in lines
        ),
        vat_rate_bp=rate_bp,
        vat_note=note,
        buyer=next((o.buyer for o in orders if o.buyer), None),
        lines=lines,
    )
