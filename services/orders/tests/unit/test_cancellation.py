"""Cancelling paid orders: free before the floor received them, a fee by stage after,
accepted by the caller; never once shipped; a payment after cancellation refunded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from bespoke_contracts import (
    HoldReason,
    InvoiceIssued,
    InvoiceIssuedPayload,
    OrderStatus,
    OrderStatusChanged,
    PaymentCleared,
    PaymentRefunded,
    PaymentRefundedPayload,
    ProductionStage,
    RefundReason,
    RefundStatus,
)
from bespoke_contracts.api.orders import PaymentStatus
from bespoke_contracts.vat import line_vat
from bespoke_orders.domain import cancellation
from bespoke_orders.domain.errors import CancellationFeeNotAccepted, OrderStateConflict
from bespoke_orders.domain.model import Order, ShippingGroupMembership
from bespoke_orders.service_layer import handlers

from .fakes import QUOTED_FEES, Fakes
from .test_checkout import checkout, payment_cleared

SCHEDULE = cancellation.DEFAULT_FEES


@pytest.mark.parametrize(
    ("stage", "net"),
    [
        (ProductionStage.ON_HOLD, 0),
        (ProductionStage.QUEUED, 0),
        (ProductionStage.RECEIVED, 5_000),  # EUR 50 once the floor has it
        (ProductionStage.CUTTING, 9_000 + 10_000),  # EUR 90 and 10 % of EUR 1,000
        (ProductionStage.CLOSING, 9_000 + 30_000),
        (ProductionStage.LASTING, 9_000 + 50_000),
        (ProductionStage.SOLING, 9_000 + 75_000),
        (ProductionStage.FINISHING, 100_000),  # the full price
        (ProductionStage.QUALITY_CHECK, 100_000),
        (ProductionStage.READY_TO_SHIP, 100_000),
    ],
)
def test_the_fee_grows_by_stage_to_the_full_price(stage: ProductionStage, net: int) -> None:
    fee = cancellation.fee_at(stage, SCHEDULE, basis=100_000, vat_rate_bp=2100)

    assert (fee.net, fee.vat, fee.gross) == (net, line_vat(net, 2100), net + line_vat(net, 2100))


def test_the_fee_never_exceeds_the_price_and_rounds_its_vat_half_up() -> None:
    small = cancellation.fee_at(ProductionStage.CUTTING, SCHEDULE, basis=3_000, vat_rate_bp=2100)
    assert small.net == 3_000  # EUR 90 + 10 % is more than a EUR 30 order: capped
    odd = cancellation.fee_at(ProductionStage.CUTTING, SCHEDULE, basis=12_345, vat_rate_bp=2100)
    assert odd.net == 9_000 + 1_235  # 10 % of 123.45 = 12.345, half up
    assert odd.vat == 2_149  # 21 % of 102.35 = 21.4935
    export = cancellation.fee_at(ProductionStage.RECEIVED, SCHEDULE, basis=10_000, vat_rate_bp=0)
    assert (export.net, export.vat) == (5_000, 0)


async def paid_order(fakes: Fakes, key: str = "p") -> Order:
    order = (await handlers.check_out(checkout(key=key), fakes.deps)).order
    await handlers.on_payment_cleared(payment_cleared([order]), fakes.deps)
    return order


async def at(fakes: Fakes, order: Order, stage: ProductionStage) -> None:
    await handlers.move_stage(order.order_number, stage, None, "ops-1", fakes.deps)


def cancellations(fakes: Fakes) -> list[Any]:
    return [
        e.payload
        for e in fakes.orders.published
        if isinstance(e, OrderStatusChanged) and e.payload.to_status is OrderStatus.CANCELLED
    ]


async def test_a_paid_order_the_floor_has_not_received_is_refunded_in_full(fakes: Fakes) -> None:
    order = await paid_order(fakes)

    cancelled = await handlers.cancel_order("acc_1", order.order_number, "req-c", fakes.deps)

    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.production_stage is None
    assert cancelled.refund is not None
    assert (cancelled.refund.amount, cancelled.refund.fee) == (order.costs.total, 0)
    assert cancelled.refund.status is RefundStatus.PENDING
    assert cancelled.payment_status is PaymentStatus.REFUNDED
    [event] = cancellations(fakes)
    assert (event.from_status, event.cancellation_fee) == (OrderStatus.WORK_IN_PROCESS, 0)


async def test_from_received_on_the_fee_must_be_accepted(fakes: Fakes) -> None:
    order = await paid_order(fakes)
    await at(fakes, order, ProductionStage.RECEIVED)
    fee = 4_000 + line_vat(4_000, order.costs.vat_rate_bp)  # the quote's terms, not defaults

    with pytest.raises(CancellationFeeNotAccepted) as refused:
        await handlers.cancel_order("acc_1", order.order_number, "req-c", fakes.deps)
    assert refused.value.problem_extra() == {
        "fee": fee,
        "refund": order.costs.total - fee,
        "currency": "EUR",
        "production_stage": "received",
    }
    assert (await handlers.get_order("acc_1", order.order_number, fakes.deps)).status is (
        OrderStatus.WORK_IN_PROCESS
    )
    assert cancellations(fakes) == []

    cancelled = await handlers.cancel_order(
        "acc_1", order.order_number, "req-d", fakes.deps, accept_fee=True
    )

    assert cancelled.refund is not None
    assert (cancelled.refund.amount, cancelled.refund.fee) == (order.costs.total - fee, fee)
    assert cancelled.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    [event] = cancellations(fakes)
    assert event.cancellation_fee == 4_000


async def test_at_the_full_price_only_the_shipping_goes_back(fakes: Fakes) -> None:
    order = await paid_order(fakes)
    await at(fakes, order, ProductionStage.FINISHING)
    assert QUOTED_FEES[-1].share_bp == 10_000

    cancelled = await handlers.cancel_order(
        "acc_1", order.order_number, "req-c", fakes.deps, accept_fee=True
    )

    fee = order.costs.manufacturing + order.costs.customization
    assert cancelled.refund is not None
    assert cancelled.refund.fee == fee + line_vat(fee, order.costs.vat_rate_bp)
    assert cancelled.refund.amount == order.costs.total - cancelled.refund.fee
    assert cancelled.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    [event] = cancellations(fakes)
    assert event.cancellation_fee == fee


async def test_a_shipped_or_cancelled_order_cannot_be_cancelled(fakes: Fakes) -> None:
    order = await paid_order(fakes)
    await handlers.cancel_order("acc_1", order.order_number, "req-c", fakes.deps)

    with pytest.raises(OrderStateConflict, match="cancelled"):
        await handlers.cancel_order("acc_1", order.order_number, "req-d", fakes.deps)

    shipped = await paid_order(fakes, key="s")
    await at(fakes, shipped, ProductionStage.READY_TO_SHIP)
    stored = await handlers.get_order("acc_1", shipped.order_number, fakes.deps)
    stored.status = OrderStatus.SHIPPED
    with pytest.raises(OrderStateConflict, match="shipped"):
        stored.cancel("req-e", datetime(2026, 3, 3, tzinfo=UTC), accept_fee=True)


async def test_a_payment_after_cancellation_launches_nothing_and_is_recorded(
    fakes: Fakes,
) -> None:
    order = (await handlers.check_out(checkout(key="late"), fakes.deps)).order
    await handlers.cancel_order("acc_1", order.order_number, "req-c", fakes.deps)
    late = payment_cleared([order])

    assert await handlers.on_payment_cleared(late, fakes.deps) == [order.order_number]
    assert await handlers.on_payment_cleared(late, fakes.deps) == []  # redelivered

    stored = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert stored.status is OrderStatus.CANCELLED
    assert stored.payment_status is PaymentStatus.PAID
    assert [h.note for h in stored.history].count(
        "a payment cleared after the order was cancelled: it is refunded"
    ) == 1

    refunded = refund_event(stored, amount=order.costs.total, fee=0)
    assert await handlers.on_payment_refunded(refunded, fakes.deps)
    assert not await handlers.on_payment_refunded(refunded, fakes.deps)
    stored = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert stored.payment_status is PaymentStatus.REFUNDED
    assert stored.refund is not None
    assert stored.refund.status is RefundStatus.SUCCEEDED


async def test_issued_invoices_and_credit_notes_show_on_their_orders(fakes: Fakes) -> None:
    order = await paid_order(fakes)
    issued = InvoiceIssued(
        account_id="acc_1",
        correlation_id="i",
        payload=InvoiceIssuedPayload(
            invoice_number="INV-2026-000009",
            kind="invoice",
            invoice_id=f"inv_{order.order_number}",
            target=order.order_number,
            order_numbers=[order.order_number],
            total=order.costs.total,
            currency="EUR",
            issued_at=datetime(2026, 3, 3, tzinfo=UTC),
        ),
    )
    assert await handlers.on_invoice_issued(issued, fakes.deps) == [order.order_number]
    assert await handlers.on_invoice_issued(issued, fakes.deps) == []
    note = issued.model_copy(
        update={
            "event_id": uuid.uuid4(),
            "payload": issued.payload.model_copy(
                update={"invoice_number": "CN-2026-000002", "kind": "credit_note"}
            ),
        }
    )
    await handlers.on_invoice_issued(note, fakes.deps)
    stored = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert (stored.invoice_number, stored.credit_note_number) == (
        "INV-2026-000009",
        "CN-2026-000002",
    )


def refund_event(order: Order, *, amount: int, fee: int) -> PaymentRefunded:
    return PaymentRefunded(
        account_id="acc_1",
        correlation_id="rf",
        payload=PaymentRefundedPayload(
            refund_id=f"rf_inv_{order.order_number}_{order.order_number}",
            invoice_id=f"inv_{order.order_number}",
            target=order.order_number,
            order_number=order.order_number,
            amount=amount,
            fee=fee,
            currency="EUR",
            reason=RefundReason.PAID_AFTER_CANCELLATION,
            status=RefundStatus.SUCCEEDED,
            previous_status=None,
            stripe_refund_id="re_1",
            payment_intent_id="pi_1",
            refunded_at=datetime(2026, 3, 3, tzinfo=UTC),
            contact_email="ops@norte.example",
        ),
    )


def halves(orders: list[Order], part: str, amount: int) -> PaymentCleared:
    event = payment_cleared(orders, amount=amount)
    return event.model_copy(update={"payload": event.payload.model_copy(update={"part": part})})


async def test_a_deposit_launches_and_the_balance_is_due_before_it_ships(fakes: Fakes) -> None:
    order = (await handlers.check_out(checkout(key="dep", sizes={"42": 8}), fakes.deps)).order
    total = order.costs.total
    deposit = (total + 1) // 2
    assert total >= 149_900

    assert await handlers.on_payment_cleared(halves([order], "deposit", total), fakes.deps) == []
    assert await handlers.on_payment_cleared(halves([order], "deposit", deposit), fakes.deps)
    stored = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert (stored.status, stored.production_stage) == (
        OrderStatus.WORK_IN_PROCESS,
        ProductionStage.QUEUED,
    )
    assert stored.payment_status is PaymentStatus.DEPOSIT_PAID
    assert stored.balance_due == total - deposit

    await at(fakes, order, ProductionStage.QUALITY_CHECK)
    await at(fakes, order, ProductionStage.READY_TO_SHIP)  # finished, but the balance is owed
    held = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert (held.production_stage, held.hold_reason) == (
        ProductionStage.ON_HOLD,
        HoldReason.AWAITING_BALANCE,
    )
    with pytest.raises(OrderStateConflict, match="waits for its balance"):
        await at(fakes, order, ProductionStage.FINISHING)
    with pytest.raises(CancellationFeeNotAccepted) as finished:  # made: the full price
        await handlers.cancel_order("acc_1", order.order_number, "req-x", fakes.deps)
    made = order.costs.manufacturing + order.costs.customization
    assert finished.value.fee == made + line_vat(made, order.costs.vat_rate_bp)

    balance = halves([held], "balance", total - deposit)
    assert await handlers.on_payment_cleared(balance, fakes.deps) == [order.order_number]
    assert await handlers.on_payment_cleared(balance, fakes.deps) == []
    paid = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert (paid.production_stage, paid.hold_reason) == (ProductionStage.READY_TO_SHIP, None)
    assert paid.payment_status is PaymentStatus.PAID
    cancelled = await handlers.cancel_order(
        "acc_1", order.order_number, "req-c", fakes.deps, accept_fee=True
    )
    assert cancelled.refund is not None
    assert cancelled.refund.amount == total - cancelled.refund.fee  # both halves come back

    # Payments refunds it to each payment: the order shows the sum, and its worst status.
    def part(refund_id: str, amount: int, fee: int, status: RefundStatus) -> PaymentRefunded:
        event = refund_event(cancelled, amount=amount, fee=fee)
        return event.model_copy(
            update={
                "payload": event.payload.model_copy(
                    update={"refund_id": refund_id, "status": status}
                )
            }
        )

    fee, back = cancelled.refund.fee, cancelled.refund.amount
    await handlers.on_payment_refunded(
        part("rf_a", back // 2, fee, RefundStatus.SUCCEEDED), fakes.deps
    )
    await handlers.on_payment_refunded(
        part("rf_b", back - back // 2, 0, RefundStatus.PENDING), fakes.deps
    )
    both = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    assert both.refund is not None
    assert (both.refund.amount, both.refund.fee, both.refund.status) == (
        total - fee,
        fee,
        RefundStatus.PENDING,
    )


async def test_a_deposit_paid_order_cancelled_gets_its_deposit_back_less_the_fee(
    fakes: Fakes,
) -> None:
    order = (await handlers.check_out(checkout(key="dep2", sizes={"42": 8}), fakes.deps)).order
    deposit = (order.costs.total + 1) // 2
    await handlers.on_payment_cleared(halves([order], "deposit", deposit), fakes.deps)
    await at(fakes, order, ProductionStage.RECEIVED)
    fee = 4_000 + line_vat(4_000, order.costs.vat_rate_bp)

    cancelled = await handlers.cancel_order(
        "acc_1", order.order_number, "req-c", fakes.deps, accept_fee=True
    )

    assert cancelled.refund is not None
    assert cancelled.refund.amount == deposit - fee
    assert cancelled.payment_status is PaymentStatus.PARTIALLY_REFUNDED


async def test_a_group_s_order_with_only_the_deposit_paid_waits_for_the_balance_to_cancel(
    fakes: Fakes,
) -> None:
    order = (await handlers.check_out(checkout(key="grp-dep", sizes={"42": 8}), fakes.deps)).order
    stored = await handlers.get_order("acc_1", order.order_number, fakes.deps)
    stored.shipping_group = ShippingGroupMembership("SG-DEPOSIT", order.costs.shipping)
    stored.status, stored.production_stage = OrderStatus.WORK_IN_PROCESS, ProductionStage.QUEUED
    stored.paid, stored.balance_due = True, 1_000

    with pytest.raises(OrderStateConflict, match="pay the group's balance first"):
        stored.cancel("req-c", datetime(2026, 3, 3, tzinfo=UTC))
