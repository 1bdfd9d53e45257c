"""Shipping's storage on the real MongoDB-wire server (FerretDB): claims, groups with their
outbox, shipments."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bespoke_contracts import (
    Carrier,
    OrderStatus,
    ShipmentGrouped,
    ShipmentStatus,
    Tracking,
    examples,
)
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_shipping.adapters.mongo import MongoGroups, MongoOrderRecords, MongoShipments
from bespoke_shipping.adapters.rates_file import load_rates
from bespoke_shipping.domain.errors import ConcurrentChange
from bespoke_shipping.domain.grouping import quote_group
from bespoke_shipping.domain.model import OrderRecord, Shipment, ShippingGroup

pytestmark = pytest.mark.stack

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)


def record(number: str, account: str = "acc_1", pairs: int = 2) -> OrderRecord:
    return OrderRecord(
        order_number=number,
        account_id=account,
        status=OrderStatus.PENDING_PAYMENT,
        pairs=pairs,
        shipping_address=examples.ADDRESS,
        shipping_cost=2_100,
        currency="EUR",
        contact_email="ops@norte.example",
    )


def group(group_id: str, numbers: list[str], created_at: datetime = AT) -> ShippingGroup:
    pairs = dict.fromkeys(numbers, 2)
    return ShippingGroup(
        id=group_id,
        account_id="acc_1",
        order_numbers=numbers,
        destination=examples.ADDRESS,
        quote=quote_group(load_rates(), "ES", pairs, dict.fromkeys(numbers, 2_100)),
        individual_costs=dict.fromkeys(numbers, 2_100),
        contact_email="ops@norte.example",
        created_at=created_at,
        fingerprint=",".join(sorted(numbers)),
    )


async def test_an_order_is_claimed_by_one_group_even_when_many_race(shipping_db: Any) -> None:
    orders = MongoOrderRecords(shipping_db)
    assert await orders.add(record("BF-000001"))
    assert not await orders.add(record("BF-000001"))
    wins = await asyncio.gather(*(orders.claim("BF-000001", "acc_1", f"SG-{i}") for i in range(12)))
    assert sum(wins) == 1
    winner = f"SG-{wins.index(True)}"
    stored = await orders.get("BF-000001")
    assert stored is not None
    assert stored.group_id == winner
    assert await orders.claim("BF-000001", "acc_1", winner), "a retry by the holder succeeds"
    await orders.release("BF-000001", "SG-other")
    assert (await orders.get("BF-000001")).group_id == winner  # type: ignore[union-attr]
    await orders.release("BF-000001", winner)
    assert (await orders.get("BF-000001")).group_id is None  # type: ignore[union-attr]


async def test_a_claim_needs_the_brand_s_pending_order(shipping_db: Any) -> None:
    orders = MongoOrderRecords(shipping_db)
    await orders.add(record("BF-000002"))
    await orders.add(record("BF-000003"))
    assert not await orders.claim("BF-000002", "acc_other", "SG-1")
    assert not await orders.claim("BF-000404", "acc_1", "SG-1")
    await orders.set_status("BF-000003", OrderStatus.WORK_IN_PROCESS)
    assert not await orders.claim("BF-000003", "acc_1", "SG-1")
    assert await orders.claim("BF-000002", "acc_1", "SG-1"), "failed claims left nothing behind"


async def test_a_status_or_a_finish_is_written_to_a_known_copy_only(shipping_db: Any) -> None:
    orders = MongoOrderRecords(shipping_db)
    await orders.add(record("BF-000005"))
    await orders.add(record("BF-000006"))
    assert not await orders.set_status("BF-000404", OrderStatus.WORK_IN_PROCESS)
    assert await orders.set_status("BF-000005", OrderStatus.WORK_IN_PROCESS)
    assert (await orders.get("BF-000005")).status is OrderStatus.WORK_IN_PROCESS  # type: ignore[union-attr]
    await orders.set_ready("BF-000006")
    assert await orders.ready_among(["BF-000005", "BF-000006", "BF-000404"]) == {"BF-000006"}


async def test_only_newer_revisions_are_stored(shipping_db: Any) -> None:
    orders = MongoOrderRecords(shipping_db)
    await orders.add(record("BF-000004"))
    newer = record("BF-000004", pairs=7)
    newer.version = 3
    assert await orders.revise(newer)
    older = record("BF-000004", pairs=1)
    older.version = 2
    assert not await orders.revise(older)
    stored = await orders.get("BF-000004")
    assert stored is not None
    assert (stored.pairs, stored.version) == (7, 3)


async def test_a_group_is_stored_with_its_event_and_guarded_by_its_revision(
    shipping_db: Any,
) -> None:
    groups = MongoGroups(shipping_db)
    g = group("SG-A", ["BF-000001", "BF-000002"])
    assert await groups.add(g)
    assert not await groups.add(group("SG-A", ["BF-000001", "BF-000002"]))
    stale = await groups.get("SG-A")
    assert stale is not None
    assert stale == g
    g.open("req-1")
    await groups.save(g)
    stale.open("req-2")
    with pytest.raises(ConcurrentChange):
        await groups.save(stale)
    doc = await shipping_db.groups.find_one({"_id": "SG-A"})
    [entry] = doc["outbox"]
    assert entry["topic"] == ShipmentGrouped.TOPIC
    assert entry["key"] == "SG-A"
    assert ShipmentGrouped.from_json(entry["value"].encode()).payload.saving == g.quote.saving
    assert await shipping_db.group_signals.find_one({"_id": "SG-A"}) is not None
    assert (await groups.get("SG-A")).status is GroupStatus.OPEN  # type: ignore[union-attr]


async def test_groups_page_newest_first_and_interrupted_ones_are_found(shipping_db: Any) -> None:
    groups = MongoGroups(shipping_db)
    for i in range(5):
        g = group(f"SG-{i}", ["BF-000001", "BF-000002"], AT + timedelta(minutes=i))
        if i != 2:
            g.open("r")
        await groups.add(g)
    first = await groups.page("acc_1", 2, None)
    assert [g.id for g in first] == ["SG-4", "SG-3"]
    rest = await groups.page("acc_1", 10, (first[-1].created_at, first[-1].id))
    assert [g.id for g in rest] == ["SG-2", "SG-1", "SG-0"]
    assert await groups.page("acc_other", 10, None) == []
    forming = await groups.forming_since(AT + timedelta(hours=1))
    assert [g.id for g in forming] == ["SG-2"]
    await groups.delete_forming("SG-3")  # open: kept
    await groups.delete_forming("SG-2")
    assert await groups.get("SG-3") is not None
    assert await groups.get("SG-2") is None


async def test_a_shipment_round_trips_with_its_stages(shipping_db: Any) -> None:
    shipments = MongoShipments(shipping_db)
    shipment = Shipment.after_payment(
        target="SG-A",
        account_id="acc_1",
        group_id="SG-A",
        orders=[record("BF-000001"), record("BF-000002")],
        destination=examples.ADDRESS,
        contact_email="ops@norte.example",
        at=AT,
        correlation_id="stripe:evt",
        causation_id="evt",
    )
    assert await shipments.add(shipment)
    assert await shipping_db.shipment_signals.find_one({"_id": "shp_SG-A"}) is not None, (
        "the relay is told at once"
    )
    stored = await shipments.get("shp_SG-A")
    assert stored is not None
    assert stored.pairs == 4
    stored.order_ready("BF-000001", AT, "r")
    stored.order_ready("BF-000002", AT, "r")
    stored.ship(Tracking.of(Carrier.DHL, "JD0146000062"), AT, "r")
    await shipments.save(stored)
    again = await shipments.get("shp_SG-A")
    assert again is not None
    assert [s.status for s in again.history] == [
        ShipmentStatus.AWAITING_PRODUCTION,
        ShipmentStatus.READY_TO_SHIP,
        ShipmentStatus.SHIPPED,
    ]
    assert again.ready_orders == ["BF-000001", "BF-000002"]
    assert again.tracking == Tracking.of(Carrier.DHL, "JD0146000062")
    doc = await shipping_db.shipments.find_one({"_id": "shp_SG-A"})
    assert doc["outbox_seq"] == 3
