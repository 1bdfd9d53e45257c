from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bespoke_contracts import (
    Address,
    BillingInfo,
    Envelope,
    Labeling,
    OrderRevised,
    OrderStatus,
    OrderStatusChanged,
    OrderSubmitted,
    OrderType,
    PaymentCleared,
    PaymentClearedPayload,
    ProductionStage,
    ShipmentGrouped,
    ShipmentGroupedPayload,
    ShipmentUngrouped,
    ShipmentUngroupedPayload,
    format_order_number,
    is_order_number,
    order_sequence,
)
from bespoke_contracts.api.design import DesignStatus
from bespoke_contracts.api.orders import PaymentStatus
from bespoke_orders.domain.errors import (
    IdempotencyKeyReused,
    InvalidOrder,
    LabelingMismatch,
    LabelingRequired,
    OrderNotFound,
    OrderStateConflict,
    PaymentAheadOfGroup,
    PricingUnavailable,
    StaleBillOfMaterials,
)
from bespoke_orders.domain.model import APPLIED_EVENTS_KEPT, Checkout, Order
from bespoke_orders.service_layer import handlers

from .fakes import Fakes

ADDRESS = Address(
    name="Atelier Norte", line1="Calle Mayor 1", city="Elda", postal_code="03600", country="ES"
)


def checkout(key: str = "key-1", account: str = "acc_1", **changes: object) -> Checkout:
    command = Checkout(
        account_id=account,
        idempotency_key=key,
        design_id="des_1",
        design_version=2,
        bom_hash="sha256:abc",
        order_type=OrderType.MINI_BULK,
        sizes={"42": 3, "42.5": 2},
        shipping_address=ADDRESS,
        billing=BillingInfo(name="Atelier Norte SL", email="ops@norte.example", address=ADDRESS),
        labeling=Labeling.UNLABELED,
        request_id="req-1",
    )
    return dataclasses.replace(command, **changes)  # type: ignore[arg-type]


def test_order_numbers_are_zero_padded_and_start_at_one() -> None:
    assert format_order_number(1) == "BF-000001"
    assert format_order_number(1234567) == "BF-1234567"
    with pytest.raises(ValueError, match="starts at 1"):
        format_order_number(0)
    assert order_sequence("BF-1234567") == 1234567
    assert order_sequence(format_order_number(42)) == 42
    assert is_order_number("BF-000042")
    assert not is_order_number("BF-42")
    assert not is_order_number("SG-000042")
    with pytest.raises(ValueError, match="not an order number"):
        order_sequence("SG-000042")


async def test_checkout_records_a_pending_order_with_its_event(fakes: Fakes) -> None:
    deps, orders = fakes.deps, fakes.orders

    result = await handlers.check_out(checkout(), deps)

    assert result.created
    order = result.order
    assert order.order_number == "BF-000001"
    assert order.status is OrderStatus.PENDING_PAYMENT
    assert order.pairs == 5
    assert [h.status for h in order.history] == [OrderStatus.PENDING_PAYMENT]
    [event] = orders.published
    assert isinstance(event, OrderSubmitted)
    assert event.payload.order_number == "BF-000001"
    assert event.payload.pairs == 5
    assert event.payload.specification.style == "oxford"
    assert event.payload.specification.bill_of_materials[0].material == "Box calf"
    assert event.payload.costs.manufacturing == 5 * 20_000
    assert event.payload.costs.shipping == 900 + 600 * 5
    assert event.payload.costs.customization == 0
    assert event.payload.costs.subtotal == 100_000 + 3_900
    assert event.payload.costs.vat_rate_bp == 2100  # billed in Spain
    assert event.payload.costs.vat == 21_000 + 819  # 21 % of each line, rounded half up
    assert event.payload.costs.total == 103_900 + 21_819
    assert event.account_id == "acc_1"
    assert event.key() == b"BF-000001"


async def test_each_checkout_gets_the_next_number(fakes: Fakes) -> None:
    deps = fakes.deps
    numbers = [
        (
            await handlers.check_out(checkout(key=f"k{i}", account=f"acc_{i % 2}"), deps)
        ).order.order_number
        for i in range(3)
    ]
    assert numbers == ["BF-000001", "BF-000002", "BF-000003"]


async def test_a_retry_returns_the_same_order_without_taking_a_number(fakes: Fakes) -> None:
    deps, orders = fakes.deps, fakes.orders
    first = await handlers.check_out(checkout(), deps)

    again = await handlers.check_out(checkout(), deps)

    assert not again.created
    assert again.order.order_number == first.order.order_number
    assert len(orders.published) == 1
    later = await handlers.check_out(checkout(key="key-2"), deps)
    assert later.order.order_number == "BF-000002"


async def test_a_number_taken_by_a_concurrent_checkout_moves_to_the_next(fakes: Fakes) -> None:
    deps, orders = fakes.deps, fakes.orders
    await handlers.check_out(checkout(key="a"), deps)
    await handlers.check_out(checkout(key="b"), deps)
    orders.stale_sequences = [1, 2]  # this checkout read the highest number before a and b

    result = await handlers.check_out(checkout(key="c"), deps)

    assert result.order.order_number == "BF-000003"
    assert sorted(orders.by_number) == ["BF-000001", "BF-000002", "BF-000003"]


async def test_a_used_key_with_a_different_body_is_refused(fakes: Fakes) -> None:
    deps = fakes.deps
    await handlers.check_out(checkout(), deps)

    with pytest.raises(IdempotencyKeyReused, match="BF-000001"):
        await handlers.check_out(checkout(sizes={"43": 1}), deps)


async def test_the_same_key_from_another_brand_is_another_order(fakes: Fakes) -> None:
    deps = fakes.deps
    a = await handlers.check_out(checkout(account="acc_a"), deps)
    b = await handlers.check_out(checkout(account="acc_b"), deps)
    assert a.order.order_number != b.order.order_number


async def test_a_refused_order_takes_no_number(fakes: Fakes) -> None:
    deps = fakes.deps
    with pytest.raises(InvalidOrder, match="43"):
        await handlers.check_out(checkout(sizes={"42": 1, "43": 0}), deps)
    with pytest.raises(InvalidOrder, match="empty"):
        await handlers.check_out(checkout(sizes={}), deps)
    with pytest.raises(InvalidOrder):
        await handlers.check_out(checkout(order_type=OrderType.MTO), deps)
    with pytest.raises(InvalidOrder):
        await handlers.check_out(checkout(design_version=7), deps)
    accepted = await handlers.check_out(checkout(key="ok"), deps)
    assert accepted.order.order_number == "BF-000001"


async def test_orders_of_another_brand_are_not_found(fakes: Fakes) -> None:
    deps = fakes.deps
    created = await handlers.check_out(checkout(account="acc_a"), deps)
    with pytest.raises(OrderNotFound):
        await handlers.get_order("acc_b", created.order.order_number, deps)
    found = await handlers.get_order("acc_a", created.order.order_number, deps)
    assert found.order_number == created.order.order_number


async def test_a_stale_bill_of_materials_is_refused_with_the_current_one(fakes: Fakes) -> None:
    with pytest.raises(StaleBillOfMaterials) as raised:
        await handlers.check_out(checkout(bom_hash="sha256:old"), fakes.deps)
    assert raised.value.problem_extra()["bom_hash"] == "sha256:abc"
    assert raised.value.problem_extra()["bill_of_materials"] == [
        {
            "component": "Upper",
            "material": "Box calf",
            "colour": "black",
            "quantity": 3.2,
            "unit": "sq ft",
        }
    ]
    assert fakes.orders.by_number == {}


async def test_an_archived_design_cannot_be_ordered(fakes: Fakes) -> None:
    current = fakes.design.versions[("des_1", 2)]
    fakes.design.versions[("des_1", 2)] = current.model_copy(
        update={"status": DesignStatus.ARCHIVED}
    )
    with pytest.raises(InvalidOrder, match="archived"):
        await handlers.check_out(checkout(), fakes.deps)


async def test_the_price_comes_from_the_quote_with_breaks(fakes: Fakes) -> None:
    result = await handlers.check_out(checkout(sizes={"42": 6, "43": 6}), fakes.deps)
    costs = result.order.costs
    assert (costs.per_pair, costs.manufacturing) == (19_000, 12 * 19_000)
    assert costs.currency == "EUR"


async def test_the_first_order_chooses_labeling_and_later_ones_reuse_it(fakes: Fakes) -> None:
    with pytest.raises(LabelingRequired):
        await handlers.check_out(checkout(labeling=None), fakes.deps)
    first = await handlers.check_out(
        checkout(key="k1", labeling=Labeling.CUSTOM_STAMPS), fakes.deps
    )
    assert first.order.costs.customization == 15_000
    assert (
        first.order.costs.subtotal
        == first.order.costs.manufacturing + first.order.costs.shipping + 15_000
    )

    second = await handlers.check_out(checkout(key="k2", labeling=None), fakes.deps)
    assert second.order.labeling is Labeling.CUSTOM_STAMPS
    assert second.order.costs.customization == 0, "stamps are developed once"
    with pytest.raises(LabelingMismatch):
        await handlers.check_out(checkout(key="k3", labeling=Labeling.UNLABELED), fakes.deps)
    retry = await handlers.check_out(
        checkout(key="k1", labeling=Labeling.CUSTOM_STAMPS), fakes.deps
    )
    assert retry.order.order_number == first.order.order_number


async def test_stamp_development_is_priced_by_the_catalog(fakes: Fakes) -> None:
    fakes.design.prices["custom_stamps"] = 12_345
    first = await handlers.check_out(checkout(labeling=Labeling.CUSTOM_STAMPS), fakes.deps)
    assert first.order.costs.customization == 12_345


async def test_quotes_in_different_currencies_cannot_be_combined(fakes: Fakes) -> None:
    fakes.shipping.currency = "USD"
    with pytest.raises(PricingUnavailable, match="manufacturing in EUR, shipping in USD"):
        await handlers.check_out(checkout(), fakes.deps)
    assert fakes.orders.by_number == {}, "nothing stored, no number taken"


async def test_payment_moves_pending_orders_to_work_in_process_once(fakes: Fakes) -> None:
    a = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    b = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    await handlers.on_shipment_grouped(grouped_event("SG-PAID", [a, b]), fakes.deps)
    joined = [fakes.orders.by_number[n] for n in (a.order_number, b.order_number)]
    event = payment_cleared(joined, target="SG-PAID")

    fakes.orders.reads = 0
    moved = await handlers.on_payment_cleared(event, fakes.deps)
    assert fakes.orders.reads == 2, "each order read once, and changed from that read"
    again = await handlers.on_payment_cleared(event, fakes.deps)
    duplicate = await handlers.on_payment_cleared(payment_cleared([a]), fakes.deps)

    assert moved == [a.order_number, b.order_number]
    assert again == []
    assert duplicate == []
    stored = fakes.orders.by_number[a.order_number]
    assert stored.status is OrderStatus.WORK_IN_PROCESS
    assert [(h.status, h.stage) for h in stored.history] == [
        (OrderStatus.PENDING_PAYMENT, None),
        (OrderStatus.WORK_IN_PROCESS, None),
        (OrderStatus.WORK_IN_PROCESS, ProductionStage.QUEUED),  # launched: queued for the floor
    ]
    assert {h.cause for h in stored.history[1:]} == {f"event:{event.event_id}"}
    assert stored.wip_started_at == stored.history[-1].at
    changes = [e for e in fakes.orders.published if isinstance(e, OrderStatusChanged)]
    assert [(e.payload.order_number, e.payload.to_status) for e in changes] == [
        (a.order_number, OrderStatus.WORK_IN_PROCESS),
        (b.order_number, OrderStatus.WORK_IN_PROCESS),
    ]


async def test_a_pending_order_is_cancelled_once_and_for_free(fakes: Fakes) -> None:
    pending = (await handlers.check_out(checkout(key="a"), fakes.deps)).order

    cancelled = await handlers.cancel_order(
        "acc_1", pending.order_number, "req-9", fakes.deps, actor="user:usr_ana"
    )

    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.history[-1].cause == "request:req-9"
    assert cancelled.history[-1].actor == "user:usr_ana"
    assert cancelled.refund is None
    assert cancelled.payment_status is PaymentStatus.UNPAID
    with pytest.raises(OrderStateConflict, match="cancelled"):
        await handlers.cancel_order("acc_1", pending.order_number, "req-11", fakes.deps)


def payment_cleared(
    orders: list[Order], target: str | None = None, amount: int | None = None
) -> PaymentCleared:
    """Stripe's money for ``target`` (default: the one order) as payments reports it:
    by default exactly what the orders cost now."""
    target = target or orders[0].order_number
    return PaymentCleared(
        account_id="acc_1",
        correlation_id="pay-1",
        payload=PaymentClearedPayload(
            invoice_id=f"inv_{target}",
            target=target,
            order_numbers=[o.order_number for o in orders],
            amount=sum(o.amount_due(target) for o in orders) if amount is None else amount,
            currency="EUR",
            payment_intent_id="pi_1",
            paid_at=datetime(2026, 3, 2, tzinfo=UTC),
            contact_email="ops@norte.example",
        ),
    )


def grouped_event(
    group_id: str, orders: list[Order], shipping_cost: int = 2_000
) -> ShipmentGrouped:
    """Shipping grouped ``orders``, sharing ``shipping_cost`` equally."""
    return ShipmentGrouped(
        account_id="acc_1",
        correlation_id="grp",
        payload=ShipmentGroupedPayload(
            group_id=group_id,
            order_numbers=[o.order_number for o in orders],
            pairs=sum(o.pairs for o in orders),
            shipping_cost=shipping_cost,
            individual_shipping_cost=shipping_cost + 1_000,
            saving=1_000,
            allocations={o.order_number: shipping_cost // len(orders) for o in orders},
            currency="EUR",
            contact_email="ops@norte.example",
            grouped_at=datetime(2026, 3, 2, tzinfo=UTC),
        ),
    )


async def test_a_pending_order_is_edited_as_a_new_re_priced_version(fakes: Fakes) -> None:
    order = (
        await handlers.check_out(checkout(key="a", labeling=Labeling.CUSTOM_STAMPS), fakes.deps)
    ).order
    paris = ADDRESS.model_copy(update={"city": "Paris", "country": "FR"})

    edited = await handlers.edit_order(
        "acc_1", order.order_number, "req-e", fakes.deps, sizes={"42": 12}, shipping_address=paris
    )

    assert edited.version == 2
    assert edited.sizes == {"42": 12}
    assert edited.shipping_address.city == "Paris"
    assert edited.costs.per_pair == 19_000
    assert edited.costs.manufacturing == 12 * 19_000
    assert edited.costs.shipping == 900 + 600 * 12
    assert edited.costs.customization == 15_000, "stamp development stays charged"
    assert edited.previous_versions[0].sizes == {"42": 3, "42.5": 2}
    revised = [e for e in fakes.orders.published if isinstance(e, OrderRevised)]
    assert [(e.payload.version, e.payload.costs.total) for e in revised] == [
        (2, edited.costs.total)
    ]


async def test_an_edit_after_payment_is_refused(fakes: Fakes) -> None:
    order = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    await handlers.on_payment_cleared(payment_cleared([order]), fakes.deps)
    with pytest.raises(OrderStateConflict, match="only orders pending payment can be edited"):
        await handlers.edit_order("acc_1", order.order_number, "req-e", fakes.deps, sizes={"42": 1})
    assert fakes.orders.by_number[order.order_number].version == 1


async def test_a_shipping_group_is_recorded_once_on_each_order(fakes: Fakes) -> None:
    a = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    b = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    event = grouped_event("grp_1", [a, b], shipping_cost=5_000)
    assert await handlers.on_shipment_grouped(event, fakes.deps) == [a.order_number, b.order_number]
    assert await handlers.on_shipment_grouped(event, fakes.deps) == []
    group = fakes.orders.by_number[a.order_number].shipping_group
    assert group is not None
    assert (group.group_id, group.allocation) == ("grp_1", 2_500)


async def test_a_grouped_order_is_neither_edited_nor_cancelled_until_its_group_dissolves(
    fakes: Fakes,
) -> None:
    a = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    b = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    grouped = grouped_event("SG-AAAA", [a, b])
    await handlers.on_shipment_grouped(grouped, fakes.deps)
    with pytest.raises(OrderStateConflict, match="DELETE /api/v1/shipping-groups/SG-AAAA"):
        await handlers.edit_order("acc_1", a.order_number, "req-e", fakes.deps, sizes={"42": 3})
    with pytest.raises(OrderStateConflict, match="dissolve the group first"):
        await handlers.cancel_order("acc_1", a.order_number, "req-c", fakes.deps)
    await handlers.on_shipment_ungrouped(
        ShipmentUngrouped(
            account_id="acc_1",
            correlation_id="u",
            payload=ShipmentUngroupedPayload(
                group_id="SG-AAAA",
                order_numbers=[a.order_number, b.order_number],
                dissolved_at=datetime(2026, 3, 3, tzinfo=UTC),
            ),
        ),
        fakes.deps,
    )
    cancelled = await handlers.cancel_order("acc_1", a.order_number, "req-c", fakes.deps)
    assert cancelled.status is OrderStatus.CANCELLED


async def test_a_group_arriving_after_the_order_was_paid_changes_nothing(fakes: Fakes) -> None:
    a = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    b = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    await handlers.on_payment_cleared(payment_cleared([a]), fakes.deps)
    grouped = grouped_event("SG-BBBB", [a, b])
    assert await handlers.on_shipment_grouped(grouped, fakes.deps) == [b.order_number]
    assert fakes.orders.by_number[a.order_number].shipping_group is None


async def test_every_change_names_who_made_it_in_its_event_and_history(fakes: Fakes) -> None:
    placed = (await handlers.check_out(checkout(key="a", actor="user:usr_ana"), fakes.deps)).order
    number = placed.order_number
    edited = await handlers.edit_order(
        "acc_1", number, "req-e", fakes.deps, sizes={"42": 4}, actor="api-token:tok_erp"
    )
    await handlers.cancel_order("acc_1", number, "req-c", fakes.deps, actor="user:usr_bea")

    assert edited.previous_versions[0].actor == "api-token:tok_erp"
    events = [e for e in fakes.orders.published if isinstance(e, Envelope)]
    actors = [(type(e).__name__, e.actor) for e in events]
    assert actors == [
        ("OrderSubmitted", "user:usr_ana"),
        ("OrderRevised", "api-token:tok_erp"),
        ("OrderStatusChanged", "user:usr_bea"),
    ]
    stored = await handlers.get_order("acc_1", number, fakes.deps)
    assert [h.actor for h in stored.history] == ["user:usr_ana", "user:usr_bea"]


async def test_production_starts_only_on_a_payment_of_what_the_orders_cost_now(
    fakes: Fakes,
) -> None:
    a = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    b = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    one_cent = payment_cleared([a], amount=1)
    other_brand = payment_cleared([b], target=a.order_number)
    assert await handlers.on_payment_cleared(one_cent, fakes.deps) == []
    assert await handlers.on_payment_cleared(one_cent, fakes.deps) == []
    assert await handlers.on_payment_cleared(other_brand, fakes.deps) == []
    flagged = fakes.orders.by_number[a.order_number]
    assert flagged.status is OrderStatus.PENDING_PAYMENT
    assert len(flagged.payment_flags) == 1, "flagged once, however often it arrives"
    assert f"paid 1 EUR, due {a.costs.total} EUR" in flagged.payment_flags[0]
    assert fakes.orders.by_number[b.order_number].payment_flags == [
        f"{other_brand.event_id}: a payment for order {a.order_number} names other orders"
    ]

    # The stale price: paid at version 1's total after an edit made it dearer.
    stale = payment_cleared([a])
    await handlers.edit_order("acc_1", a.order_number, "req-e", fakes.deps, sizes={"42": 9})
    assert await handlers.on_payment_cleared(stale, fakes.deps) == []
    assert fakes.orders.by_number[a.order_number].status is OrderStatus.PENDING_PAYMENT
    fresh = payment_cleared([fakes.orders.by_number[a.order_number]])
    assert await handlers.on_payment_cleared(fresh, fakes.deps) == [a.order_number]


async def test_a_group_payment_waits_for_the_group_and_pays_each_share(fakes: Fakes) -> None:
    a = (await handlers.check_out(checkout(key="a"), fakes.deps)).order
    b = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    early = payment_cleared([a, b], target="SG-LATE", amount=a.costs.total + b.costs.total)
    with pytest.raises(PaymentAheadOfGroup):  # retried until the group arrives
        await handlers.on_payment_cleared(early, fakes.deps)
    await handlers.on_shipment_grouped(grouped_event("SG-LATE", [a, b]), fakes.deps)
    assert await handlers.on_payment_cleared(early, fakes.deps) == [], "each order's own shipping"
    joined = [fakes.orders.by_number[n] for n in (a.order_number, b.order_number)]
    assert await handlers.on_payment_cleared(
        payment_cleared(joined, target="SG-LATE"), fakes.deps
    ) == [a.order_number, b.order_number]


async def test_an_order_keeps_only_its_latest_applied_events(fakes: Fakes) -> None:
    order = (await handlers.check_out(checkout(), fakes.deps)).order
    for n in range(APPLIED_EVENTS_KEPT):
        assert order.join_shipping_group(f"grp_{n}", 100, f"evt_join_{n}")
        assert order.leave_shipping_group(f"grp_{n}", f"evt_leave_{n}")
    assert len(order.applied_events) == APPLIED_EVENTS_KEPT
    assert order.applied_events[-1] == f"evt_leave_{APPLIED_EVENTS_KEPT - 1}"
    assert not order.join_shipping_group("grp_late", 100, f"evt_join_{APPLIED_EVENTS_KEPT - 1}")
