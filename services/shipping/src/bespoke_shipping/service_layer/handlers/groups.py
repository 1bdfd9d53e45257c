"""Group Shipping: forming, previewing, reading and dissolving shipping groups.

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
from dataclasses import dataclass
from datetime import datetime, timedelta

from bespoke_contracts.api.shipping import GroupStatus
from bespoke_shipping.domain import grouping
from bespoke_shipping.domain.errors import (
    Conflict,
    GroupNotFound,
    IdempotencyKeyReused,
    OrderNotFound,
    OrderNotGroupable,
)
from bespoke_shipping.domain.grouping import GroupQuote
from bespoke_shipping.domain.model import OrderRecord, ShippingGroup, group_id_for
from bespoke_shipping.service_layer.handlers.deps import ShippingDeps, change_group

log = logging.getLogger(__name__)

FORMING_GRACE = timedelta(seconds=10)
"""A group still forming after this long was interrupted; recovery completes it."""


@dataclass(frozen=True)
class GroupResult:
    group: ShippingGroup
    created: bool
    """False when this was a retry that returned the group formed earlier."""


def _fingerprint(order_numbers: list[str]) -> str:
    return ",".join(sorted(order_numbers))


async def form_group(
    account_id: str,
    order_numbers: list[str],
    idempotency_key: str | None,
    request_id: str,
    deps: ShippingDeps,
    actor: str | None = None,
) -> GroupResult:
    """Group two or more of the brand's pending orders going to one address, for
    ``actor`` (who is recorded as having formed it)."""
    grouping.check_names(order_numbers)
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
        formed_by=actor,
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
    grouping.check_names(order_numbers)
    return await _quote(account_id, order_numbers, None, deps)


async def _quote(
    account_id: str, order_numbers: list[str], group_id: str | None, deps: ShippingDeps
) -> tuple[dict[str, OrderRecord], GroupQuote]:
    records = await _records(account_id, order_numbers, deps)
    await _finish_interrupted_dissolutions(records, group_id, deps)
    return records, grouping.eligible_quote(deps.rates, order_numbers, records, group_id)


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
    """The brand's orders by number, in one query. An order checked out a moment ago
    reaches shipping through `order.submitted` within moments, so missing ones are waited
    for briefly: one query each interval for all of them."""
    deadline = asyncio.get_running_loop().time() + deps.order_wait_seconds
    records: dict[str, OrderRecord] = {}
    missing = list(order_numbers)
    while True:
        found = await deps.orders.get_many(missing)
        records |= {n: r for n, r in found.items() if r.account_id == account_id}
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


async def _finish_interrupted_dissolutions(
    records: dict[str, OrderRecord], group_id: str | None, deps: ShippingDeps
) -> None:
    """An order still held by a group that was dissolved (a dissolution interrupted before
    it freed its orders) is freed now, so the rules see it as it really is."""
    for number, record in records.items():
        if record.group_id in (None, group_id):
            continue
        holder = await deps.groups.get(record.group_id)
        if holder is not None and holder.status is GroupStatus.DISSOLVED:
            await deps.orders.release(number, holder.id)
            record.group_id = None


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
    opened = await change_group(group.id, lambda g: g.open(correlation_id), deps)
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
    account_id: str,
    group_id: str,
    request_id: str,
    deps: ShippingDeps,
    actor: str | None = None,
) -> ShippingGroup:
    """The brand takes an unpaid group apart: each order is paid and shipped on its own."""
    await get_group(account_id, group_id, deps)
    return await dissolve(group_id, "dissolved by the brand", request_id, deps, actor)


async def dissolve(
    group_id: str,
    reason: str,
    correlation_id: str,
    deps: ShippingDeps,
    actor: str | None = None,
) -> ShippingGroup:
    now = deps.clock.now()
    group = await change_group(
        group_id, lambda g: g.dissolve(reason, now, correlation_id, actor), deps
    )
    if group is None:
        raise GroupNotFound(f"no shipping group {group_id}")
    for number in group.order_numbers:  # after the dissolution is stored (see module doc)
        await deps.orders.release(number, group.id)
    return group
