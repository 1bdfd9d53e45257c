"""Refunds of cancelled paid orders and of payments that came after a cancellation:
made at Stripe once per order under their own idempotency key, confirmed by refund
webhooks, each with one credit note naming the invoice it gives back."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest

from bespoke_contracts import (
    HoldReason,
    InvoiceIssued,
    OrderStageChanged,
    OrderStageChangedPayload,
    OrderStatus,
    OrderStatusChanged,
    OrderStatusChangedPayload,
    PaymentCleared,
    PaymentRefunded,
    ProductionStage,
    RefundReason,
    RefundStatus,
    examples,
)
from bespoke_contracts.deposits import net_of
from bespoke_contracts.vat import VatTreatment, line_vat
from bespoke_gateway.ui.simulation import sign
from bespoke_payments.domain.errors import InvoiceNotPayable, PaymentProviderUnavailable
from bespoke_payments.domain.model import Invoice, InvoiceStatus
from bespoke_payments.service_layer import handlers

from .test_payments import SECRET, Fakes, fakes, grouped_event, webhook

__all__ = ["fakes"]  # the fixture

AT = datetime(2026, 5, 4, tzinfo=UTC)
SPANISH_VAT = VatTreatment(2100, "Spanish VAT (IVA) 21 %")


def cancelled(
    order_number: str, fee: int | None = None, before: OrderStatus = OrderStatus.WORK_IN_PROCESS
) -> OrderStatusChanged:
    return OrderStatusChanged(
        account_id="acc_1",
        correlation_id="c",
        payload=OrderStatusChangedPayload(
            order_number=order_number,
            from_status=before,
            to_status=OrderStatus.CANCELLED,
            cause="request:c",
            changed_at=AT,
            contact_email="ops@norte.example",
            cancellation_fee=fee,
        ),
    )


async def paid(fakes: Fakes, target: str) -> None:
    paying = await handlers.start_payment("acc_1", target, fakes.deps)
    payload, signature, _ = webhook(paying)
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "cleared"


def refunded(fakes: Fakes) -> list[PaymentRefunded]:
    return [e for e in fakes.invoices.published if isinstance(e, PaymentRefunded)]


async def spanish_order(fakes: Fakes, number: str = "BF-000009") -> None:
    event = examples.order_submitted(number, sizes={"42": 2}, vat=SPANISH_VAT)
    await handlers.on_order_submitted(event, fakes.deps)


async def test_a_paid_order_cancelled_is_refunded_once_less_its_fee(fakes: Fakes) -> None:
    await spanish_order(fakes)
    await paid(fakes, "BF-000009")
    bill = fakes.invoices.stored["inv_BF-000009"]
    event = cancelled("BF-000009", fee=5_000)

    assert await handlers.on_order_status_changed(event, fakes.deps)
    await handlers.on_order_status_changed(event, fakes.deps)  # redelivered
    assert await handlers.sweep_refunds(fakes.deps) == []  # nothing left owed

    fee = 5_000 + line_vat(5_000, 2100)
    [(intent, amount, _)] = fakes.stripe.refunds.values()
    assert (intent, amount) == (bill.paid_by, bill.total - fee)
    [made] = refunded(fakes)
    assert made.payload.model_dump(include={"amount", "fee", "reason", "status"}) == {
        "amount": bill.total - fee,
        "fee": fee,
        "reason": RefundReason.CANCELLED,
        "status": RefundStatus.PENDING,
    }
    assert made.payload.previous_status is None

    note = await handlers.on_payment_refunded(made, fakes.deps)
    again = await handlers.on_payment_refunded(made, fakes.deps)
    assert note is not None
    assert again is not None
    assert note.number == again.number == "CN-2026-000001"
    assert note.kind == "credit_note"
    assert note.credits == "INV-2026-000001"  # the payment's invoice, issued first
    assert note.total == bill.total - fee
    assert note.subtotal == bill.subtotal - 5_000
    assert note.vat == bill.vat - line_vat(5_000, 2100)
    assert sorted(fakes.issued.stored) == ["CN-2026-000001", "INV-2026-000001"]
    published = [e.payload for e in fakes.invoices.published if isinstance(e, InvoiceIssued)]
    assert [(p.invoice_number, p.kind, p.credits) for p in published] == [
        ("INV-2026-000001", "invoice", None),  # once, though issued from two paths
        ("CN-2026-000001", "credit_note", "INV-2026-000001"),
    ]


async def test_an_unpaid_cancelled_order_cannot_be_paid_and_a_late_payment_goes_back(
    fakes: Fakes,
) -> None:
    paying = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)  # Stripe has it
    payload, signature, _ = webhook(paying)
    await handlers.on_order_status_changed(
        cancelled("BF-000007", before=OrderStatus.PENDING_PAYMENT), fakes.deps
    )
    bill = fakes.invoices.stored["inv_BF-000007"]
    assert bill.status is InvoiceStatus.VOID
    assert fakes.stripe.refunds == {}
    with pytest.raises(InvoiceNotPayable, match="void"):
        await handlers.start_payment("acc_1", "BF-000007", fakes.deps)

    # The card payment started before completes anyway.
    outcome = await handlers.handle_webhook(payload, signature, fakes.deps)

    assert outcome == "cleared and refunded: the order was cancelled"
    assert fakes.invoices.stored["inv_BF-000007"].status is InvoiceStatus.PAID
    [(_, amount, _)] = fakes.stripe.refunds.values()
    assert amount == bill.total
    [made] = refunded(fakes)
    assert made.payload.reason is RefundReason.PAID_AFTER_CANCELLATION
    assert made.payload.fee == 0
    assert "INV-2026-000001" in fakes.issued.stored  # it was paid: it is invoiced


async def test_a_refund_stripe_could_not_take_is_made_by_the_sweep_once(fakes: Fakes) -> None:
    await paid(fakes, "BF-000007")
    fakes.stripe.down = True
    with contextlib.suppress(PaymentProviderUnavailable):
        # The consumer retries; the sweep makes it anyway.
        await handlers.on_order_status_changed(cancelled("BF-000007"), fakes.deps)
    assert refunded(fakes) == []
    assert await handlers.sweep_refunds(fakes.deps) == []  # Stripe still down: waits

    fakes.stripe.down = False
    assert await handlers.sweep_refunds(fakes.deps) == ["rf_inv_BF-000007_BF-000007"]
    assert await handlers.sweep_refunds(fakes.deps) == []
    assert len(fakes.stripe.refunds) == 1
    assert len(refunded(fakes)) == 1


async def test_a_group_refunds_only_its_cancelled_order_s_share(fakes: Fakes) -> None:
    await handlers.on_order_submitted(examples.order_submitted("BF-000008"), fakes.deps)
    await handlers.on_shipment_grouped(
        grouped_event("grp_1", ["BF-000007", "BF-000008"]), fakes.deps
    )
    await paid(fakes, "grp_1")
    group = fakes.invoices.stored["inv_grp_1"]

    await handlers.on_order_status_changed(cancelled("BF-000008"), fakes.deps)

    [(_, amount, _)] = fakes.stripe.refunds.values()
    assert amount == group.share_of("BF-000008") < group.total
    assert group.status is InvoiceStatus.PAID
    [made] = refunded(fakes)
    assert (made.payload.invoice_id, made.payload.target) == ("inv_grp_1", "grp_1")


async def test_refund_webhooks_move_the_refund_once(fakes: Fakes) -> None:
    await paid(fakes, "BF-000007")
    await handlers.on_order_status_changed(cancelled("BF-000007"), fakes.deps)
    [(_, _, made)] = fakes.stripe.refunds.values()

    def refund_event(event_id: str, kind: str, status: str) -> tuple[bytes, str]:
        refund = {
            "id": made.refund_id,
            "object": "refund",
            "status": status,
            "metadata": {"invoice_id": "inv_BF-000007", "refund_id": "rf_x"},
        }
        found = (
            {"object": "charge", "refunds": {"data": [refund]}}
            if kind == "charge.refunded"
            else refund
        )
        body = json.dumps(
            {
                "id": event_id,
                "type": kind,
                "livemode": False,
                "created": 1_777_777_777,
                "data": {"object": found},
            }
        ).encode()
        return body, sign(body, SECRET)

    outcome = await handlers.handle_webhook(
        *refund_event("evt_1", "charge.refunded", "succeeded"), fakes.deps
    )
    assert outcome == f"refunds: {made.refund_id} succeeded"
    assert (
        await handlers.handle_webhook(
            *refund_event("evt_1", "charge.refunded", "succeeded"), fakes.deps
        )
        == "duplicate"
    )
    assert (
        await handlers.handle_webhook(
            *refund_event("evt_2", "refund.updated", "succeeded"), fakes.deps
        )
        == "no change"
    )  # the same status again changes nothing
    first, confirmed = refunded(fakes)
    assert (first.payload.status, confirmed.payload.status) == (
        RefundStatus.PENDING,
        RefundStatus.SUCCEEDED,
    )
    assert confirmed.payload.previous_status is RefundStatus.PENDING
    assert await handlers.on_payment_refunded(confirmed, fakes.deps) is None  # no second note


async def big_order(fakes: Fakes, number: str) -> Invoice:
    """An order of 8 pairs billed in Spain: its bill is over EUR 1,499 (a deposit offered)."""
    event = examples.order_submitted(number, sizes={"42": 8}, vat=SPANISH_VAT)
    await handlers.on_order_submitted(event, fakes.deps)
    return bill_of(fakes, number)


def bill_of(fakes: Fakes, number: str) -> Invoice:
    """The order's bill as stored now."""
    return fakes.invoices.stored[f"inv_{number}"]


async def test_a_bill_from_1499_is_paid_in_two_halves_each_with_its_invoice(
    fakes: Fakes,
) -> None:
    bill = await big_order(fakes, "BF-000010")
    deposit = (bill.total + 1) // 2
    assert bill.deposit == deposit
    with pytest.raises(InvoiceNotPayable, match="no deposit paid"):
        await handlers.start_payment("acc_1", "BF-000010", fakes.deps, "balance")

    paying = await handlers.start_payment("acc_1", "BF-000010", fakes.deps, "deposit")
    assert paying.payment is not None
    assert paying.payment.part == "deposit"
    payload, signature, _ = webhook(paying, amount=deposit, part="deposit")
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "deposit cleared"
    assert bill_of(fakes, "BF-000010").status is InvoiceStatus.DEPOSIT_PAID
    [first] = [e for e in fakes.invoices.published if isinstance(e, PaymentCleared)]
    assert (first.payload.part, first.payload.amount) == ("deposit", deposit)
    deposit_invoice = await handlers.on_payment_cleared(first, fakes.deps)
    assert (deposit_invoice.part, deposit_invoice.total) == ("deposit", deposit)
    with pytest.raises(InvoiceNotPayable, match="deposit of BF-000010 is paid"):
        await handlers.start_payment("acc_1", "BF-000010", fakes.deps, "deposit")

    balance = await handlers.start_payment("acc_1", "BF-000010", fakes.deps)  # what is left
    assert balance.payment is not None
    assert balance.payment.part == "balance"
    payload, signature, _ = webhook(balance, amount=bill.total - deposit, part="balance")
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "cleared"
    assert bill_of(fakes, "BF-000010").status is InvoiceStatus.PAID
    [_, second] = [e for e in fakes.invoices.published if isinstance(e, PaymentCleared)]
    final = await handlers.on_payment_cleared(second, fakes.deps)
    assert (final.part, final.total) == ("balance", bill.total - deposit)
    assert deposit_invoice.number in final.adjustment_label
    assert final.vat + deposit_invoice.vat == bill.vat  # VAT invoiced once, in two parts
    assert final.subtotal + deposit_invoice.subtotal == bill.subtotal


async def test_a_deposit_below_the_minimum_is_refused_and_a_wrong_half_is_flagged(
    fakes: Fakes,
) -> None:
    with pytest.raises(InvoiceNotPayable, match="offered from"):
        await handlers.start_payment("acc_1", "BF-000007", fakes.deps, "deposit")
    await big_order(fakes, "BF-000011")
    paying = await handlers.start_payment("acc_1", "BF-000011", fakes.deps, "deposit")
    payload, signature, _ = webhook(paying, amount=1_000, part="deposit")
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "flagged"


async def test_a_cancelled_order_with_only_its_deposit_paid_gets_the_deposit_back(
    fakes: Fakes,
) -> None:
    bill = await big_order(fakes, "BF-000012")
    paying = await handlers.start_payment("acc_1", "BF-000012", fakes.deps, "deposit")
    payload, signature, _ = webhook(paying, amount=bill.deposit, part="deposit")
    await handlers.handle_webhook(payload, signature, fakes.deps)

    await handlers.on_order_status_changed(cancelled("BF-000012", fee=5_000), fakes.deps)

    fee = 5_000 + line_vat(5_000, 2100)
    bill = bill_of(fakes, "BF-000012")
    [(intent, amount, _)] = fakes.stripe.refunds.values()
    assert (intent, amount) == (bill.deposit_paid_by, bill.deposit_paid - fee)
    assert not bill.payable  # its balance is not asked any more
    [made] = refunded(fakes)
    note = await handlers.on_payment_refunded(made, fakes.deps)
    assert note is not None
    assert note.total == bill.deposit_paid - fee  # its VAT is the refund's, not the lines'
    assert note.vat == note.total - net_of(note.total, 2100)
    deposit_invoice = next(i for i in fakes.issued.stored.values() if i.part == "deposit")
    assert note.credits == deposit_invoice.number


async def test_an_order_paid_in_two_halves_is_refunded_to_each_payment(fakes: Fakes) -> None:
    bill = await big_order(fakes, "BF-000013")
    deposit = bill.deposit
    assert deposit is not None
    paying = await handlers.start_payment("acc_1", "BF-000013", fakes.deps, "deposit")
    payload, signature, _ = webhook(paying, amount=deposit, part="deposit")
    await handlers.handle_webhook(payload, signature, fakes.deps)
    balance = await handlers.start_payment("acc_1", "BF-000013", fakes.deps)
    payload, signature, _ = webhook(balance, amount=bill.total - deposit, part="balance")
    await handlers.handle_webhook(payload, signature, fakes.deps)
    for cleared in [e for e in fakes.invoices.published if isinstance(e, PaymentCleared)]:
        await handlers.on_payment_cleared(cleared, fakes.deps)
    fee = 5_000 + line_vat(5_000, 2100)

    await handlers.on_order_status_changed(cancelled("BF-000013", fee=5_000), fakes.deps)

    bill = bill_of(fakes, "BF-000013")
    made = {key: (intent, amount) for key, (intent, amount, _) in fakes.stripe.refunds.items()}
    assert made == {
        "rf_inv_BF-000013_BF-000013": (bill.paid_by, bill.total - deposit),  # all of the balance
        "rf_inv_BF-000013_BF-000013_deposit": (bill.deposit_paid_by, deposit - fee),
    }
    notes = [await handlers.on_payment_refunded(e, fakes.deps) for e in refunded(fakes)]
    assert sum(n.total for n in notes if n is not None) == bill.total - fee
    invoices = {i.part: i.number for i in fakes.issued.stored.values() if i.kind == "invoice"}
    assert {n.credits for n in notes if n is not None} == {invoices["balance"], invoices["deposit"]}


def launched_unlabeled(order_number: str, credit: int) -> OrderStageChanged:
    return OrderStageChanged(
        account_id="acc_1",
        correlation_id=f"hold:{order_number}",
        payload=OrderStageChangedPayload(
            order_number=order_number,
            from_stage=ProductionStage.ON_HOLD,
            to_stage=ProductionStage.QUEUED,
            released_hold=HoldReason.AWAITING_STAMPS,
            unlabeled=True,
            stamps_credit=credit,
            cause=f"hold:{order_number}",
            changed_at=AT,
            estimated_ship_date=None,
            contact_email="ops@norte.example",
        ),
    )


async def test_stamps_never_developed_are_given_back_once_with_a_credit_note_of_that_line(
    fakes: Fakes,
) -> None:
    event = examples.order_submitted(
        "BF-000011", sizes={"42": 2}, vat=SPANISH_VAT, customization=15_000
    )
    await handlers.on_order_submitted(event, fakes.deps)
    await paid(fakes, "BF-000011")
    bill = fakes.invoices.stored["inv_BF-000011"]
    stamps = 15_000 + line_vat(15_000, 2100)

    # Another stage move changes nothing; the unlabeled launch, redelivered, refunds once.
    other = launched_unlabeled("BF-000011", 0)
    assert not await handlers.on_order_stage_changed(other, fakes.deps)
    unlabeled = launched_unlabeled("BF-000011", 15_000)
    assert await handlers.on_order_stage_changed(unlabeled, fakes.deps)
    await handlers.on_order_stage_changed(unlabeled, fakes.deps)
    [(intent, amount, _)] = fakes.stripe.refunds.values()
    assert (intent, amount) == (bill.paid_by, stamps)
    [made] = refunded(fakes)
    assert (made.payload.reason, made.payload.amount, made.payload.fee) == (
        RefundReason.STAMPS_NOT_DEVELOPED,
        stamps,
        0,
    )
    note = await handlers.on_payment_refunded(made, fakes.deps)
    assert note is not None
    assert [(line.manufacturing, line.shipping, line.customization) for line in note.lines] == [
        (0, 0, 15_000)
    ]
    assert (note.total, note.vat, note.adjustment) == (stamps, stamps - 15_000, 0)

    # Cancelled later: what is left goes back, the credited stamps not twice.
    assert await handlers.on_order_status_changed(cancelled("BF-000011", 5_000), fakes.deps)
    fee = 5_000 + line_vat(5_000, 2100)
    later = [r for r in refunded(fakes) if r.payload.reason is RefundReason.CANCELLED]
    assert [r.payload.amount for r in later] == [bill.total - stamps - fee]
    cancel_note = await handlers.on_payment_refunded(later[0], fakes.deps)
    assert cancel_note is not None
    assert cancel_note.total == bill.total - stamps - fee
    assert cancel_note.adjustment_label.startswith("Stamp development credited before")


async def test_nothing_is_given_back_for_stamps_of_an_unpaid_bill(fakes: Fakes) -> None:
    event = examples.order_submitted("BF-000012", customization=15_000)
    await handlers.on_order_submitted(event, fakes.deps)
    await handlers.on_order_stage_changed(launched_unlabeled("BF-000012", 15_000), fakes.deps)
    assert fakes.stripe.refunds == {}
