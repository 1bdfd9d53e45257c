"""After Work In Process: every production stage move the rules allow or refuse, floor
scans, shipping with tracking, the estimated ship date, and reorders."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from bespoke_contracts import (
    Carrier,
    OrderLate,
    OrderStageChanged,
    OrderStatus,
    OrderStatusChanged,
    ProductionStage,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentStatusChangedPayload,
    StageReported,
    StageReportedPayload,
    Tracking,
)
from bespoke_contracts.api.orders import OrderPoolQuery, PaymentStatus
from bespoke_orders.domain import production
from bespoke_orders.domain.errors import OrderNotFound, OrderStateConflict
from bespoke_orders.domain.model import Order
from bespoke_orders.service_layer import handlers
from bespoke_orders.service_layer.ports import OrderQuery

from .fakes import Fakes
from .test_checkout import ADDRESS, checkout, payment_cleared

S = ProductionStage
SCANNED = datetime(2026, 3, 5, 10, tzinfo=UTC)
FLOOR = [S.RECEIVED, S.CUTTING, S.CLOSING, S.LASTING, S.SOLING, S.FINISHING]


async def launched(fakes: Fakes, key: str = "a") -> Order:
    order = (await handlers.check_out(checkout(key=key), fakes.deps)).order
    await handlers.on_payment_cleared(payment_cleared([order]), fakes.deps)
    return fakes.orders.by_number[order.order_number]


async def at(fakes: Fakes, stage: ProductionStage, key: str = "a") -> Order:
    order = await launched(fakes, key)
    if stage is not S.QUEUED:
        await handlers.move_stage(order.order_number, stage, None, "req-to", fakes.deps)
    return fakes.orders.by_number[order.order_number]


def stage_events(fakes: Fakes) -> list[OrderStageChanged]:
    return [e for e in fakes.orders.published if isinstance(e, OrderStageChanged)]


@pytest.mark.parametrize(
    ("current", "to"),
    [(a, b) for i, a in enumerate(production.STAGES) for b in production.STAGES[i + 1 :]],
)
def test_every_forward_move_is_allowed_skips_included(
    current: ProductionStage, to: ProductionStage
) -> None:
    assert production.stage_move("BF-000001", current, to, None) == production.StageMove(
        to, rework=False
    )


@pytest.mark.parametrize("stage", production.STAGES)
def test_the_current_stage_again_changes_nothing(stage: ProductionStage) -> None:
    assert production.stage_move("BF-000001", stage, stage, None) is None


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (a, b)
        for i, a in enumerate(production.STAGES)
        for b in production.STAGES[:i]
        if a is not S.QUALITY_CHECK
    ],
)
def test_no_move_back_but_from_quality_check(current: ProductionStage, to: ProductionStage) -> None:
    with pytest.raises(OrderStateConflict, match="cannot go back"):
        production.stage_move("BF-000001", current, to, "redo it")


@pytest.mark.parametrize("to", FLOOR)
def test_quality_check_sends_pairs_back_to_a_floor_stage_as_rework(to: ProductionStage) -> None:
    move = production.stage_move("BF-000001", S.QUALITY_CHECK, to, "heel stitching uneven")
    assert move == production.StageMove(to, rework=True)


@pytest.mark.parametrize("note", [None, "", "   "])
def test_rework_needs_a_note(note: str | None) -> None:
    with pytest.raises(OrderStateConflict, match="say what in a note"):
        production.stage_move("BF-000001", S.QUALITY_CHECK, S.FINISHING, note)


@pytest.mark.parametrize("to", [S.ON_HOLD, S.QUEUED])
def test_rework_never_sends_pairs_off_the_floor(to: ProductionStage) -> None:
    with pytest.raises(OrderStateConflict, match="floor stage"):
        production.stage_move("BF-000001", S.QUALITY_CHECK, to, "redo")


async def test_payment_launches_the_order_into_the_queue_with_its_dates(fakes: Fakes) -> None:
    order = await launched(fakes)
    assert order.status is OrderStatus.WORK_IN_PROCESS
    assert order.production_stage is S.QUEUED
    assert order.wip_started_at is not None
    started = order.wip_started_at
    assert order.lead_time_days == 38  # as the design's quote said at checkout
    assert order.estimated_ship_date == started.date() + timedelta(days=38)
    assert order.days_in_production(started + timedelta(days=3, hours=1)) == 3
    [event] = stage_events(fakes)
    assert (event.payload.from_stage, event.payload.to_stage) == (None, S.QUEUED)
    assert event.payload.estimated_ship_date == order.estimated_ship_date


async def test_an_operator_moves_an_order_and_each_move_is_history_and_an_event(
    fakes: Fakes,
) -> None:
    order = await launched(fakes)
    number = order.order_number
    for stage in [S.RECEIVED, S.CUTTING, S.LASTING, S.QUALITY_CHECK]:  # closing is skipped
        await handlers.move_stage(number, stage, None, f"req-{stage}", fakes.deps, "operator:op_1")
    await handlers.move_stage(number, S.FINISHING, "re-burnish the toes", "req-rw", fakes.deps)
    moved = await handlers.move_stage(number, S.FINISHING, None, "req-again", fakes.deps)

    stages = [(h.stage, h.rework) for h in moved.history if h.stage is not None]
    assert stages == [
        (S.QUEUED, False),
        (S.RECEIVED, False),
        (S.CUTTING, False),
        (S.LASTING, False),
        (S.QUALITY_CHECK, False),
        (S.FINISHING, True),
    ]
    rework = moved.history[-1]
    assert (rework.note, rework.cause) == ("re-burnish the toes", "request:req-rw")
    assert moved.history[3].actor == "operator:op_1"  # after pending, launch, queued
    events = stage_events(fakes)
    assert [e.payload.to_stage for e in events][-1] is S.FINISHING  # the repeat made none
    assert len(events) == 6
    assert events[-1].payload.rework is True


async def test_only_orders_in_process_move_through_stages(fakes: Fakes) -> None:
    pending = (await handlers.check_out(checkout(key="p"), fakes.deps)).order
    with pytest.raises(OrderStateConflict, match="only orders in process"):
        await handlers.move_stage(pending.order_number, S.CUTTING, None, "r", fakes.deps)
    with pytest.raises(OrderNotFound):
        await handlers.move_stage("BF-009999", S.CUTTING, None, "r", fakes.deps)


def report(order_number: str, stage: ProductionStage, station: str = "cut-2") -> StageReported:
    return StageReported(
        account_id="",
        correlation_id="floor",
        payload=StageReportedPayload(
            order_number=order_number,
            stage=stage,
            station=station,
            reported_at=SCANNED,
        ),
    )


async def test_a_floor_scan_moves_the_order_once_as_an_operator_would(fakes: Fakes) -> None:
    order = await launched(fakes)
    scan = report(order.order_number, S.CUTTING)
    assert await handlers.on_stage_reported(scan, fakes.deps) is True
    assert await handlers.on_stage_reported(scan, fakes.deps) is False  # redelivered
    stored = fakes.orders.by_number[order.order_number]
    assert stored.production_stage is S.CUTTING
    entry = stored.history[-1]
    assert (entry.station, entry.cause) == ("cut-2", f"event:{scan.event_id}")
    assert len(stage_events(fakes)) == 2


async def test_a_floor_scan_that_cannot_apply_is_refused_with_its_reason(fakes: Fakes) -> None:
    order = await at(fakes, S.LASTING)
    with pytest.raises(OrderStateConflict, match="cannot go back to cutting"):
        await handlers.on_stage_reported(report(order.order_number, S.CUTTING), fakes.deps)
    with pytest.raises(OrderNotFound, match="unknown order BF-009999"):
        await handlers.on_stage_reported(report("BF-009999", S.CUTTING), fakes.deps)


def shipment_event(
    orders: list[Order], to: ShipmentStatus, tracking: Tracking | None
) -> ShipmentStatusChanged:
    return ShipmentStatusChanged(
        account_id="acc_1",
        correlation_id="ship",
        payload=ShipmentStatusChangedPayload(
            shipment_id=f"shp_{orders[0].order_number}",
            group_id=None,
            order_numbers=[o.order_number for o in orders],
            pairs=sum(o.pairs for o in orders),
            destination=ADDRESS,
            from_status=ShipmentStatus.READY_TO_SHIP,
            to_status=to,
            tracking_number=tracking.number if tracking else None,
            carrier=tracking.carrier.value if tracking else None,
            tracking=tracking,
            changed_at=SCANNED,
            contact_email="ops@norte.example",
        ),
    )


async def test_a_shipped_shipment_ships_its_orders_with_tracking_then_delivery(
    fakes: Fakes,
) -> None:
    order = await at(fakes, S.READY_TO_SHIP)
    tracking = Tracking.of(Carrier.UPS, "1Z999AA10123456784")
    shipped = shipment_event([order], ShipmentStatus.SHIPPED, tracking)
    assert await handlers.on_shipment_status_changed(shipped, fakes.deps) == [order.order_number]
    assert await handlers.on_shipment_status_changed(shipped, fakes.deps) == []
    stored = fakes.orders.by_number[order.order_number]
    assert (stored.status, stored.tracking) == (OrderStatus.SHIPPED, tracking)
    assert tracking.url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert stored.production_stage is None
    delivered = shipment_event([order], ShipmentStatus.DELIVERED, tracking)
    await handlers.on_shipment_status_changed(delivered, fakes.deps)
    assert fakes.orders.by_number[order.order_number].status is OrderStatus.DELIVERED
    changes = [e.payload for e in fakes.orders.published if isinstance(e, OrderStatusChanged)]
    assert [(c.to_status, c.tracking) for c in changes[-2:]] == [
        (OrderStatus.SHIPPED, tracking),
        (OrderStatus.DELIVERED, tracking),
    ]


async def test_an_order_not_ready_to_ship_does_not_ship(fakes: Fakes) -> None:
    order = await at(fakes, S.FINISHING)
    tracking = Tracking.of(Carrier.DHL, "JD014600006281230704")
    with pytest.raises(OrderStateConflict, match="ships once ready_to_ship"):
        await handlers.on_shipment_status_changed(
            shipment_event([order], ShipmentStatus.SHIPPED, tracking), fakes.deps
        )


async def test_the_board_shows_every_brand_and_the_late_orders(fakes: Fakes) -> None:
    mine = await launched(fakes, "a")
    theirs = (await handlers.check_out(checkout(key="b", account="acc_2"), fakes.deps)).order
    board = await handlers.production_board(OrderQuery(), None, fakes.deps)
    assert {o.order_number for o in board.items} == {mine.order_number, theirs.order_number}
    queued = await handlers.production_board(
        OrderQuery(production_stage="queued"), None, fakes.deps
    )
    assert [o.order_number for o in queued.items] == [mine.order_number]
    assert (await handlers.production_board(OrderQuery(), None, fakes.deps, True)).items == []
    assert mine.estimated_ship_date is not None
    fakes.clock.current = fakes.clock.current + timedelta(days=39)
    late = await handlers.production_board(OrderQuery(), None, fakes.deps, late=True)
    assert [o.order_number for o in late.items] == [mine.order_number]
    assert mine.is_late(fakes.clock.now())
    assert not mine.is_late(fakes.clock.now() - timedelta(days=2))


async def test_order_again_is_a_new_pending_order_at_today_s_price(fakes: Fakes) -> None:
    first = await launched(fakes)
    fakes.design.base = 21_000  # the catalog's price rose since
    again = await handlers.clone_order(
        "acc_1", first.order_number, "clone-key", "req-clone", fakes.deps
    )
    retry = await handlers.clone_order(
        "acc_1", first.order_number, "clone-key", "req-clone", fakes.deps
    )
    clone = again.order
    assert again.created
    assert not retry.created
    assert retry.order.order_number == clone.order_number != first.order_number
    assert clone.status is OrderStatus.PENDING_PAYMENT
    assert (clone.design_id, clone.design_version, clone.sizes) == (
        first.design_id,
        first.design_version,
        first.sizes,
    )
    assert clone.shipping_address == first.shipping_address
    assert clone.costs.manufacturing > first.costs.manufacturing
    assert clone.costs.customization == 0
    with pytest.raises(OrderNotFound):
        await handlers.clone_order("acc_2", first.order_number, "k", "r", fakes.deps)


def test_the_estimate_counts_calendar_days_from_the_launch_day() -> None:
    started = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert production.estimated_ship_date(started, 28) == date(2026, 3, 29)
    assert production.days_in_production(started, datetime(2026, 3, 2, 0, 5, tzinfo=UTC)) == 1


async def test_a_late_order_is_flagged_and_published_once(fakes: Fakes) -> None:
    order = await launched(fakes, "a")
    finished = await launched(fakes, "b")
    await handlers.move_stage(finished.order_number, S.READY_TO_SHIP, None, "r", fakes.deps)
    assert await handlers.flag_late_orders(fakes.deps) == [], "not late yet"
    fakes.clock.current += timedelta(days=39)
    assert sorted(await handlers.flag_late_orders(fakes.deps)) == [
        order.order_number,
        finished.order_number,  # finished but not shipped: still late for the brand
    ]
    assert await handlers.flag_late_orders(fakes.deps) == [], "once, not daily"
    fakes.clock.current += timedelta(days=1)
    assert await handlers.flag_late_orders(fakes.deps) == []
    late = {e.payload.order_number: e for e in fakes.orders.published if isinstance(e, OrderLate)}
    assert sorted(late) == [order.order_number, finished.order_number]
    assert late[order.order_number].payload.production_stage is S.QUEUED
    assert late[order.order_number].payload.days_in_production == 39


async def test_the_job_ticket_is_a_pdf_with_the_order_s_codes_and_what_the_floor_makes(
    fakes: Fakes,
) -> None:
    order = await launched(fakes)
    pdf = await handlers.job_ticket(order.order_number, fakes.deps)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        f"Job ticket {order.order_number}",
        "Due (ready to ship)",
        order.estimated_ship_date.strftime("%d %b %Y") if order.estimated_ship_date else "?",
        "Size run",
        "Bill of materials",
        "Unlabeled",
    ):
        assert expected in text, expected
    with pytest.raises(OrderNotFound):
        await handlers.job_ticket("BF-009999", fakes.deps)


async def test_the_job_ticket_shows_the_shoe_drawn_or_says_it_could_not_be(
    fakes: Fakes,
) -> None:
    order = await launched(fakes)
    page = PdfReader(io.BytesIO(await handlers.job_ticket(order.order_number, fakes.deps))).pages[0]
    [picture] = page.images
    drawn = picture.image
    assert drawn is not None
    assert drawn.width == 1000
    middle = drawn.convert("RGB").getpixel((drawn.width // 2, drawn.height // 2))
    assert middle == (0x6B, 0x3E, 0x1F), "the design's brown shoe, rasterised"

    fakes.design.drawings_fail = True
    pdf = await handlers.job_ticket(order.order_number, fakes.deps)
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0
    assert "drawing could not be had" in pdf_text(pdf)
    assert "Bill of materials" in pdf_text(pdf), "the floor still gets its ticket"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_the_pool_filters_by_payment_status_and_stage(fakes: Fakes) -> None:
    paid = await launched(fakes, "a")
    unpaid = (await handlers.check_out(checkout(key="b"), fakes.deps)).order
    assert (paid.payment_status, unpaid.payment_status) == (
        PaymentStatus.PAID,
        PaymentStatus.UNPAID,
    )

    async def pool(**asked: object) -> list[str]:
        query = OrderQuery.of(OrderPoolQuery.model_validate(asked))
        page = await handlers.list_orders("acc_1", query, None, fakes.deps)
        return [o.order_number for o in page.items]

    assert await pool(payment_status="paid") == [paid.order_number]
    assert await pool(payment_status="unpaid") == [unpaid.order_number]
    assert await pool(payment_status="refunded") == []
    assert await pool(production_stage="queued") == [paid.order_number]
