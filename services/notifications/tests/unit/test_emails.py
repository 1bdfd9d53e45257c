"""What each email says, in text and HTML, written from the real templates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from bespoke_contracts import (
    Carrier,
    HoldReason,
    OrderHoldExpiring,
    OrderHoldExpiringPayload,
    OrderLate,
    OrderLatePayload,
    OrderStageChanged,
    OrderStageChangedPayload,
    OrderSubmitted,
    PaymentCleared,
    PaymentClearedPayload,
    PaymentRefunded,
    PaymentRefundedPayload,
    ProductionStage,
    RefundReason,
    RefundStatus,
    ShipmentGrouped,
    ShipmentGroupedPayload,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentStatusChangedPayload,
    ShipmentUngrouped,
    ShipmentUngroupedPayload,
    StampKind,
    StampStatus,
    StampStatusChanged,
    StampStatusChangedPayload,
    Tracking,
    examples,
)
from bespoke_contracts.api.notifications import AccountEmailKind, AccountEmailRequest
from bespoke_notifications.adapters.mime import write
from bespoke_notifications.adapters.templates import TemplateWriter
from bespoke_notifications.domain import emails
from bespoke_notifications.domain.emails import Email
from bespoke_notifications.service_layer import handlers

from .fakes import Fakes

WRITER = TemplateWriter("https://backoffice.example/")
AT = datetime(2026, 11, 22, 12, tzinfo=UTC)


def sent(email: Email) -> EmailMessage:
    """The email as SMTP carries it, read back by the standard library's parser."""
    data = write(email, "Bespoke <orders@bespokefactory.local>").data
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_order_email_carries_the_full_specifications(order_submitted: OrderSubmitted) -> None:
    email = WRITER.write(emails.order_received(order_submitted))
    assert email.to == "ops@norte.example"
    assert email.subject == "Order BF-000042 received - pending payment"
    text = email.text
    for expected in (
        "Pending Payment",
        "MINI-BULK",
        "Office oxford - des_1 (version 1)",
        "Construction:   Goodyear welted",
        "Shoe last:      LC-101",
        "Sole unit:      Leather single",
        "Custom stamps",
        "Pairs:          6",
        "Upper: Box calf (Black)",
        "Upper: Box calf (Black), 3.2 sq ft",
        "Nave 3",
        "VAT: ESB12345678",
        "+34 600 000 000",
        "Subtotal (net): EUR 1,215.00",
        "VAT 21 %:       EUR 255.15",
        "Spanish VAT (IVA) 21 %",
        "Total:          EUR 1,470.15",
        "6 x EUR 200.00",
        "https://backoffice.example/api/v1/orders/BF-000042/payment",
        "Group Shipping",
    ):
        assert expected in text, expected
    assert text.index("EU    40") < text.index("EU  42.5") < text.index("EU    44")
    assert "1 pair\n" in text
    assert "3 pairs" in text
    html = email.html
    assert html.startswith("<!doctype html>")
    assert "Norte &lt;SL&gt;" in html, "names are escaped in HTML"
    assert "Norte <SL>" in text
    assert 'href="https://backoffice.example/api/v1/orders/BF-000042/payment"' in html
    assert "EUR 1,470.15" in html
    assert "VAT 21 %" in html


def payment(numbers: list[str], target: str) -> PaymentCleared:
    return PaymentCleared(
        account_id="acc_1",
        correlation_id="c",
        payload=PaymentClearedPayload(
            invoice_id=f"inv_{target}",
            target=target,
            order_numbers=numbers,
            amount=123_456,
            currency="EUR",
            payment_intent_id="pi_1",
            paid_at=AT,
            contact_email="ops@norte.example",
        ),
    )


def test_a_group_payment_writes_one_email_per_order() -> None:
    notes = emails.payment_received(payment(["BF-000001", "BF-000002"], "SG-ABC"))
    assert [n.subject for n in notes] == [
        "Order BF-000001 payment received - now Work In Process",
        "Order BF-000002 payment received - now Work In Process",
    ]
    assert len({n.dedup_key for n in notes}) == 2
    text = WRITER.write(notes[1]).text
    assert "EUR 1,234.56" in text
    assert "shipping group SG-ABC" in text
    assert "covers orders BF-000001, BF-000002" in text
    assert "https://backoffice.example/app/orders/BF-000002" in text, "where the invoice is"
    assert "invoice" in text.lower()


def test_the_group_email_shows_the_saving_and_how_to_pay() -> None:
    event = ShipmentGrouped(
        account_id="acc_1",
        correlation_id="c",
        payload=ShipmentGroupedPayload(
            group_id="SG-ABC",
            order_numbers=["BF-000001", "BF-000002"],
            pairs=5,
            shipping_cost=2_700,
            individual_shipping_cost=4_200,
            saving=1_500,
            allocations={"BF-000001": 1_080, "BF-000002": 1_620},
            currency="EUR",
            contact_email="ops@norte.example",
            grouped_at=AT,
        ),
    )
    email = WRITER.write(emails.group_formed(event))
    assert "saving EUR 15.00" in email.subject
    for expected in (
        "Shipping together:   EUR 27.00",
        "Shipping one by one: EUR 42.00",
        "You save:            EUR 15.00",
        "BF-000002: EUR 16.20",
        "https://backoffice.example/api/v1/shipping-groups/SG-ABC/payment",
    ):
        assert expected in email.text, expected
    assert "Pay group SG-ABC" in email.html


def test_dissolution_and_shipment_stages_are_told() -> None:
    dissolved = ShipmentUngrouped(
        account_id="acc_1",
        correlation_id="c",
        payload=ShipmentUngroupedPayload(
            group_id="SG-ABC",
            order_numbers=["BF-000001", "BF-000002"],
            dissolved_at=AT,
            reason="order BF-000001 was cancelled",
            contact_email="ops@norte.example",
        ),
    )
    assert "order BF-000001 was cancelled" in WRITER.write(emails.group_dissolved(dissolved)).text  # type: ignore[arg-type]
    assert (
        emails.group_dissolved(
            dissolved.model_copy(
                update={"payload": dissolved.payload.model_copy(update={"contact_email": None})}
            )
        )
        is None
    )

    shipped = ShipmentStatusChanged(
        account_id="acc_1",
        correlation_id="c",
        payload=ShipmentStatusChangedPayload(
            shipment_id="shp_SG-ABC",
            group_id="SG-ABC",
            order_numbers=["BF-000001", "BF-000002"],
            pairs=5,
            destination=examples.ADDRESS,
            from_status=ShipmentStatus.READY_TO_SHIP,
            to_status=ShipmentStatus.SHIPPED,
            tracking_number="1Z999AA1",
            carrier="ups",
            tracking=Tracking.of(Carrier.UPS, "1Z999AA1"),
            changed_at=AT,
            contact_email="ops@norte.example",
        ),
    )
    notification = emails.shipment_update(shipped)
    assert notification is not None
    email = WRITER.write(notification)
    assert email.subject == "Shipment of BF-000001, BF-000002: shipped"
    assert "on its way with UPS: tracking number 1Z999AA1" in email.text
    assert "Track it: https://www.ups.com/track?tracknum=1Z999AA1" in email.text
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA1"' in email.html
    for quiet in (ShipmentStatus.AWAITING_PRODUCTION, ShipmentStatus.READY_TO_SHIP):
        update = shipped.payload.model_copy(update={"to_status": quiet})
        assert emails.shipment_update(shipped.model_copy(update={"payload": update})) is None


def stage_changed(to: ProductionStage, rework: bool = False) -> OrderStageChanged:
    return OrderStageChanged(
        account_id="acc_1",
        correlation_id="c",
        payload=OrderStageChangedPayload(
            order_number="BF-000007",
            from_stage=ProductionStage.QUEUED,
            to_stage=to,
            rework=rework,
            cause="event:e",
            changed_at=AT,
            estimated_ship_date=date(2026, 12, 20),
            contact_email="ops@norte.example",
        ),
    )


def test_a_brand_hears_when_the_floor_receives_an_order_and_of_no_other_stage() -> None:
    notification = emails.floor_received(stage_changed(ProductionStage.RECEIVED))
    assert notification is not None
    email = WRITER.write(notification)
    assert email.subject == "Order BF-000007 is on the factory floor"
    assert "ready to ship by 20 December 2026" in email.text
    assert "https://backoffice.example/app/orders/BF-000007" in email.text
    quiet = [s for s in ProductionStage if s is not ProductionStage.RECEIVED]
    assert all(emails.floor_received(stage_changed(s)) is None for s in quiet)
    assert emails.floor_received(stage_changed(ProductionStage.RECEIVED, rework=True)) is None


def _account_request(kind: AccountEmailKind) -> AccountEmailRequest:
    return AccountEmailRequest(
        kind=kind,
        to="bea@norte.example",
        name="Bea <B>",
        brand="Norte",
        invited_by="Ana (ana@norte.example)" if kind is AccountEmailKind.INVITATION else None,
        role="designer" if kind is AccountEmailKind.INVITATION else None,
        secret="bsl_" + "s" * 43,
        expires_at=AT,
    )


def test_an_invitation_carries_its_link_in_the_fragment() -> None:
    request = _account_request(AccountEmailKind.INVITATION)
    email = WRITER.write(emails.account_email("lnk_" + "a" * 24, request))
    assert email.dedup_key == "link:lnk_" + "a" * 24
    assert email.subject == "You are invited to Norte's Bespoke backoffice"
    link = "https://backoffice.example/app/password#token=bsl_" + "s" * 43
    for expected in (
        link,
        "Ana (ana@norte.example) invites you",
        "as designer",
        "2026-11-22 12:00 UTC",
    ):
        assert expected in email.text, expected
    assert f'href="{link}"' in email.html
    assert "Bea &lt;B&gt;" in email.html
    assert email.sensitive


def test_a_password_reset_says_what_setting_it_does() -> None:
    request = _account_request(AccountEmailKind.PASSWORD_RESET)
    email = WRITER.write(emails.account_email("lnk_" + "b" * 24, request))
    assert email.subject == "Reset your Bespoke backoffice password"
    assert "signs out every browser signed in as you" in email.text
    assert "#token=bsl_" in email.text
    assert email.sensitive


def test_a_late_order_is_told_where_it_is_and_since_when() -> None:
    late = OrderLate(
        account_id="acc_1",
        correlation_id="late:BF-000007",
        payload=OrderLatePayload(
            order_number="BF-000007",
            estimated_ship_date=date(2026, 12, 20),
            production_stage=ProductionStage.QUALITY_CHECK,
            days_in_production=41,
            flagged_at=AT,
            contact_email="ops@norte.example",
        ),
    )
    email = WRITER.write(emails.running_late(late))
    assert email.subject == "Order BF-000007 is running late"
    assert "ready to ship by 20 December 2026" in email.text
    assert "at quality check, 41 days into production" in email.text


def test_a_refund_is_told_once_with_the_fee_kept() -> None:
    def refunded(previous: RefundStatus | None, reason: RefundReason, fee: int) -> PaymentRefunded:
        return PaymentRefunded(
            account_id="acc_1",
            correlation_id="rf",
            payload=PaymentRefundedPayload(
                refund_id="rf_inv_BF-000007_BF-000007",
                invoice_id="inv_BF-000007",
                target="BF-000007",
                order_number="BF-000007",
                amount=123_450,
                fee=fee,
                currency="EUR",
                reason=reason,
                status=RefundStatus.SUCCEEDED,
                previous_status=previous,
                stripe_refund_id="re_1",
                payment_intent_id="pi_1",
                refunded_at=AT,
                contact_email="ops@norte.example",
            ),
        )

    cancelled = emails.refund_issued(refunded(None, RefundReason.CANCELLED, 6_050))
    assert cancelled is not None
    email = WRITER.write(cancelled)
    assert email.subject == "Refund of EUR 1,234.50 for order BF-000007"
    assert "You cancelled the order." in email.text
    assert "EUR 60.50 (VAT included), is kept" in " ".join(email.text.split())
    late = emails.refund_issued(refunded(None, RefundReason.PAID_AFTER_CANCELLATION, 0))
    assert late is not None
    assert "all of it goes back" in WRITER.write(late).text
    assert "cancellation fee" not in WRITER.write(late).text
    assert emails.refund_issued(refunded(RefundStatus.PENDING, RefundReason.CANCELLED, 0)) is None


def held(to: ProductionStage, **changes: object) -> OrderStageChanged:
    event = stage_changed(to)
    return event.model_copy(update={"payload": event.payload.model_copy(update=changes)})


def test_an_order_waiting_for_stamps_says_what_to_do_then_how_it_launched() -> None:
    waiting = emails.floor_received(
        held(ProductionStage.ON_HOLD, hold_reason=HoldReason.AWAITING_STAMPS)
    )
    assert waiting is not None
    email = WRITER.write(waiting)
    assert email.subject == "Order BF-000007 waits for your stamps"
    assert "https://backoffice.example/app/stamps" in email.text
    assert "approve the proof" in email.text

    released = emails.floor_received(
        held(ProductionStage.QUEUED, released_hold=HoldReason.AWAITING_STAMPS)
    )
    assert released is not None
    assert WRITER.write(released).subject == "Order BF-000007 is in production"
    unlabeled = emails.floor_received(
        held(ProductionStage.QUEUED, released_hold=HoldReason.AWAITING_STAMPS, unlabeled=True)
    )
    assert unlabeled is not None
    assert "without your marks" in WRITER.write(unlabeled).text
    # Waiting for the balance, and a stage move of no hold, are not these emails.
    assert (
        emails.floor_received(
            held(ProductionStage.ON_HOLD, hold_reason=HoldReason.AWAITING_BALANCE)
        )
        is None
    )
    assert emails.floor_received(held(ProductionStage.CUTTING)) is None


def test_the_reminder_names_the_day_it_launches_unlabeled() -> None:
    reminder = OrderHoldExpiring(
        account_id="acc_1",
        correlation_id="hold:BF-000007",
        payload=OrderHoldExpiringPayload(
            order_number="BF-000007",
            hold_reason=HoldReason.AWAITING_STAMPS,
            release_at=datetime(2026, 12, 11, 9, tzinfo=UTC),
            contact_email="ops@norte.example",
        ),
    )
    email = WRITER.write(emails.hold_expiring(reminder))
    assert email.subject == "Order BF-000007 launches unlabeled on 11 December 2026"
    assert "by 11 December 2026" in email.text


def stamp_moved(to: StampStatus, email: str | None = "ops@norte.example") -> StampStatusChanged:
    return StampStatusChanged(
        account_id="acc_1",
        correlation_id="r",
        actor="operator:op_1",
        payload=StampStatusChangedPayload(
            stamp_id="stp_1",
            kind=StampKind.SOLE,
            from_status=None,
            to_status=to,
            comment="30 mm wide" if to is StampStatus.PROOF_SENT else None,
            changed_at=AT,
            contact_email=email,
        ),
    )


def test_the_brand_hears_of_the_factory_s_moves_of_its_stamps_only() -> None:
    proof = emails.stamp_update(stamp_moved(StampStatus.PROOF_SENT))
    assert proof is not None
    email = WRITER.write(proof)
    assert email.subject == "Your sole stamp's proof is ready for your approval"
    assert "The factory's note: 30 mm wide" in email.text
    assert "https://backoffice.example/app/stamps#stp_1" in email.text
    for news, subject in (
        (StampStatus.IN_PRODUCTION, "is being made"),
        (StampStatus.READY, "is ready"),
    ):
        moved = emails.stamp_update(stamp_moved(news))
        assert moved is not None
        assert subject in moved.subject
    brands_own = (StampStatus.ARTWORK_RECEIVED, StampStatus.APPROVED, StampStatus.CHANGES_REQUESTED)
    assert all(emails.stamp_update(stamp_moved(s)) is None for s in brands_own)
    assert emails.stamp_update(stamp_moved(StampStatus.PROOF_SENT, email=None)) is None


async def test_the_order_email_shows_the_shoe_drawn_inline(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    assert await handlers.on_order_submitted(order_submitted, fakes.deps) == 1
    order = order_submitted.payload
    assert fakes.drawings.asked == [
        (order_submitted.account_id, order.design_id, order.design_version)
    ]
    [delivery] = fakes.log.log.values()
    [image] = delivery.email.images
    assert image.png == fakes.drawings.png_bytes
    assert f'src="cid:{image.cid}"' in delivery.email.html

    message = sent(delivery.email)
    text, related = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, picture = related.iter_parts()
    assert f"cid:{image.cid}" in html.get_content()
    assert picture.get_content_type() == "image/png"
    assert picture["Content-ID"] == f"<{image.cid}>"
    assert picture.get_content_disposition() == "inline"
    assert picture.get_content() == fakes.drawings.png_bytes


async def test_the_order_email_goes_without_the_drawing_when_design_cannot_give_it(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    fakes.drawings.down = True
    assert await handlers.on_order_submitted(order_submitted, fakes.deps) == 1
    [delivery] = fakes.log.log.values()
    assert delivery.email.images == ()
    assert "cid:" not in delivery.email.html
    assert "Order specifications" in delivery.email.html
    message = sent(delivery.email)
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
