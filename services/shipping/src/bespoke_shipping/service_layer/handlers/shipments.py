"""Shipments: one per paid order or group, moving through the factory's stages."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from bespoke_contracts import (
    Carrier,
    OrderStageChanged,
    OrderStatus,
    PaymentCleared,
    ProductionStage,
    Tracking,
    is_order_number,
)
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_platform.concurrency import change_with_retries
from bespoke_platform.messaging import PoisonMessage
from bespoke_shipping.domain.errors import (
    ConcurrentChange,
    NotYetKnown,
    OrderNotFound,
    ShipmentNotFound,
)
from bespoke_shipping.domain.model import GROUP_PREFIX, OrderRecord, Shipment, shipment_id_for
from bespoke_shipping.service_layer.handlers.deps import (
    MAX_CHANGE_ATTEMPTS,
    ShippingDeps,
    change_group,
    known,
)
from bespoke_shipping.service_layer.handlers.groups import dissolve, get_group


async def on_payment_cleared(event: PaymentCleared, deps: ShippingDeps) -> bool:
    """Paid: a shipment awaiting production, for the group or the single order. An order
    paid on its own while in an open group (its payment beat the grouping) takes the
    group apart. Idempotent: one shipment per paid target."""
    paid = event.payload
    event_id = str(event.event_id)
    shipment_id = shipment_id_for(paid.target)
    if paid.target.startswith(GROUP_PREFIX):
        group = await deps.groups.get(paid.target)
        if group is None:
            raise NotYetKnown(f"payment for unknown shipping group {paid.target}")
        records = [await known(n, deps) for n in group.order_numbers]
        destination, group_id = group.destination, group.id
    elif is_order_number(paid.target):
        record = await known(paid.target, deps)
        records, destination, group_id = [record], record.shipping_address, None
        if record.group_id is not None:
            holder = await deps.groups.get(record.group_id)
            if holder is not None and holder.status is GroupStatus.OPEN:
                await dissolve(
                    holder.id,
                    f"order {paid.target} was paid on its own",
                    event.correlation_id,
                    deps,
                )
    else:
        raise PoisonMessage(f"payment for {paid.target!r}: neither an order nor a group")
    # An order cancelled before its payment cleared is refunded, never shipped (one
    # cancelled after the shipment is made leaves it: ``drop_from_shipment``).
    records = [r for r in records if r.status is not OrderStatus.CANCELLED]
    if not records:
        return False
    shipment = Shipment.after_payment(
        target=paid.target,
        account_id=event.account_id,
        group_id=group_id,
        orders=records,
        destination=destination,
        contact_email=paid.contact_email,
        at=paid.paid_at,
        correlation_id=event.correlation_id,
        causation_id=event_id,
    )
    created = await deps.shipments.add(shipment)
    if created:
        # Orders finished while the shipment was being made (``on_order_stage_changed``).
        ready = await deps.orders.ready_among(shipment.order_numbers)
        finished = [n for n in shipment.waiting_for if n in ready]
        if finished:
            await _ready(shipment.id, finished, event.correlation_id, deps)
    if group_id is not None:
        await change_group(
            group_id, lambda g: g.mark_paid(event_id, paid.paid_at, shipment_id), deps
        )
    return created


async def get_shipment(account_id: str | None, shipment_id: str, deps: ShippingDeps) -> Shipment:
    """A shipment of the brand (``None``: operator tools, any brand)."""
    shipment = await deps.shipments.get(shipment_id)
    if shipment is None or (account_id is not None and shipment.account_id != account_id):
        raise ShipmentNotFound(
            f"no shipment {shipment_id} (a shipment exists once its payment clears)"
        )
    return shipment


async def shipment_of(account_id: str, target: str, deps: ShippingDeps) -> Shipment:
    """The shipment carrying an order (alone or in its group), or a group's."""
    candidates = [shipment_id_for(target)]
    if not target.startswith(GROUP_PREFIX):
        record = await deps.orders.get(target)
        if record is None or record.account_id != account_id:
            raise OrderNotFound(f"no order {target} for this brand")
        candidates = _shipments_carrying(record)
    else:
        await get_group(account_id, target, deps)
    for candidate in candidates:
        shipment = await deps.shipments.get(candidate)
        if shipment is not None and shipment.account_id == account_id:
            return shipment
    raise ShipmentNotFound(f"{target} has no shipment yet: it is created when the payment clears")


async def on_order_stage_changed(event: OrderStageChanged, deps: ShippingDeps) -> bool:
    """An order finished on the floor: its shipment is ready once all its orders are.

    The order's copy is marked first, then its shipment (if payment made it yet): and a
    new shipment reads its orders' marks after it is stored (``on_payment_cleared``), so
    one of the two always sees the other."""
    change = event.payload
    if change.to_stage is not ProductionStage.READY_TO_SHIP:
        return False
    record = await known(change.order_number, deps)
    await deps.orders.set_ready(change.order_number)
    for candidate in _shipments_carrying(record):
        with contextlib.suppress(ShipmentNotFound):  # not made yet: it reads the mark
            return await _ready(candidate, [change.order_number], event.correlation_id, deps)
    return False


async def drop_from_shipment(record: OrderRecord, correlation_id: str, deps: ShippingDeps) -> bool:
    """A cancelled order leaves the shipment its payment made (if one did yet: a shipment
    made later leaves out orders already cancelled)."""
    now = deps.clock.now()
    for candidate in _shipments_carrying(record):
        with contextlib.suppress(ShipmentNotFound):
            shipment = await _change(
                candidate,
                lambda s: s.drop(record.order_number, record.pairs, now, correlation_id),
                deps,
            )
            return record.order_number in shipment.cancelled_orders
    return False


def _shipments_carrying(record: OrderRecord) -> list[str]:
    """Where an order ships, most likely first: its group's shipment, then its own."""
    own = shipment_id_for(record.order_number)
    return [shipment_id_for(record.group_id), own] if record.group_id is not None else [own]


async def _ready(
    shipment_id: str, order_numbers: list[str], correlation_id: str, deps: ShippingDeps
) -> bool:
    now = deps.clock.now()
    changed = False

    def apply(shipment: Shipment) -> bool:
        nonlocal changed
        changed = any([shipment.order_ready(n, now, correlation_id) for n in order_numbers])
        return changed

    await _change(shipment_id, apply, deps)
    return changed


async def ship(
    shipment_id: str, carrier: Carrier, tracking_number: str, request_id: str, deps: ShippingDeps
) -> Shipment:
    """The carrier collected the shipment: once every order in it is finished (409 names
    those it waits for). Published once; the same tracking again changes nothing."""
    tracking = Tracking.of(carrier, tracking_number)
    now = deps.clock.now()
    return await _change(shipment_id, lambda s: s.ship(tracking, now, request_id), deps)


async def deliver(shipment_id: str, request_id: str, deps: ShippingDeps) -> Shipment:
    """The carrier delivered it (an operator's call, or a carrier's event)."""
    now = deps.clock.now()
    return await _change(shipment_id, lambda s: s.deliver(now, request_id), deps)


async def _change(
    shipment_id: str, apply: Callable[[Shipment], bool], deps: ShippingDeps
) -> Shipment:
    shipment = await change_with_retries(
        lambda: deps.shipments.get(shipment_id),
        apply,
        deps.shipments.save,
        ConcurrentChange,
        MAX_CHANGE_ATTEMPTS,
    )
    if shipment is None:
        raise ShipmentNotFound(f"no shipment {shipment_id}")
    return shipment
