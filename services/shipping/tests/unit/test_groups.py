"""Group Shipping and shipments: the use cases, on in-memory storage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bespoke_contracts import (
    Carrier,
    OrderRevised,
    OrderRevisedPayload,
    OrderStageChanged,
    OrderStageChangedPayload,
    OrderStatus,
    OrderStatusChanged,
    OrderStatusChangedPayload,
    PaymentCleared,
    PaymentClearedPayload,
    ProductionStage,
    ShipmentGrouped,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentUngrouped,
    Tracking,
    examples,
)
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_shipping.domain.errors import (
    GroupNotFound,
    GroupStateConflict,
    IdempotencyKeyReused,
    InvalidGroup,
    NotYetKnown,
    OrderNotFound,
    OrderNotGroupable,
    ShipmentNotFound,
    ShipmentStateConflict,
)
from bespoke_shipping.service_layer import handlers

from .fakes import Fakes

BRAND = "acc_1"
AT = datetime(2026, 11, 22, 12, tzinfo=UTC)


async def submit(fakes: Fakes, number: str, pairs: int = 1, **changes: Any) -> None:
    event = examples.order_submitted(number, sizes={"42": pairs}, **changes)
    await handlers.on_order_submitted(event, fakes.deps)


async def submit_for(fakes: Fakes, number: str, brand: str) -> None:
    event = examples.order_submitted(number).model_copy(update={"account_id": brand})
    await handlers.on_order_submitted(event, fakes.deps)


async def group(fakes: Fakes, *numbers: str, key: str | None = None) -> Any:
    return await handlers.form_group(BRAND, list(numbers), key, "req-1", fakes.deps)


def cleared(target: str, numbers: list[str], event_id: str | None = None) -> PaymentCleared:
    event = PaymentCleared(
        account_id=BRAND,
        correlation_id="stripe:evt_1",
        payload=PaymentClearedPayload(
            invoice_id=f"inv_{target}",
            target=target,
            order_numbers=numbers,
            amount=1,
            currency="EUR",
            payment_intent_id="pi_1",
            paid_at=AT,
            contact_email="ops@norte.example",
        ),
    )
    return event


def status_changed(number: str, to: OrderStatus) -> OrderStatusChanged:
    return OrderStatusChanged(
        account_id=BRAND,
        correlation_id="req-9",
        payload=OrderStatusChangedPayload(
            order_number=number,
            from_status=OrderStatus.PENDING_PAYMENT,
            to_status=to,
            cause="request:req-9",
            changed_at=AT,
            contact_email="ops@norte.example",
        ),
    )


def published(fakes: Fakes, kind: type) -> list[Any]:
    return [e for e in fakes.groups.outbox + fakes.shipments.outbox if isinstance(e, kind)]


async def test_three_orders_form_a_group_with_its_saving_and_one_shipment_event(
    fakes: Fakes,
) -> None:
    for number, pairs in (("BF-000001", 1), ("BF-000002", 2), ("BF-000003", 3)):
        await submit(fakes, number, pairs)
    result = await group(fakes, "BF-000001", "BF-000002", "BF-000003")
    g = result.group
    assert result.created
    assert g.status is GroupStatus.OPEN
    assert g.id.startswith("SG-")
    # The example orders were each priced 15.00 shipping; together: 9.00 + 6 x 4.50.
    assert (g.quote.shipping_cost, g.quote.individual_shipping_cost, g.quote.saving) == (
        3600,
        4500,
        900,
    )
    assert g.individual_costs == dict.fromkeys(g.order_numbers, 1500)
    assert sum(g.quote.allocations.values()) == g.quote.shipping_cost
    [event] = published(fakes, ShipmentGrouped)
    assert event.payload.group_id == g.id
    assert event.payload.allocations == g.quote.allocations
    assert event.key() == g.id.encode()
    assert all(fakes.orders.records[n].group_id == g.id for n in g.order_numbers)


async def test_a_preview_shows_the_group_s_cost_and_saving_and_forms_nothing(
    fakes: Fakes,
) -> None:
    for number, pairs in (("BF-000001", 1), ("BF-000002", 2), ("BF-000003", 3)):
        await submit(fakes, number, pairs)
    numbers = ["BF-000001", "BF-000002", "BF-000003"]
    records, quote = await handlers.preview_group(BRAND, numbers, fakes.deps)
    assert (quote.shipping_cost, quote.individual_shipping_cost, quote.saving) == (3600, 4500, 900)
    assert sorted(records) == numbers
    assert published(fakes, ShipmentGrouped) == []
    assert all(fakes.orders.records[n].group_id is None for n in numbers)
    formed = (await group(fakes, *numbers)).group  # what forming then gives: the same
    assert formed.quote == quote
    # refused as forming would be: now each is already grouped
    with pytest.raises(OrderNotGroupable):
        await handlers.preview_group(BRAND, numbers, fakes.deps)
    with pytest.raises(InvalidGroup, match="two or more"):
        await handlers.preview_group(BRAND, ["BF-000001"], fakes.deps)


async def test_the_same_idempotency_key_returns_the_same_group_once(fakes: Fakes) -> None:
    await submit(fakes, "BF-000001")
    await submit(fakes, "BF-000002")
    first = await group(fakes, "BF-000001", "BF-000002", key="k1")
    again = await group(fakes, "BF-000002", "BF-000001", key="k1")
    assert (again.group.id, again.created) == (first.group.id, False)
    assert len(published(fakes, ShipmentGrouped)) == 1
    await submit(fakes, "BF-000003")
    with pytest.raises(IdempotencyKeyReused):
        await group(fakes, "BF-000001", "BF-000003", key="k1")


async def test_refusals_are_clear(fakes: Fakes) -> None:
    await submit(fakes, "BF-000001")
    await submit(fakes, "BF-000002")
    await submit_for(fakes, "BF-000009", "acc_other")
    with pytest.raises(InvalidGroup, match="two or more"):
        await group(fakes, "BF-000001")
    with pytest.raises(InvalidGroup, match="repeated") as repeated:
        await group(fakes, "BF-000001", "BF-000001")
    assert repeated.value.conflicts[0].pointer == "#/order_numbers/0"
    with pytest.raises(OrderNotFound) as other_brand:
        await group(fakes, "BF-000001", "BF-000009")
    assert other_brand.value.conflicts[0].pointer == "#/order_numbers/1"
    with pytest.raises(OrderNotFound):
        await group(fakes, "BF-000001", "BF-000404")
    assert published(fakes, ShipmentGrouped) == []


async def test_a_paid_or_cancelled_order_cannot_be_grouped(fakes: Fakes) -> None:
    for n in ("BF-000001", "BF-000002", "BF-000003"):
        await submit(fakes, n)
    fakes.orders.lookups = 0
    await handlers.on_order_status_changed(
        status_changed("BF-000002", OrderStatus.WORK_IN_PROCESS), fakes.deps
    )
    assert fakes.orders.lookups == 0, "a paid order's status is written, its copy not read"
    await handlers.on_order_status_changed(
        status_changed("BF-000003", OrderStatus.CANCELLED), fakes.deps
    )
    with pytest.raises(OrderNotGroupable, match="work_in_process") as paid:
        await group(fakes, "BF-000001", "BF-000002")
    assert paid.value.conflicts[0].pointer == "#/order_numbers/1"
    with pytest.raises(OrderNotGroupable, match="cancelled"):
        await group(fakes, "BF-000003", "BF-000001")


async def test_an_order_is_in_one_group_at_most(fakes: Fakes) -> None:
    for n in ("BF-000001", "BF-000002", "BF-000003"):
        await submit(fakes, n)
    first = await group(fakes, "BF-000001", "BF-000002")
    with pytest.raises(OrderNotGroupable, match=f"already in shipping group {first.group.id}"):
        await group(fakes, "BF-000003", "BF-000002")
    assert fakes.orders.records["BF-000003"].group_id is None


async def test_orders_going_to_different_addresses_are_refused_field_by_field(
    fakes: Fakes,
) -> None:
    await submit(fakes, "BF-000001")
    elsewhere = examples.ADDRESS.model_copy(update={"postal_code": "03601"})
    await submit(fakes, "BF-000002", address=elsewhere)
    with pytest.raises(InvalidGroup, match="one address") as refused:
        await group(fakes, "BF-000001", "BF-000002")
    [conflict] = refused.value.conflicts
    assert conflict.pointer == "#/order_numbers/1"
    assert "postal_code" in conflict.detail


async def test_a_claim_lost_to_a_concurrent_change_releases_the_others(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in ("BF-000001", "BF-000002"):
        await submit(fakes, n)
    real_claim = fakes.orders.claim

    async def paid_meanwhile(number: str, account_id: str, group_id: str) -> bool:
        if number == "BF-000002":
            fakes.orders.records[number].status = OrderStatus.WORK_IN_PROCESS
        return await real_claim(number, account_id, group_id)

    monkeypatch.setattr(fakes.orders, "claim", paid_meanwhile)
    with pytest.raises(OrderNotGroupable, match="meanwhile"):
        await group(fakes, "BF-000001", "BF-000002")
    assert fakes.orders.records["BF-000001"].group_id is None
    assert fakes.groups.items == {}
    assert published(fakes, ShipmentGrouped) == []


async def test_an_interrupted_group_is_completed_by_recovery(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in ("BF-000001", "BF-000002"):
        await submit(fakes, n)

    async def crash(number: str, account_id: str, group_id: str) -> bool:
        raise ConnectionError("process killed")

    with monkeypatch.context() as patched:
        patched.setattr(fakes.orders, "claim", crash)
        with pytest.raises(ConnectionError):
            await group(fakes, "BF-000001", "BF-000002", key="k")
    [forming] = fakes.groups.items.values()
    assert forming.status is GroupStatus.FORMING
    assert await handlers.recover_forming(fakes.deps) == 0, "too recent: maybe still forming"
    fakes.clock.at += handlers.FORMING_GRACE * 2
    assert await handlers.recover_forming(fakes.deps) == 1
    assert fakes.groups.items[forming.id].status is GroupStatus.OPEN
    assert len(published(fakes, ShipmentGrouped)) == 1


async def test_dissolving_frees_the_orders_and_publishes_once(fakes: Fakes) -> None:
    for n in ("BF-000001", "BF-000002"):
        await submit(fakes, n)
    g = (await group(fakes, "BF-000001", "BF-000002")).group
    dissolved = await handlers.dissolve_group(BRAND, g.id, "req-2", fakes.deps)
    assert dissolved.status is GroupStatus.DISSOLVED
    assert dissolved.dissolved_reason == "dissolved by the brand"
    await handlers.dissolve_group(BRAND, g.id, "req-3", fakes.deps)
    [ungrouped] = published(fakes, ShipmentUngrouped)
    assert ungrouped.payload.order_numbers == ["BF-000001", "BF-000002"]
    assert all(r.group_id is None for r in fakes.orders.records.values())
    regrouped = await group(fakes, "BF-000002", "BF-000001")
    assert regrouped.group.id != g.id
    with pytest.raises(GroupNotFound):
        await handlers.dissolve_group("acc_other", regrouped.group.id, "req-4", fakes.deps)


async def test_a_paid_group_ships_once_and_cannot_be_dissolved(fakes: Fakes) -> None:
    for n in ("BF-000001", "BF-000002", "BF-000003"):
        await submit(fakes, n, 2)
    g = (await group(fakes, "BF-000001", "BF-000002", "BF-000003")).group
    event = cleared(g.id, g.order_numbers)
    assert await handlers.on_payment_cleared(event, fakes.deps)
    assert not await handlers.on_payment_cleared(event, fakes.deps), "redelivered"
    stored = fakes.groups.items[g.id]
    assert (stored.status, stored.shipment_id) == (GroupStatus.PAID, f"shp_{g.id}")
    shipment = await handlers.shipment_of(BRAND, "BF-000002", fakes.deps)
    assert shipment.id == f"shp_{g.id}"
    assert (shipment.status, shipment.pairs, shipment.group_id) == (
        ShipmentStatus.AWAITING_PRODUCTION,
        6,
        g.id,
    )
    [created] = published(fakes, ShipmentStatusChanged)
    assert created.payload.from_status is None
    with pytest.raises(GroupStateConflict, match="paid"):
        await handlers.dissolve_group(BRAND, g.id, "req-2", fakes.deps)


async def test_a_single_order_ships_alone_after_payment(fakes: Fakes) -> None:
    await submit(fakes, "BF-000001", 3)
    with pytest.raises(ShipmentNotFound, match="when the payment clears"):
        await handlers.shipment_of(BRAND, "BF-000001", fakes.deps)
    await handlers.on_payment_cleared(cleared("BF-000001", ["BF-000001"]), fakes.deps)
    shipment = await handlers.shipment_of(BRAND, "BF-000001", fakes.deps)
    assert (shipment.id, shipment.group_id, shipment.pairs) == ("shp_BF-000001", None, 3)
    with pytest.raises(OrderNotFound):
        await handlers.shipment_of("acc_other", "BF-000001", fakes.deps)


async def test_an_order_paid_on_its_own_while_grouped_dissolves_its_group(fakes: Fakes) -> None:
    for n in ("BF-000001", "BF-000002"):
        await submit(fakes, n)
    g = (await group(fakes, "BF-000001", "BF-000002")).group
    await handlers.on_payment_cleared(cleared("BF-000001", ["BF-000001"]), fakes.deps)
    assert fakes.groups.items[g.id].status is GroupStatus.DISSOLVED
    assert "paid on its own" in (fakes.groups.items[g.id].dissolved_reason or "")
    assert fakes.orders.records["BF-000002"].group_id is None
    assert (await handlers.shipment_of(BRAND, "BF-000001", fakes.deps)).id == "shp_BF-000001"


async def test_cancelling_or_editing_a_grouped_order_dissolves_its_group(fakes: Fakes) -> None:
    for n in ("BF-000001", "BF-000002", "BF-000003", "BF-000004"):
        await submit(fakes, n)
    first = (await group(fakes, "BF-000001", "BF-000002")).group
    second = (await group(fakes, "BF-000003", "BF-000004")).group
    await handlers.on_order_status_changed(
        status_changed("BF-000001", OrderStatus.CANCELLED), fakes.deps
    )
    assert fakes.groups.items[first.id].status is GroupStatus.DISSOLVED
    revised = OrderRevised(
        account_id=BRAND,
        correlation_id="req-5",
        payload=OrderRevisedPayload(
            order_number="BF-000004",
            version=2,
            sizes={"42": 5},
            pairs=5,
            shipping_address=examples.ADDRESS,
            billing=examples.BILLING,
            costs=examples.costs(pairs=5, shipping=3900),
            revised_at=AT,
        ),
    )
    await handlers.on_order_revised(revised, fakes.deps)
    assert fakes.groups.items[second.id].status is GroupStatus.DISSOLVED
    record = fakes.orders.records["BF-000004"]
    assert (record.pairs, record.shipping_cost, record.version) == (5, 3900, 2)
    await handlers.on_order_revised(revised.model_copy(), fakes.deps)  # redelivered
    assert len(published(fakes, ShipmentUngrouped)) == 2


async def test_events_about_an_order_not_known_yet_are_retried(fakes: Fakes) -> None:
    for to in (OrderStatus.CANCELLED, OrderStatus.WORK_IN_PROCESS):
        with pytest.raises(NotYetKnown):
            await handlers.on_order_status_changed(status_changed("BF-000001", to), fakes.deps)
    with pytest.raises(NotYetKnown):
        await handlers.on_payment_cleared(cleared("BF-000001", ["BF-000001"]), fakes.deps)


def finished(number: str) -> OrderStageChanged:
    return OrderStageChanged(
        account_id=BRAND,
        correlation_id="floor",
        payload=OrderStageChangedPayload(
            order_number=number,
            from_stage=ProductionStage.QUALITY_CHECK,
            to_stage=ProductionStage.READY_TO_SHIP,
            cause="request:r",
            changed_at=datetime(2026, 4, 1, tzinfo=UTC),
            estimated_ship_date=None,
            contact_email="ops@norte.example",
        ),
    )


async def test_a_group_ships_once_its_slowest_order_is_finished_with_tracking(
    fakes: Fakes,
) -> None:
    await submit(fakes, "BF-000001")
    await submit(fakes, "BF-000002")
    formed = await group(fakes, "BF-000001", "BF-000002")
    gid = formed.group.id
    await handlers.on_payment_cleared(cleared(gid, ["BF-000001", "BF-000002"]), fakes.deps)
    sid = f"shp_{gid}"
    ups = (Carrier.UPS, "1Z999AA10123456784")

    assert await handlers.on_order_stage_changed(finished("BF-000001"), fakes.deps)
    assert not await handlers.on_order_stage_changed(finished("BF-000001"), fakes.deps)
    with pytest.raises(ShipmentStateConflict, match="waits for BF-000002"):
        await handlers.ship(sid, *ups, "req", fakes.deps)
    await handlers.on_order_stage_changed(finished("BF-000002"), fakes.deps)
    shipped = await handlers.ship(sid, *ups, "req", fakes.deps)
    again = await handlers.ship(sid, *ups, "req", fakes.deps)  # a retry: nothing new
    assert shipped.tracking == again.tracking == Tracking.of(*ups)
    with pytest.raises(ShipmentStateConflict, match="already shipped"):
        await handlers.ship(sid, Carrier.DHL, "JD0146000062", "req", fakes.deps)
    delivered = await handlers.deliver(sid, "req", fakes.deps)
    journey = [s for s in ShipmentStatus if s is not ShipmentStatus.CANCELLED]
    assert [s.status for s in delivered.history] == journey
    changes = [e.payload for e in published(fakes, ShipmentStatusChanged)]
    assert [c.to_status for c in changes] == journey
    assert changes[2].tracking == Tracking.of(*ups)
    with pytest.raises(ShipmentNotFound):
        await handlers.ship("shp_nope", *ups, "r", fakes.deps)


async def test_an_order_finished_before_its_shipment_existed_still_readies_it(
    fakes: Fakes,
) -> None:
    await submit(fakes, "BF-000001")
    assert not await handlers.on_order_stage_changed(finished("BF-000001"), fakes.deps)
    await handlers.on_payment_cleared(cleared("BF-000001", ["BF-000001"]), fakes.deps)
    shipment = await handlers.get_shipment(None, "shp_BF-000001", fakes.deps)
    assert shipment.status is ShipmentStatus.READY_TO_SHIP
    with pytest.raises(ShipmentStateConflict, match="after it ships"):
        await handlers.deliver("shp_BF-000001", "r", fakes.deps)


async def test_groups_are_listed_newest_first_by_brand(fakes: Fakes) -> None:
    for n in range(1, 7):
        await submit(fakes, f"BF-{n:06d}")
    ids = [(await group(fakes, f"BF-{n:06d}", f"BF-{n + 1:06d}")).group.id for n in (1, 3, 5)]
    page = await handlers.list_groups(BRAND, 2, None, fakes.deps)
    assert [g.id for g in page] == ids[::-1][:2]
    rest = await handlers.list_groups(BRAND, 2, (page[-1].created_at, page[-1].id), fakes.deps)
    assert [g.id for g in rest] == [ids[0]]
    assert await handlers.list_groups("acc_other", 10, None, fakes.deps) == []


async def test_a_group_s_orders_are_read_together_and_missing_ones_awaited_together(
    fakes: Fakes,
) -> None:
    numbers = [f"BF-{n:06d}" for n in range(1, 31)]
    for number in numbers:
        await submit(fakes, number)
    fakes.orders.lookups = 0
    await group(fakes, *numbers)
    assert fakes.orders.lookups == 1, "one query for thirty orders"

    fakes.orders.lookups = 0
    with pytest.raises(OrderNotFound):  # not known within the wait (0.2 s here)
        await group(fakes, "BF-000101", "BF-000102", "BF-000103", key="late")
    assert fakes.orders.lookups <= 4, "one query per interval for all, not one per order"


async def test_a_paid_group_s_cancelled_order_leaves_and_the_rest_ships(fakes: Fakes) -> None:
    await submit(fakes, "BF-000001")
    await submit(fakes, "BF-000002")
    gid = (await group(fakes, "BF-000001", "BF-000002")).group.id
    await handlers.on_payment_cleared(cleared(gid, ["BF-000001", "BF-000002"]), fakes.deps)
    sid = f"shp_{gid}"
    await handlers.on_order_stage_changed(finished("BF-000001"), fakes.deps)

    cancel = status_changed("BF-000002", OrderStatus.CANCELLED)
    await handlers.on_order_status_changed(cancel, fakes.deps)
    await handlers.on_order_status_changed(cancel, fakes.deps)  # redelivered

    shipment = fakes.shipments.items[sid]
    assert shipment.order_numbers == ["BF-000001"]
    assert shipment.cancelled_orders == ["BF-000002"]
    assert shipment.status is ShipmentStatus.READY_TO_SHIP  # it waited only for that one
    shipped = await handlers.ship(sid, Carrier.UPS, "1Z999AA10123456784", "req", fakes.deps)
    [left] = [e.payload for e in published(fakes, ShipmentStatusChanged)][-1:]
    assert left.order_numbers == ["BF-000001"]  # the cancelled order is not shipped
    assert shipped.status is ShipmentStatus.SHIPPED


async def test_a_cancelled_order_s_own_shipment_is_cancelled_and_a_late_payment_ships_nothing(
    fakes: Fakes,
) -> None:
    await submit(fakes, "BF-000001")
    await submit(fakes, "BF-000002")
    await handlers.on_payment_cleared(cleared("BF-000001", ["BF-000001"]), fakes.deps)
    await handlers.on_order_status_changed(
        status_changed("BF-000001", OrderStatus.CANCELLED), fakes.deps
    )
    assert fakes.shipments.items["shp_BF-000001"].status is ShipmentStatus.CANCELLED
    with pytest.raises(ShipmentStateConflict, match="cancelled"):
        await handlers.ship("shp_BF-000001", Carrier.UPS, "1Z999AA10123456784", "req", fakes.deps)

    await handlers.on_order_status_changed(
        status_changed("BF-000002", OrderStatus.CANCELLED), fakes.deps
    )
    assert not await handlers.on_payment_cleared(cleared("BF-000002", ["BF-000002"]), fakes.deps)
    assert "shp_BF-000002" not in fakes.shipments.items
