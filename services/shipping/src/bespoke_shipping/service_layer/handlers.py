"""Use cases of the shipping service: Group Shipping, shipments, and keeping shipping's
copy of each order up to date from the orders service's events.

Forming a group without multi-document transactions (FerretDB has none):

1. the group is stored as ``forming`` (invisible to payments and orders);
2. each order is *claimed* for it by one conditional write on the order's record (pending
   payment, the brand's, in no other group), so two groups can never hold one order;
3. once all are claimed, the group turns ``open`` and `shipment.grouped` goes into its
   outbox in the same write. If a claim fails, the claims taken are released and the group
   is forgotten. A crash in between leaves a ``forming`` group that
   :func:`recover_forming` (or a retry with the same Idempotency-Key) completes.

Dissolving stores ``dissolved`` (and `shipment.ungrouped`) first, then frees the orders,
so an order is never free while a live group holds it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bespoke_contracts import (
    OrderRevised,
    OrderStatus,
    OrderStatusChanged,
    OrderSubmitted,
    PaymentCleared,
)
from bespoke_contracts.api.shipping import GroupStatus, ShipmentUpdate
from bespoke_platform.concurrency import change_with_retries
from bespoke_platform.messaging import PoisonMessage
from bespoke_shipping.domain import grouping
from bespoke_shipping.domain.errors import (
    ConcurrentChange,
    Conflict,
    GroupNotFound,
    IdempotencyKeyReused,
    InvalidGroup,
    NotYetKnown,
    OrderNotFound,
    OrderNotGroupable,
    ShipmentNotFound,
)
from bespoke_shipping.domain.grouping import GroupQuote
from bespoke_shipping.domain.model import (
    GROUP_PREFIX,
    OrderRecord,
    Shipment,
    ShippingGroup,
    group_id_for,
    shipment_id_for,
)
from bespoke_shipping.domain.rates import RateCard
from bespoke_shipping.service_layer.ports import (
    Clock,
    Groups,
    OrderRecords,
    OutboxSignal,
    Shipments,
)

log = logging.getLogger(__name__)

MAX_CHANGE_ATTEMPTS = 10
ORDER_NUMBER = re.compile(r"BF-\d{6,}")
FORMING_GRACE = timedelta(seconds=10)
"""A group still forming after this long was interrupted; recovery completes it."""


@dataclass(frozen=True)
class ShippingDeps:
    """Everything the handlers use, wired by ``bootstrap``."""

    rates: RateCard
    orders: OrderRecords
    groups: Groups
    shipments: Shipments
    clock: Clock
    groups_outbox: OutboxSignal
    shipments_outbox: OutboxSignal
    order_wait_seconds: float = 3.0
    """How long grouping waits for an order just checked out to reach shipping."""


async def _change_group(
    group_id: str, apply: Callable[[ShippingGroup], bool], deps: ShippingDeps
) -> ShippingGroup | None:
    async def save(group: ShippingGroup) -> None:
        await deps.groups.save(group)
        deps.groups_outbox.wake()

    return await change_with_retries(
        lambda: deps.groups.get(group_id), apply, save, ConcurrentChange, MAX_CHANGE_ATTEMPTS
    )


# --- shipping's copy of the orders -------------------------------------------------------


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
        )
    )


async def _known(order_number: str, deps: ShippingDeps) -> OrderRecord:
    record = await deps.orders.get(order_number)
    if record is None:
        raise NotYetKnown(f"order {order_number} is not known here yet")
    return record


async def on_order_revised(event: OrderRevised, deps: ShippingDeps) -> None:
    """A pending order was edited: new pairs, address and shipping cost. A group holding
    it was priced for the old order, so it is dissolved (orders refuses such edits when it
    already knows of the group; this covers the moment before)."""
    change = event.payload
    record = await _known(change.order_number, deps)
    record.version = change.version
    record.pairs = change.pairs
    record.shipping_address = change.shipping_address
    record.shipping_cost = change.costs.shipping
    record.currency = change.costs.currency
    record.contact_email = str(change.billing.email)
    await deps.orders.revise(record)
    await _dissolve_holder(
        change.order_number, f"order {change.order_number} was edited", event.correlation_id, deps
    )


async def on_order_status_changed(event: OrderStatusChanged, deps: ShippingDeps) -> None:
    """Track the status; a cancelled order takes its open group apart."""
    change = event.payload
    await _known(change.order_number, deps)
    await deps.orders.set_status(change.order_number, change.to_status)
    if change.to_status is OrderStatus.CANCELLED:
        await _dissolve_holder(
            change.order_number,
            f"order {change.order_number} was cancelled",
            event.correlation_id,
            deps,
        )


async def _dissolve_holder(
    order_number: str, reason: str, correlation_id: str, deps: ShippingDeps
) -> None:
    """Dissolve the open group holding the order (read after the order's own write, so a
    claim made before it is seen). A group still forming is retried: it settles in ms."""
    record = await _known(order_number, deps)
    if record.group_id is None:
        return
    group = await deps.groups.get(record.group_id)
    if group is None:
        return
    if group.status is GroupStatus.FORMING:
        raise NotYetKnown(f"group {group.id} is forming; retry")
    if group.status is GroupStatus.OPEN:
        await _dissolve(group.id, reason, correlation_id, deps)


# --- Group Shipping ------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupResult:
    group: ShippingGroup
    created: bool
    """False when this was a retry that returned the group formed earlier."""


def _check_names(order_numbers: list[str]) -> None:
    repeated = sorted({n for n in order_numbers if order_numbers.count(n) > 1})
    if repeated:
        raise InvalidGroup(
            f"each order can be named once; repeated: {', '.join(repeated)}",
            [
                Conflict(f"#/order_numbers/{order_numbers.index(n)}", f"{n} repeated")
                for n in repeated
            ],
        )
    if len(order_numbers) < 2:
        raise InvalidGroup("a shipping group needs two or more orders")


def _fingerprint(order_numbers: list[str]) -> str:
    return ",".join(sorted(order_numbers))


async def form_group(
    account_id: str,
    order_numbers: list[str],
    idempotency_key: str | None,
    request_id: str,
    deps: ShippingDeps,
) -> GroupResult:
    """Group two or more of the brand's pending orders going to one address."""
    _check_names(order_numbers)
    group_id = group_id_for(account_id, idempotency_key)
    existing = await deps.groups.get(group_id)
    if existing is not None:
        return GroupResult(await _replay(existing, order_numbers, request_id, deps), False)

    records, quote = await _quote(account_id, order_numbers, group_id, deps)
    first = records[order_numbers[0]]
    group = ShippingGroup(
        id=group_id,
        account_id=account_id,
        order_numbers=list(order_numbers),
        destination=first.shipping_address,
        quote=quote,
        individual_costs={n: records[n].shipping_cost for n in order_numbers},
        contact_email=first.contact_email,
        created_at=deps.clock.now(),
        fingerprint=_fingerprint(order_numbers),
    )
    if not await deps.groups.add(group):  # the same key, at the same moment
        stored = await deps.groups.get(group_id)
        assert stored is not None
        return GroupResult(await _replay(stored, order_numbers, request_id, deps), False)
    refusal = await _complete(group, request_id, deps)
    if refusal is not None:
        raise refusal
    return GroupResult(group, True)


async def preview_group(
    account_id: str, order_numbers: list[str], deps: ShippingDeps
) -> tuple[dict[str, OrderRecord], GroupQuote]:
    """The orders and what forming this group would cost and save, refused exactly as
    forming would be; nothing is stored or claimed."""
    _check_names(order_numbers)
    return await _quote(account_id, order_numbers, None, deps)


async def _quote(
    account_id: str, order_numbers: list[str], group_id: str | None, deps: ShippingDeps
) -> tuple[dict[str, OrderRecord], GroupQuote]:
    records = await _records(account_id, order_numbers, deps)
    await _check_groupable(records, group_id, deps)
    quote = grouping.quote_group(
        deps.rates,
        records[order_numbers[0]].shipping_address.country,
        {n: records[n].pairs for n in order_numbers},
        {n: records[n].shipping_cost for n in order_numbers},
    )
    if quote.saving <= 0:
        raise InvalidGroup(
            f"shipping these orders together ({quote.shipping_cost}) saves nothing over "
            f"shipping them one by one ({quote.individual_shipping_cost})"
        )
    return records, quote


async def _replay(
    group: ShippingGroup, order_numbers: list[str], request_id: str, deps: ShippingDeps
) -> ShippingGroup:
    if group.fingerprint != _fingerprint(order_numbers):
        raise IdempotencyKeyReused(
            f"this Idempotency-Key already formed group {group.id} of "
            f"{', '.join(group.order_numbers)}; use a new key for other orders"
        )
    if group.status is GroupStatus.FORMING:
        refusal = await _complete(group, request_id, deps)
        if refusal is not None:
            raise refusal
    return group


async def _records(
    account_id: str, order_numbers: list[str], deps: ShippingDeps
) -> dict[str, OrderRecord]:
    """The brand's orders by number. An order checked out a moment ago reaches shipping
    through `order.submitted` within moments, so missing ones are waited for briefly."""
    deadline = asyncio.get_running_loop().time() + deps.order_wait_seconds
    records: dict[str, OrderRecord] = {}
    while True:
        for number in order_numbers:
            if number not in records:
                record = await deps.orders.get(number)
                if record is not None and record.account_id == account_id:
                    records[number] = record
        missing = [n for n in order_numbers if n not in records]
        if not missing or asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.1)
    if missing:
        raise OrderNotFound(
            f"no order {', '.join(missing)} for this brand",
            [
                Conflict(f"#/order_numbers/{order_numbers.index(n)}", f"no order {n}")
                for n in missing
            ],
        )
    return records


async def _check_groupable(
    records: dict[str, OrderRecord], group_id: str | None, deps: ShippingDeps
) -> None:
    numbers = list(records)
    conflicts = []
    for index, number in enumerate(numbers):
        record = records[number]
        if record.status is not OrderStatus.PENDING_PAYMENT:
            conflicts.append(
                Conflict(
                    f"#/order_numbers/{index}",
                    f"{number} is {record.status.value}; only orders pending payment can be grouped",
                )
            )
        elif record.group_id not in (None, group_id):
            holder = await deps.groups.get(record.group_id)
            if holder is not None and holder.status is GroupStatus.DISSOLVED:
                # A dissolution interrupted before it freed its orders: finish it.
                await deps.orders.release(number, holder.id)
                continue
            conflicts.append(
                Conflict(
                    f"#/order_numbers/{index}",
                    f"{number} is already in shipping group {record.group_id}; dissolve that "
                    "group first",
                )
            )
    if conflicts:
        raise OrderNotGroupable("; ".join(c.detail for c in conflicts), conflicts)
    addresses = grouping.address_conflicts({n: r.shipping_address for n, r in records.items()})
    if addresses:
        raise InvalidGroup(
            "a group ships to one address: edit the orders so they ship to the same address "
            "(PATCH /api/v1/orders/{order_number}) or group other orders",
            addresses,
        )
    currencies = {r.currency for r in records.values()}
    if len(currencies) > 1:
        raise InvalidGroup(f"the orders are priced in different currencies: {sorted(currencies)}")


async def _complete(
    group: ShippingGroup, correlation_id: str, deps: ShippingDeps
) -> OrderNotGroupable | None:
    """Claim every order for a forming group, then open it; or, if one cannot be claimed,
    release the others and forget the group. Returns the refusal, if any."""
    claimed = []
    for number in group.order_numbers:
        if await deps.orders.claim(number, group.account_id, group.id):
            claimed.append(number)
            continue
        for taken in claimed:
            await deps.orders.release(taken, group.id)
        await deps.groups.delete_forming(group.id)
        index = group.order_numbers.index(number)
        detail = f"{number} was paid, cancelled or grouped meanwhile"
        return OrderNotGroupable(detail, [Conflict(f"#/order_numbers/{index}", detail)])
    opened = await _change_group(group.id, lambda g: g.open(correlation_id), deps)
    assert opened is not None
    group.status, group.revision = opened.status, opened.revision
    return None


async def recover_forming(deps: ShippingDeps) -> int:
    """Complete groups left forming by a crash (or refuse them). Returns how many."""
    interrupted = await deps.groups.forming_since(deps.clock.now() - FORMING_GRACE)
    for group in interrupted:
        refusal = await _complete(group, f"recovery:{group.id}", deps)
        log.warning("recovered interrupted group %s: %s", group.id, refusal or "formed")
    return len(interrupted)


async def get_group(account_id: str, group_id: str, deps: ShippingDeps) -> ShippingGroup:
    group = await deps.groups.get(group_id)
    if group is None or group.account_id != account_id:
        raise GroupNotFound(f"no shipping group {group_id} for this brand")
    return group


async def list_groups(
    account_id: str, limit: int, after: tuple[datetime, str] | None, deps: ShippingDeps
) -> list[ShippingGroup]:
    return await deps.groups.page(account_id, limit, after)


async def dissolve_group(
    account_id: str, group_id: str, request_id: str, deps: ShippingDeps
) -> ShippingGroup:
    """The brand takes an unpaid group apart: each order is paid and shipped on its own."""
    await get_group(account_id, group_id, deps)
    return await _dissolve(group_id, "dissolved by the brand", request_id, deps)


async def _dissolve(
    group_id: str, reason: str, correlation_id: str, deps: ShippingDeps
) -> ShippingGroup:
    now = deps.clock.now()
    group = await _change_group(group_id, lambda g: g.dissolve(reason, now, correlation_id), deps)
    if group is None:
        raise GroupNotFound(f"no shipping group {group_id}")
    for number in group.order_numbers:  # after the dissolution is stored (see module doc)
        await deps.orders.release(number, group.id)
    return group


# --- shipments -------------------------------------------------------------------------------


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
        records = [await _known(n, deps) for n in group.order_numbers]
        destination, group_id = group.destination, group.id
    elif ORDER_NUMBER.fullmatch(paid.target):
        record = await _known(paid.target, deps)
        records, destination, group_id = [record], record.shipping_address, None
        if record.group_id is not None:
            holder = await deps.groups.get(record.group_id)
            if holder is not None and holder.status is GroupStatus.OPEN:
                await _dissolve(
                    holder.id,
                    f"order {paid.target} was paid on its own",
                    event.correlation_id,
                    deps,
                )
    else:
        raise PoisonMessage(f"payment for {paid.target!r}: neither an order nor a group")
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
        deps.shipments_outbox.wake()
    if group_id is not None:
        await _change_group(
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
        if record.group_id is not None:
            candidates.insert(0, shipment_id_for(record.group_id))
    else:
        await get_group(account_id, target, deps)
    for candidate in candidates:
        shipment = await deps.shipments.get(candidate)
        if shipment is not None and shipment.account_id == account_id:
            return shipment
    raise ShipmentNotFound(f"{target} has no shipment yet: it is created when the payment clears")


async def update_shipment(
    shipment_id: str, update: ShipmentUpdate, request_id: str, deps: ShippingDeps
) -> Shipment:
    """Record a later stage (factory systems, operators); publishes the change once."""
    now = deps.clock.now()

    async def save(shipment: Shipment) -> None:
        await deps.shipments.save(shipment)
        deps.shipments_outbox.wake()

    shipment = await change_with_retries(
        lambda: deps.shipments.get(shipment_id),
        lambda s: s.advance(
            update.status,
            tracking_number=update.tracking_number,
            carrier=update.carrier,
            now=now,
            correlation_id=request_id,
        ),
        save,
        ConcurrentChange,
        MAX_CHANGE_ATTEMPTS,
    )
    if shipment is None:
        raise ShipmentNotFound(f"no shipment {shipment_id}")
    return shipment
