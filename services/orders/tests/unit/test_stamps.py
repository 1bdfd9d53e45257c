"""Custom stamps: what artwork is accepted (by content), the lifecycle from artwork to
mold, and the paid orders that wait for approval or launch unlabeled after the hold."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest

from bespoke_contracts import (
    HoldReason,
    Labeling,
    OrderHoldExpiring,
    OrderStageChanged,
    ProductionStage,
    StampKind,
    StampStatus,
    StampStatusChanged,
)
from bespoke_contracts.vat import line_vat
from bespoke_orders.adapters.artwork import EPS, PDF, PNG, SVG, recognise_artwork, recognise_proof
from bespoke_orders.domain.errors import (
    ArtworkRefused,
    FileTooLarge,
    OrderStateConflict,
    StampExists,
    StampNotFound,
    StampStateConflict,
)
from bespoke_orders.domain.model import Order
from bespoke_orders.service_layer import handlers
from bespoke_orders.service_layer import stamps as use

from .fakes import Fakes
from .test_checkout import checkout, payment_cleared

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40" width="100" height="40">'
    b'<defs><path id="p" d="M0 0h10v10z"/></defs>'
    b'<rect width="100" height="40" fill="white"/>'
    b'<use href="#p" fill="#000"/>'
    b'<text x="10" y="30" font-size="20" style="fill: black">NORTE</text></svg>'
)
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
EPS_FILE = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 120 40\n%%EndComments\n"
    b"newpath 10 10 moveto 110 10 lineto stroke\nshowpage\n%%EOF\n"
)


def minimal_pdf() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.write(out)
    return out.getvalue()


def svg(body: str, root_attrs: str = "") -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink"{root_attrs}>{body}</svg>'
    ).encode()


def refusal(data: bytes) -> str:
    with pytest.raises(ArtworkRefused) as refused:
        recognise_artwork(io.BytesIO(data))
    assert all(c.pointer == "#/artwork" for c in refused.value.conflicts)
    return " | ".join(c.detail for c in refused.value.conflicts)


# -- artwork, by content ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [(LOGO, SVG), (minimal_pdf(), PDF), (EPS_FILE, EPS)],
    ids=["svg", "pdf", "eps"],
)
def test_vector_artwork_is_recognised_by_its_content(data: bytes, kind: str) -> None:
    found = recognise_artwork(io.BytesIO(data))
    assert found.content_type == kind
    assert found.warnings == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<rect width="1" height="1" onclick="x()"/>', "event-handler attribute (onclick)"),
        ('<a href="javascript:alert(1)"><text>x</text></a>', "javascript:"),
        ('<use xlink:href="https://evil.example/x.svg#a"/>', "outside the file"),
        ('<use href="other.svg#a"/>', "outside the file"),
        (
            '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>',
            "embeds an image",
        ),
        ("<foreignObject><p>hi</p></foreignObject>", "foreignObject"),
        ('<style>@import url("https://evil.example/a.css");</style>', "@import"),
        ('<rect style="fill: url(https://evil.example/p)" width="1" height="1"/>', "outside"),
    ],
    ids=["script", "handler", "javascript", "xlink", "href", "image", "foreign", "import", "css"],
)
def test_svg_that_could_run_or_fetch_anything_is_refused_saying_why(body: str, reason: str) -> None:
    assert reason in refusal(svg(body))


def test_an_onload_on_the_root_is_refused() -> None:
    assert "onload" in refusal(svg("<rect/>", ' onload="alert(1)"'))


def test_each_reason_is_reported() -> None:
    reasons = refusal(svg('<script/><rect onmouseover="x"/><foreignObject/>'))
    assert "<script>" in reasons
    assert "onmouseover" in reasons
    assert "foreignObject" in reasons


def test_entity_declarations_are_refused_before_any_expansion() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    )
    assert "DTD or entities" in refusal(bomb)


def test_a_png_is_refused_whatever_it_is_called() -> None:
    assert "raster image" in refusal(PNG_1PX)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"<html><body>hi</body></html>",
        b"%PDF-1.7 garbage",
        b"%!PS-Adobe-3.0\n",
    ],
    ids=["empty", "text", "html", "broken-pdf", "postscript-not-eps"],
)
def test_anything_else_is_refused(data: bytes) -> None:
    refusal(data)


def test_colours_and_gradients_are_warnings_not_refusals() -> None:
    found = recognise_artwork(
        io.BytesIO(
            svg(
                '<linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient>'
                '<rect fill="url(#g)" width="1" height="1"/><circle r="1" fill="red"/>'
            )
        )
    )
    assert found.content_type == SVG
    assert any("gradients" in w for w in found.warnings)
    assert any("colours other than black on white" in w for w in found.warnings)
    assert len(found.warnings) == 2


def test_proofs_may_be_png_and_are_held_to_the_svg_rules() -> None:
    assert recognise_proof(io.BytesIO(PNG_1PX)).content_type == PNG
    with pytest.raises(ArtworkRefused) as refused:
        recognise_proof(io.BytesIO(svg("<script/>")))
    assert refused.value.conflicts[0].pointer == "#/proof"


# -- the lifecycle ----------------------------------------------------------------------


def upload(data: bytes = LOGO, name: str = "logo.svg") -> use.Upload:
    return use.Upload(io.BytesIO(data), name)


async def new_stamp(fakes: Fakes, kind: StampKind = StampKind.INSOLE) -> str:
    stamp = await use.upload_stamp("acc_1", kind, upload(), "user:usr_1", "req-up", fakes.deps)
    return stamp.stamp_id


def stamp_events(fakes: Fakes) -> list[StampStatusChanged]:
    return [e for e in fakes.stamps.published if isinstance(e, StampStatusChanged)]


async def test_an_upload_stores_the_file_and_its_thumbnail_and_says_so() -> None:
    fakes = Fakes()
    stamp_id = await new_stamp(fakes)
    stamp = await use.get_stamp("acc_1", stamp_id, fakes.deps)
    assert stamp.status is StampStatus.ARTWORK_RECEIVED
    assert stamp.artwork.content_type == SVG
    assert stamp.artwork.size == len(LOGO)
    assert fakes.files.files[stamp.artwork.file_id][2] == LOGO
    assert stamp.artwork.thumbnail_id is not None
    thumbnail = fakes.files.files[stamp.artwork.thumbnail_id][2]
    assert thumbnail.startswith(b"\x89PNG")
    [event] = stamp_events(fakes)
    assert (event.payload.from_status, event.payload.to_status) == (
        None,
        StampStatus.ARTWORK_RECEIVED,
    )
    assert event.actor == "user:usr_1"


async def test_refused_and_oversized_files_store_nothing() -> None:
    fakes = Fakes()
    with pytest.raises(ArtworkRefused):
        await use.upload_stamp(
            "acc_1", StampKind.INSOLE, upload(PNG_1PX, "logo.svg"), None, "r", fakes.deps
        )
    big = upload(b"<svg " + b" " * (10 * 1024 * 1024) + b"/>")
    with pytest.raises(FileTooLarge):
        await use.upload_stamp("acc_1", StampKind.INSOLE, big, None, "r", fakes.deps)
    assert fakes.files.files == {}
    assert fakes.stamps.by_id == {}


async def test_one_stamp_per_kind() -> None:
    fakes = Fakes()
    first = await new_stamp(fakes)
    with pytest.raises(StampExists) as exists:
        await new_stamp(fakes)
    assert exists.value.stamp_id == first
    await new_stamp(fakes, StampKind.SOLE)  # another kind is another stamp
    assert len(fakes.stamps.by_id) == 2


async def test_the_whole_lifecycle_is_recorded_with_who_moved_it() -> None:
    fakes = Fakes()
    stamp_id = await new_stamp(fakes)
    proof = upload(minimal_pdf(), "proof.pdf")
    await use.send_proof(
        stamp_id, proof, "25 mm wide, heel side", "operator:op_1", "r1", fakes.deps
    )
    await use.request_changes("acc_1", stamp_id, "Bigger, please", "user:usr_1", "r2", fakes.deps)
    changed = await use.get_stamp("acc_1", stamp_id, fakes.deps)
    assert changed.comment == "Bigger, please"
    await use.replace_artwork(
        "acc_1", stamp_id, upload(EPS_FILE, "v2.eps"), "user:usr_1", "r3", fakes.deps
    )
    again = await use.get_stamp("acc_1", stamp_id, fakes.deps)
    assert (again.status, again.artwork.content_type, again.proof, again.comment) == (
        StampStatus.ARTWORK_RECEIVED,
        EPS,
        None,
        None,
    )
    await use.send_proof(
        stamp_id, upload(PNG_1PX, "p2.png"), None, "operator:op_1", "r4", fakes.deps
    )
    await use.approve("acc_1", stamp_id, "user:usr_1", "r5", fakes.deps)
    await use.advance(stamp_id, "in_production", "operator:op_1", "r6", fakes.deps)
    done = await use.advance(stamp_id, "ready", "operator:op_1", "r7", fakes.deps)
    assert [(h.status, h.actor) for h in done.history] == [
        (StampStatus.ARTWORK_RECEIVED, "user:usr_1"),
        (StampStatus.PROOF_SENT, "operator:op_1"),
        (StampStatus.CHANGES_REQUESTED, "user:usr_1"),
        (StampStatus.ARTWORK_RECEIVED, "user:usr_1"),
        (StampStatus.PROOF_SENT, "operator:op_1"),
        (StampStatus.APPROVED, "user:usr_1"),
        (StampStatus.IN_PRODUCTION, "operator:op_1"),
        (StampStatus.READY, "operator:op_1"),
    ]
    assert [e.payload.to_status for e in stamp_events(fakes)] == [h.status for h in done.history]
    assert len(done.replaced_files) >= 3  # first artwork, its thumbnail, the first proof


async def test_moves_out_of_turn_are_conflicts_and_store_nothing() -> None:
    fakes = Fakes()
    stamp_id = await new_stamp(fakes)
    with pytest.raises(StampStateConflict, match="only a proof"):
        await use.approve("acc_1", stamp_id, None, "r", fakes.deps)
    with pytest.raises(StampStateConflict):
        await use.request_changes("acc_1", stamp_id, "x", None, "r", fakes.deps)
    with pytest.raises(StampStateConflict):
        await use.advance(stamp_id, "in_production", None, "r", fakes.deps)
    await use.send_proof(stamp_id, upload(PNG_1PX, "p.png"), None, None, "r", fakes.deps)
    files = len(fakes.files.files)
    with pytest.raises(StampStateConflict, match="waiting for your answer"):
        await use.replace_artwork("acc_1", stamp_id, upload(), None, "r", fakes.deps)
    assert len(fakes.files.files) == files
    await use.approve("acc_1", stamp_id, None, "r", fakes.deps)
    with pytest.raises(StampStateConflict, match="final"):
        await use.replace_artwork("acc_1", stamp_id, upload(), None, "r", fakes.deps)
    with pytest.raises(StampStateConflict):
        await use.send_proof(stamp_id, upload(PNG_1PX, "p.png"), None, None, "r", fakes.deps)
    assert len(fakes.files.files) == files
    # Approving again, or the status it has, changes nothing.
    events = len(stamp_events(fakes))
    await use.approve("acc_1", stamp_id, None, "r", fakes.deps)
    assert len(stamp_events(fakes)) == events


async def test_another_brand_cannot_see_or_answer_a_stamp() -> None:
    fakes = Fakes()
    stamp_id = await new_stamp(fakes)
    with pytest.raises(StampNotFound):
        await use.get_stamp("acc_2", stamp_id, fakes.deps)
    with pytest.raises(StampNotFound):
        await use.approve("acc_2", stamp_id, None, "r", fakes.deps)


def test_a_download_name_carries_no_path_or_quotes() -> None:
    assert use._safe_name('../../etc/pass"wd;.svg') == "passwd.svg"
    assert use._safe_name("C:\\logos\\brand.svg") == "brand.svg"
    assert use._safe_name("") == "artwork"


# -- orders that wait for stamps --------------------------------------------------------


async def paid_custom(fakes: Fakes, key: str = "a") -> Order:
    order = (
        await handlers.check_out(checkout(key=key, labeling=Labeling.CUSTOM_STAMPS), fakes.deps)
    ).order
    await handlers.on_payment_cleared(payment_cleared([order]), fakes.deps)
    return fakes.orders.by_number[order.order_number]


def stages(fakes: Fakes) -> list[OrderStageChanged]:
    return [e for e in fakes.orders.published if isinstance(e, OrderStageChanged)]


async def test_a_paid_custom_stamps_order_waits_on_hold_until_approval_then_queues() -> None:
    fakes = Fakes()
    order = await paid_custom(fakes)
    assert (order.production_stage, order.hold_reason) == (
        ProductionStage.ON_HOLD,
        HoldReason.AWAITING_STAMPS,
    )
    with pytest.raises(OrderStateConflict, match="stamps"):
        await handlers.move_stage(
            order.order_number, ProductionStage.CUTTING, None, "r", fakes.deps
        )
    stamp_id = await new_stamp(fakes)
    await use.send_proof(stamp_id, upload(PNG_1PX, "p.png"), None, None, "r", fakes.deps)
    assert fakes.orders.by_number[order.order_number].awaits_stamps
    await use.approve("acc_1", stamp_id, "user:usr_1", "req-ok", fakes.deps)
    released = fakes.orders.by_number[order.order_number]
    assert (released.production_stage, released.hold_reason) == (ProductionStage.QUEUED, None)
    assert released.labeling is Labeling.CUSTOM_STAMPS
    last = stages(fakes)[-1].payload
    assert (last.from_stage, last.to_stage, last.released_hold, last.unlabeled) == (
        ProductionStage.ON_HOLD,
        ProductionStage.QUEUED,
        HoldReason.AWAITING_STAMPS,
        False,
    )
    assert "stamps are approved" in (released.history[-1].note or "")


async def test_orders_wait_for_every_kind_the_brand_is_developing() -> None:
    fakes = Fakes()
    insole, sole = await new_stamp(fakes), await new_stamp(fakes, StampKind.SOLE)
    for stamp_id in (insole, sole):
        await use.send_proof(stamp_id, upload(PNG_1PX, "p.png"), None, None, "r", fakes.deps)
    await use.approve("acc_1", insole, None, "r", fakes.deps)
    order = await paid_custom(fakes)
    assert order.awaits_stamps  # the sole's stamp is not approved yet
    await use.approve("acc_1", sole, None, "r", fakes.deps)
    assert fakes.orders.by_number[order.order_number].production_stage is ProductionStage.QUEUED


async def test_an_order_paid_after_approval_is_queued_at_once_and_unlabeled_never_waits() -> None:
    fakes = Fakes()
    stamp_id = await new_stamp(fakes)
    await use.send_proof(stamp_id, upload(PNG_1PX, "p.png"), None, None, "r", fakes.deps)
    await use.approve("acc_1", stamp_id, None, "r", fakes.deps)
    assert (await paid_custom(fakes)).production_stage is ProductionStage.QUEUED
    other = Fakes()
    order = (await handlers.check_out(checkout(key="u"), other.deps)).order
    await handlers.on_payment_cleared(payment_cleared([order]), other.deps)
    assert other.orders.by_number[order.order_number].production_stage is ProductionStage.QUEUED


async def test_the_hold_reminds_once_then_launches_unlabeled_after_ten_days() -> None:
    fakes = Fakes()
    order = await paid_custom(fakes)
    paid_at = order.wip_started_at
    assert paid_at is not None

    async def sweep_at(delta: timedelta) -> use.HoldSweep:
        fakes.clock.current = paid_at + delta
        return await use.sweep_stamp_holds(fakes.deps)

    assert await sweep_at(timedelta(days=6, hours=23)) == use.HoldSweep()
    assert (await sweep_at(timedelta(days=7, minutes=1))).reminded == [order.order_number]
    assert await sweep_at(timedelta(days=8)) == use.HoldSweep()  # reminded once
    [reminder] = [e for e in fakes.orders.published if isinstance(e, OrderHoldExpiring)]
    assert reminder.payload.release_at == paid_at + timedelta(days=10)
    assert reminder.payload.contact_email == "ops@norte.example"
    assert (await sweep_at(timedelta(days=10, minutes=1))).unlabeled == [order.order_number]
    released = fakes.orders.by_number[order.order_number]
    assert (released.production_stage, released.labeling) == (
        ProductionStage.QUEUED,
        Labeling.UNLABELED,
    )
    assert "not approved in time" in (released.history[-1].note or "")
    launch = stages(fakes)[-1].payload
    assert launch.unlabeled is True
    # The stamp development it paid for goes back (payments refunds it, with VAT).
    assert launch.stamps_credit == released.costs.customization == 15_000
    credit = 15_000 + line_vat(15_000, released.costs.vat_rate_bp)
    assert released.amount_paid == released.costs.total - credit
    assert await sweep_at(timedelta(days=11)) == use.HoldSweep()


async def test_the_sweep_releases_an_order_whose_stamps_were_approved_meanwhile() -> None:
    fakes = Fakes()
    stamp_id = await new_stamp(fakes)
    await use.send_proof(stamp_id, upload(PNG_1PX, "p.png"), None, None, "r", fakes.deps)
    order = await paid_custom(fakes)
    # Approved by a write that did not release it (as if racing the payment).
    stamp = fakes.stamps.by_id[stamp_id]
    stamp.approve(None, fakes.clock.now(), "r", None)
    assert (await use.sweep_stamp_holds(fakes.deps)).released == [order.order_number]


async def test_the_hold_period_is_a_setting() -> None:
    from bespoke_orders.settings import OrdersSettings

    policy = OrdersSettings(stamp_hold_days=0.5, stamp_reminder_days=0.25).stamp_hold
    assert (policy.hold, policy.reminder_before) == (timedelta(hours=12), timedelta(hours=6))


async def test_only_the_order_that_paid_for_stamps_credits_them() -> None:
    fakes = Fakes()
    first = await paid_custom(fakes, "a")
    second = await paid_custom(fakes, "b")  # the brand's choice stands: no second cost
    assert second.costs.customization == 0
    assert first.wip_started_at is not None
    fakes.clock.current = first.wip_started_at + timedelta(days=11)
    swept = await use.sweep_stamp_holds(fakes.deps)
    assert swept.unlabeled == [first.order_number, second.order_number]
    credits = {e.payload.order_number: e.payload.stamps_credit for e in stages(fakes)[-2:]}
    assert credits == {first.order_number: 15_000, second.order_number: 0}
