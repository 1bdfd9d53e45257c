"""Shipping's copy of each order, kept up to date from the orders service's events; a
change that invalidates an open group (an edit, a cancellation) takes the group apart."""

from __future__ import annotations

from bespoke_contracts import OrderRevised, OrderStatus, OrderStatusChanged, OrderSubmitted
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_shipping.domain.errors import NotYetKnown
from bespoke_shipping.domain.model import OrderRecord
from bespoke_shipping.service_layer.handlers.deps import ShippingDeps, known, not_known_yet
from bespoke_shipping.service_layer.handlers.groups import dissolve
from bespoke_shipping.service_layer.handlers.shipments import drop_from_shipment


async def on_order_submitted(event: OrderSubmitted, deps: ShippingDeps) -> bool:
    order = event.payload
    return await deps.orders.add(
        OrderRecord(
            order_number=order.order_number,
            account_id=event.account_id,
            status=OrderStatus.PENDING_PAYMENT,
            pairs=order.pairs,
            shipping_address=order.shipping_address,
            shipping_cost=order.costs.shipping,
            currency=order.costs.currency,
            contact_email=str(order.billing.email),
            vat_rate_bp=order.costs.vat_rate_bp,
        )
    )


async def on_order_revised(event: OrderRevised, deps: ShippingDeps) -> None:
    """A pending order was edited: new pairs, address and shipping cost. A group holding
    it was priced for the old order, so it is dissolved (orders refuses such edits when it
    already knows of the group; this covers the moment before)."""
    change = event.payload
    record = await known(change.order_number, deps)
    record.version = change.version
    record.pairs = change.pairs
    record.shipping_address = change.shipping_address
    record.shipping_cost = change.costs.shipping
    record.currency = change.costs.currency
    record.vat_rate_bp = change.costs.vat_rate_bp
    record.contact_email = str(change.billing.email)
    await deps.orders.revise(record)
    await _dissolve_holder(
        change.order_number,
        f"order {change.order_number} was edited",
        event.correlation_id,
        deps,
        event.actor,
    )


async def on_order_status_changed(event: OrderStatusChanged, deps: ShippingDeps) -> None:
    """Track the status (one write, no read: every step of a paid order comes here); a
    cancelled order takes its open group apart, and leaves the shipment it was paid into
    (the rest of a group's shipment goes on without it)."""
    change = event.payload
    if not await deps.orders.set_status(change.order_number, change.to_status):
        raise not_known_yet(change.order_number)
    if change.to_status is OrderStatus.CANCELLED:
        record = await _dissolve_holder(
            change.order_number,
            f"order {change.order_number} was cancelled",
            event.correlation_id,
            deps,
            event.actor,
        )
        await drop_from_shipment(record, event.correlation_id, deps)


async def _dissolve_holder(
    order_number: str,
    reason: str,
    correlation_id: str,
    deps: ShippingDeps,
    actor: str | None,
) -> OrderRecord:
    """Dissolve the open group holding the order (read after the order's own write, so a
    claim made before it is seen), in the name of whoever changed the order. A group still
    forming is retried: it settles in ms. Returns the order's copy as read."""
    record = await known(order_number, deps)
    if record.group_id is None:
        return record
    group = await deps.groups.get(record.group_id)
    if group is None:
        return record
    if group.status is GroupStatus.FORMING:
        raise NotYetKnown(f"group {group.id} is forming; retry")
    if group.status is GroupStatus.OPEN:
        await dissolve(group.id, reason, correlation_id, deps, actor)
    return record
