"""What each email says and to whom. Pure: builds notifications from events; the
templates (text and HTML, Jinja2) turn them into the words, an adapter sends them.

Every notification has a ``dedup_key``: the event, the kind of email, the order it is
about when one event makes several, and the recipient. It is sent at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bespoke_contracts import (
    Address,
    HoldReason,
    OrderHoldExpiring,
    OrderLate,
    OrderStageChanged,
    OrderSubmitted,
    PaymentCleared,
    PaymentRefunded,
    ProductionStage,
    RefundReason,
    ShipmentGrouped,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentUngrouped,
    StampStatus,
    StampStatusChanged,
)
from bespoke_contracts.api.notifications import AccountEmailKind, AccountEmailRequest
from bespoke_contracts.formatting import money, percent, words

_ORDER_TYPES = {"mto": "MTO (single)", "mini_bulk": "MINI-BULK", "bulk": "BULK"}
_LABELING = {
    "unlabeled": "Unlabeled (no brand marks)",
    "custom_stamps": "Custom stamps (your logo engraved)",
}
_CARRIERS = {"ups": "UPS", "dhl": "DHL"}


@dataclass(frozen=True)
class InlineImage:
    """A picture carried in the email itself, shown by its HTML as ``cid:<cid>`` (mail
    clients show no SVG and, by default, load no remote image)."""

    cid: str
    png: bytes = field(repr=False)


DRAWING_CID = "design-drawing@bespokefactory.local"
"""The content id of the design's drawing in an order email."""


@dataclass(frozen=True)
class Notification:
    """One email to write: which template, with what, to whom."""

    dedup_key: str
    to: str
    subject: str
    template: str
    context: dict[str, Any] = field(hash=False)
    sensitive: bool = False
    """It carries a secret (a password link): its words are erased from the send log once
    it has gone (or will not go)."""
    images: tuple[InlineImage, ...] = ()


@dataclass(frozen=True)
class Email:
    """One email written, ready to send."""

    dedup_key: str
    to: str
    subject: str
    text: str
    html: str
    sensitive: bool = False
    images: tuple[InlineImage, ...] = ()


def address_lines(address: Address) -> list[str]:
    lines = [address.name, address.line1]
    if address.line2:
        lines.append(address.line2)
    region = f" {address.state}" if address.state else ""
    lines.append(f"{address.postal_code} {address.city}{region}")
    lines.append(address.country)
    if address.phone:
        lines.append(f"Phone: {address.phone}")
    return lines


def _key(event_id: object, kind: str, to: str, about: str | None = None) -> str:
    return ":".join([str(event_id), kind, *([about] if about else []), to.lower()])


def order_received(event: OrderSubmitted, drawing: bytes | None = None) -> Notification:
    """Right after checkout: the full order specifications and how to pay, and the shoe
    as ``drawing`` (a PNG of the design version) when there is one."""
    order = event.payload
    spec, costs = order.specification, order.costs
    to = str(order.billing.email)
    return Notification(
        dedup_key=_key(event.event_id, "order-received", to),
        to=to,
        subject=f"Order {order.order_number} received - pending payment",
        template="order_received",
        context={
            "greeting": order.billing.name,
            "order_number": order.order_number,
            "order_type": _ORDER_TYPES.get(order.order_type.value, order.order_type.value),
            "design_name": spec.design_name,
            "design": f"{order.design_id} (version {order.design_version})",
            "bom_hash": order.bom_hash,
            "labeling": _LABELING.get(order.labeling.value, order.labeling.value),
            "pairs": order.pairs,
            "style": words(spec.style),
            "construction": words(spec.construction),
            "last": spec.last,
            "sole_unit": words(spec.sole_unit),
            "materials": [
                {"part": words(part), "material": words(c.material), "colour": words(c.colour)}
                for part, c in spec.materials.items()
            ],
            "elements": [
                {"element": words(e.element), "option": words(e.option), "text": e.text}
                for e in spec.elements
            ],
            "bill_of_materials": [
                {
                    "component": line.component,
                    "material": line.material,
                    "colour": words(line.colour) if line.colour else None,
                    "quantity": f"{line.quantity:g} {line.unit}",
                }
                for line in spec.bill_of_materials
            ],
            "sizes": [
                {"size": size, "pairs": pairs}
                for size, pairs in sorted(order.sizes.items(), key=lambda item: float(item[0]))
            ],
            "ship_to": address_lines(order.shipping_address),
            "bill_to": address_lines(order.billing.address),
            "vat_id": order.billing.vat_id,
            "per_pair": money(costs.per_pair, costs.currency),
            "manufacturing": money(costs.manufacturing, costs.currency),
            "shipping": money(costs.shipping, costs.currency),
            "customization": money(costs.customization, costs.currency),
            "subtotal": money(costs.subtotal, costs.currency),
            "vat_rate": percent(costs.vat_rate_bp),
            "vat": money(costs.vat, costs.currency),
            "vat_note": costs.vat_note,
            "total": money(costs.total, costs.currency),
            "pay_path": f"/api/v1/orders/{order.order_number}/payment",
            "drawing_cid": DRAWING_CID if drawing else None,
        },
        images=(InlineImage(DRAWING_CID, drawing),) if drawing else (),
    )


def payment_received(event: PaymentCleared) -> list[Notification]:
    """Paid: one email per order the payment covers, each now Work In Process."""
    paid = event.payload
    to = paid.contact_email
    grouped = len(paid.order_numbers) > 1
    return [
        Notification(
            dedup_key=_key(event.event_id, "payment-received", to, number),
            to=to,
            subject=f"Order {number} payment received - now Work In Process",
            template="payment_received",
            context={
                "order_number": number,
                "amount": money(paid.amount, paid.currency),
                "invoice_id": paid.invoice_id,
                "paid_for": paid.target,
                "grouped": grouped,
                "order_numbers": list(paid.order_numbers),
                "paid_at": paid.paid_at.strftime("%Y-%m-%d %H:%M UTC"),
                "order_path": f"/app/orders/{number}",
                "payment_reference": paid.payment_intent_id,
            },
        )
        for number in paid.order_numbers
    ]


def group_formed(event: ShipmentGrouped) -> Notification:
    """Orders grouped for one shipment: the group, its saving and how to pay it."""
    group = event.payload
    to = group.contact_email
    return Notification(
        dedup_key=_key(event.event_id, "group-formed", to),
        to=to,
        subject=f"Shipping group {group.group_id}: {len(group.order_numbers)} orders ship "
        f"together, saving {money(group.saving, group.currency)}",
        template="group_formed",
        context={
            "group_id": group.group_id,
            "orders": [
                {"order_number": n, "share": money(group.allocations.get(n, 0), group.currency)}
                for n in group.order_numbers
            ],
            "pairs": group.pairs,
            "shipping_cost": money(group.shipping_cost, group.currency),
            "individual_shipping_cost": money(group.individual_shipping_cost, group.currency),
            "saving": money(group.saving, group.currency),
            "pay_path": f"/api/v1/shipping-groups/{group.group_id}/payment",
        },
    )


def group_dissolved(event: ShipmentUngrouped) -> Notification | None:
    """A group taken apart before payment: each order is paid on its own again."""
    group = event.payload
    if not group.contact_email:
        return None
    to = group.contact_email
    return Notification(
        dedup_key=_key(event.event_id, "group-dissolved", to),
        to=to,
        subject=f"Shipping group {group.group_id} dissolved",
        template="group_dissolved",
        context={
            "group_id": group.group_id,
            "order_numbers": list(group.order_numbers),
            "reason": group.reason,
        },
    )


def floor_received(event: OrderStageChanged) -> Notification | None:
    """The floor took an order in (`received`): production has begun. The one stage
    of the floor brands hear about; every other shows in the backoffice only (waiting
    for stamps and launching after it are ``stamp_hold``'s)."""
    change = event.payload
    if change.to_stage is not ProductionStage.RECEIVED or change.rework:
        return stamp_hold(event)
    to = change.contact_email
    estimate = change.estimated_ship_date
    return Notification(
        dedup_key=_key(event.event_id, "floor-received", to),
        to=to,
        subject=f"Order {change.order_number} is on the factory floor",
        template="floor_received",
        context={
            "order_number": change.order_number,
            "estimated_ship_date": estimate.strftime("%d %B %Y") if estimate else None,
            "order_path": f"/app/orders/{change.order_number}",
        },
    )


def stamp_hold(event: OrderStageChanged) -> Notification | None:
    """A paid order waits for the brand's stamps (what to do), or launches after that
    wait: with the stamps approved, or unlabeled once the wait ran out (why)."""
    change = event.payload
    if (
        change.to_stage is ProductionStage.ON_HOLD
        and change.hold_reason is HoldReason.AWAITING_STAMPS
    ):
        kind, subject = "stamps-hold", f"Order {change.order_number} waits for your stamps"
    elif change.released_hold is HoldReason.AWAITING_STAMPS and change.unlabeled:
        kind, subject = "stamps-unlabeled", f"Order {change.order_number} launched unlabeled"
    elif change.released_hold is HoldReason.AWAITING_STAMPS:
        kind, subject = "stamps-released", f"Order {change.order_number} is in production"
    else:
        return None
    to = change.contact_email
    return Notification(
        dedup_key=_key(event.event_id, kind, to),
        to=to,
        subject=subject,
        template="stamp_hold",
        context={
            "kind": kind,
            "order_number": change.order_number,
            "order_path": f"/app/orders/{change.order_number}",
            "stamps_path": "/app/stamps",
        },
    )


def hold_expiring(event: OrderHoldExpiring) -> Notification:
    """Reminder: the order launches unlabeled on a date unless the stamps are approved."""
    hold = event.payload
    to = hold.contact_email
    return Notification(
        dedup_key=_key(event.event_id, "hold-expiring", to),
        to=to,
        subject=f"Order {hold.order_number} launches unlabeled on {hold.release_at:%d %B %Y}",
        template="hold_expiring",
        context={
            "order_number": hold.order_number,
            "release_on": hold.release_at.strftime("%d %B %Y"),
            "stamps_path": "/app/stamps",
            "order_path": f"/app/orders/{hold.order_number}",
        },
    )


_STAMP_NEWS = {
    StampStatus.PROOF_SENT: "proof_sent",
    StampStatus.IN_PRODUCTION: "in_production",
    StampStatus.READY: "ready",
}
"""The factory's moves of a stamp, which the brand is told of (its own moves, it made)."""


def stamp_update(event: StampStatusChanged) -> Notification | None:
    """The factory sent a proof to answer, or moved the mold on."""
    stamp = event.payload
    news = _STAMP_NEWS.get(stamp.to_status)
    if news is None or stamp.contact_email is None:
        return None
    to = stamp.contact_email
    what = {"insole": "insole", "sole": "sole"}[stamp.kind.value]
    subjects = {
        "proof_sent": f"Your {what} stamp's proof is ready for your approval",
        "in_production": f"Your {what} stamp is being made",
        "ready": f"Your {what} stamp is ready",
    }
    return Notification(
        dedup_key=_key(event.event_id, f"stamp-{news}", to),
        to=to,
        subject=subjects[news],
        template="stamp_update",
        context={
            "news": news,
            "kind": what,
            "note": stamp.comment,
            "stamps_path": f"/app/stamps#{stamp.stamp_id}",
        },
    )


def running_late(event: OrderLate) -> Notification:
    """An order passed its estimated ship date: told once (orders publishes it once)."""
    late = event.payload
    to = late.contact_email
    return Notification(
        dedup_key=_key(event.event_id, "order-late", to),
        to=to,
        subject=f"Order {late.order_number} is running late",
        template="order_late",
        context={
            "order_number": late.order_number,
            "estimated_ship_date": late.estimated_ship_date.strftime("%d %B %Y"),
            "stage": late.production_stage.value.replace("_", " "),
            "days_in_production": late.days_in_production,
            "order_path": f"/app/orders/{late.order_number}",
        },
    )


def refund_issued(event: PaymentRefunded) -> Notification | None:
    """Money of an order is on its way back: it was cancelled, or its stamps were never
    developed (told once, when the refund is made; its later statuses show in the
    backoffice)."""
    refund = event.payload
    if refund.previous_status is not None:
        return None
    to = refund.contact_email
    late = refund.reason is RefundReason.PAID_AFTER_CANCELLATION
    return Notification(
        dedup_key=_key(event.event_id, "refund-issued", to, refund.order_number),
        to=to,
        subject=f"Refund of {money(refund.amount, refund.currency)} for order "
        f"{refund.order_number}",
        template="refund_issued",
        context={
            "order_number": refund.order_number,
            "amount": money(refund.amount, refund.currency),
            "fee": money(refund.fee, refund.currency) if refund.fee else None,
            "why": (
                "Your payment arrived after the order was cancelled, so all of it goes back."
                if late
                else "Your stamps were not approved in time, so the order launched unlabeled "
                "and the stamp development you paid for goes back."
                if refund.reason is RefundReason.STAMPS_NOT_DEVELOPED
                else "You cancelled the order."
            ),
            "order_path": f"/app/orders/{refund.order_number}",
        },
    )


def shipment_update(event: ShipmentStatusChanged) -> Notification | None:
    """A shipment left, with its carrier's tracking link. Its other stages (paid,
    packed, delivered) are in the backoffice: the payment has its own email."""
    shipment = event.payload
    if shipment.to_status is not ShipmentStatus.SHIPPED:
        return None
    to = shipment.contact_email
    orders = ", ".join(shipment.order_numbers)
    return Notification(
        dedup_key=_key(event.event_id, "shipment-update", to),
        to=to,
        subject=f"Shipment of {orders}: shipped",
        template="shipment_update",
        context={
            "shipment_id": shipment.shipment_id,
            "group_id": shipment.group_id,
            "order_numbers": list(shipment.order_numbers),
            "pairs": shipment.pairs,
            "tracking_number": shipment.tracking_number,
            "carrier": _CARRIERS.get(shipment.carrier or "", shipment.carrier),
            "tracking_url": shipment.tracking.url if shipment.tracking else None,
            "ship_to": address_lines(shipment.destination),
        },
    )


PASSWORD_PAGE = "/app/password"  # noqa: S105 - a page, not a secret
"""Where a password link opens; its secret rides in the fragment (``#token=…``), which
browsers never send to a server, so it shows in no access log and no Referer."""


def account_email(link_id: str, request: AccountEmailRequest) -> Notification:
    """An invitation to a brand's backoffice, or a password reset: the link that sets a
    password, once, before it expires. One email per link, however often asked."""
    invitation = request.kind is AccountEmailKind.INVITATION
    subject = (
        f"You are invited to {request.brand}'s Bespoke backoffice"
        if invitation
        else "Reset your Bespoke backoffice password"
    )
    return Notification(
        dedup_key=f"link:{link_id}",
        to=request.to,
        subject=subject,
        template="invitation" if invitation else "password_reset",
        context={
            "name": request.name,
            "brand": request.brand,
            "invited_by": request.invited_by,
            "role": request.role,
            "link_path": f"{PASSWORD_PAGE}#token={request.secret}",
            "expires_at": request.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        },
        sensitive=True,
    )
