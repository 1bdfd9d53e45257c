"""Notification handlers: one per event type. Each writes the emails the event calls for
and records them in the send log; the courier (``delivery``) sends them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bespoke_contracts import (
    OrderHoldExpiring,
    OrderLate,
    OrderStageChanged,
    OrderSubmitted,
    PaymentCleared,
    PaymentRefunded,
    ShipmentGrouped,
    ShipmentStatusChanged,
    ShipmentUngrouped,
    StampStatusChanged,
)
from bespoke_contracts.api.notifications import AccountEmailRequest
from bespoke_notifications.domain import emails
from bespoke_notifications.domain.emails import Notification
from bespoke_notifications.service_layer.ports import Clock, Dispatcher, Drawings, SendLog, Writer


@dataclass(frozen=True)
class NotificationsDeps:
    writer: Writer
    log: SendLog
    clock: Clock
    courier: Dispatcher
    drawings: Drawings


async def _queue(notifications: Iterable[Notification | None], deps: NotificationsDeps) -> int:
    """Record each new email once (a redelivered event adds nothing); returns how many.

    While the courier is free, an email is recorded already claimed and handed to it to
    send at once: two writes in all (this record, the outcome) instead of three (a
    pending record, the courier's claim, the outcome), and no wait for the courier's
    look. Otherwise it is recorded pending, for the courier to claim."""
    added = waiting = 0
    for notification in notifications:
        if notification is None:
            continue
        claimed = deps.courier.can_take()
        delivery = await deps.log.add(deps.writer.write(notification), deps.clock.now(), claimed)
        if delivery is None:
            continue
        added += 1
        if claimed:
            deps.courier.take(delivery)
        else:
            waiting += 1
    if waiting:
        deps.courier.wake()
    return added


async def queue_account_email(
    link_id: str, request: AccountEmailRequest, deps: NotificationsDeps
) -> bool:
    """An invitation or password-reset email, asked for by the gateway: recorded once per
    link (asking again adds nothing), sent by the courier. True when newly recorded."""
    return await _queue([emails.account_email(link_id, request)], deps) == 1


async def on_order_submitted(event: OrderSubmitted, deps: NotificationsDeps) -> int:
    """The order specifications with the shoe drawn, pending payment, and how to pay."""
    order = event.payload
    drawing = await deps.drawings.png(event.account_id, order.design_id, order.design_version)
    return await _queue([emails.order_received(event, drawing)], deps)


async def on_payment_cleared(event: PaymentCleared, deps: NotificationsDeps) -> int:
    """Payment received: each covered order is now Work In Process."""
    return await _queue(emails.payment_received(event), deps)


async def on_shipment_grouped(event: ShipmentGrouped, deps: NotificationsDeps) -> int:
    """The group, its saving and how to pay it."""
    return await _queue([emails.group_formed(event)], deps)


async def on_shipment_ungrouped(event: ShipmentUngrouped, deps: NotificationsDeps) -> int:
    return await _queue([emails.group_dissolved(event)], deps)


async def on_shipment_status_changed(event: ShipmentStatusChanged, deps: NotificationsDeps) -> int:
    """Shipped, with the carrier's tracking link."""
    return await _queue([emails.shipment_update(event)], deps)


async def on_order_stage_changed(event: OrderStageChanged, deps: NotificationsDeps) -> int:
    """Received on the floor (no email for the stages after it); waiting for the
    brand's stamps, and launched after that wait."""
    return await _queue([emails.floor_received(event)], deps)


async def on_payment_refunded(event: PaymentRefunded, deps: NotificationsDeps) -> int:
    """A refund made: once per refund."""
    notification = emails.refund_issued(event)
    return await _queue([notification] if notification else [], deps)


async def on_order_late(event: OrderLate, deps: NotificationsDeps) -> int:
    """Running late: once per order."""
    return await _queue([emails.running_late(event)], deps)


async def on_order_hold_expiring(event: OrderHoldExpiring, deps: NotificationsDeps) -> int:
    """The order launches unlabeled soon unless the stamps are approved: once per hold."""
    return await _queue([emails.hold_expiring(event)], deps)


async def on_stamp_status_changed(event: StampStatusChanged, deps: NotificationsDeps) -> int:
    """A proof to answer, or the mold moving on."""
    return await _queue([emails.stamp_update(event)], deps)
