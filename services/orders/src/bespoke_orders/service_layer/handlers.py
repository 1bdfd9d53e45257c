"""Use cases of the orders service. One function per command or event."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bespoke_contracts import (
    Address,
    BillingInfo,
    Envelope,
    InvoiceIssued,
    Labeling,
    PaymentCleared,
    PaymentRefunded,
    ProductionStage,
    ShipmentGrouped,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentUngrouped,
    StageReported,
    format_order_number,
    order_sequence,
)
from bespoke_contracts.api.design import EstimateRequest
from bespoke_contracts.deposits import paid_share
from bespoke_orders.domain import checkout, model
from bespoke_orders.domain.errors import (
    ConcurrentChange,
    IdempotencyKeyReused,
    InvalidCursor,
    InvalidOrder,
    OrderNotFound,
    OrderNumberTaken,
    UpstreamUnavailable,
)
from bespoke_orders.domain.stamps import HoldPolicy, stamps_ready
from bespoke_orders.service_layer.ports import (
    ArtworkInspector,
    BrandLabels,
    Clock,
    DesignCatalog,
    FileStore,
    OrderQuery,
    OrderRepository,
    ShippingRates,
    StampRepository,
    TicketPrinter,
)
from bespoke_platform.concurrency import change_with_retries

log = logging.getLogger(__name__)

MAX_NUMBER_ATTEMPTS = 50
MAX_CHANGE_ATTEMPTS = 10


@dataclass(frozen=True)
class OrdersDeps:
    """Everything the handlers use, wired by ``bootstrap``."""

    orders: OrderRepository
    clock: Clock
    design: DesignCatalog
    shipping: ShippingRates
    brands: BrandLabels
    tickets: TicketPrinter
    stamps: StampRepository
    files: FileStore
    inspector: ArtworkInspector
    stamp_hold: HoldPolicy = field(default_factory=HoldPolicy)
    """How long a paid order waits for the brand's stamps before it launches unlabeled."""
    numbering: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False)
    """Checkouts of one process take numbers one at a time, so they do not collide with
    each other; collisions between processes are still resolved by ``store_numbered``."""


@dataclass(frozen=True)
class CheckoutResult:
    order: model.Order
    created: bool
    """False when this was a retry that returned the order created earlier."""


async def check_out(command: model.Checkout, deps: OrdersDeps) -> CheckoutResult:
    """Record an order as Pending Payment with the next order number, priced by the design
    service's quote and the shipping service's rate (the rules: ``domain.checkout``).

    A retry with the same Idempotency-Key returns the same order (and number) without
    taking a new number; a different body under a used key is refused. The key is not
    looked up first: the store's unique index on (brand, key) refuses the retry's insert
    and yields the order stored under it, so a first checkout (all but a few) reads
    nothing for it. A retry is priced again on its way there, and one refused now (a
    catalog changed since) gets the first answer from the gateway, which keeps it.

    Numbering: the order document's id IS its number, and the store refuses a second
    document with the same id. A checkout proposes the number after the highest stored
    one; if a concurrent checkout stored it first, it proposes the next. So no two orders
    share a number, and a number exists only once its order is stored: no gaps, even
    from crashes or refused requests (docs/decisions/0002-order-numbers-from-the-unique-id.md).
    """
    model.check_sizes(command.sizes)

    design = await deps.design.design_version(
        command.account_id, command.design_id, command.design_version
    )
    checkout.ensure_orderable(command, design)
    estimate = await deps.design.estimate(
        command.account_id,
        EstimateRequest(
            design_id=command.design_id,
            design_version=command.design_version,
            order_type=command.order_type,
            sizes=command.sizes,
        ),
    )
    shipping = await deps.shipping.quote(command.shipping_address.country, command.pairs)
    label = await deps.brands.get(command.account_id)
    if label is None:  # the brand's first order: it records the brand's choice
        first_choice = checkout.first_labeling(command)
        label = await deps.brands.claim(command.account_id, first_choice, command.idempotency_key)
    labeling, develops_stamps = checkout.labeling_of(command, label)
    stamps = (
        await deps.design.customization_price(checkout.STAMP_DEVELOPMENT)
        if develops_stamps
        else None
    )
    costs = checkout.price(estimate, shipping, command.billing, stamps)
    specification = checkout.specification(design)

    def build(number: str) -> model.Order:
        return model.check_out(
            command,
            number,
            deps.clock.now(),
            specification,
            costs,
            labeling,
            estimate.lead_time_days,
            tuple(estimate.cancellation_fees),
        )

    async with deps.numbering:
        order, stored = await store_numbered(build, deps.orders)
    if stored.order_number != order.order_number:
        # A concurrent retry with the same key won the race; its order stands.
        return CheckoutResult(_same_request(stored, command), created=False)
    return CheckoutResult(stored, created=True)


async def store_numbered(
    build: Callable[[str], model.Order], orders: OrderRepository
) -> tuple[model.Order, model.Order]:
    """Build the order with the next free number and store it, moving on to the next
    number while concurrent checkouts take them. Returns (built, stored): ``stored`` is
    another order when a concurrent retry with the same Idempotency-Key won."""
    for _ in range(MAX_NUMBER_ATTEMPTS):
        order = build(format_order_number(await orders.next_sequence()))
        try:
            return order, await orders.add(order)
        except OrderNumberTaken:
            continue
    raise RuntimeError(f"no free order number after {MAX_NUMBER_ATTEMPTS} attempts")


def _same_request(order: model.Order, command: model.Checkout) -> model.Order:
    if order.request_fingerprint != command.fingerprint():
        raise IdempotencyKeyReused(
            f"Idempotency-Key {command.idempotency_key!r} was already used for order "
            f"{order.order_number} with a different body; use a new key for a new order"
        )
    return order


async def clone_order(
    account_id: str,
    order_number: str,
    idempotency_key: str,
    request_id: str,
    deps: OrdersDeps,
    actor: str | None = None,
) -> CheckoutResult:
    """Order again: a new pending order of the same design version, sizes and addresses,
    priced today (a checkout like any other: numbered, quoted, emailed). The design
    version must still be orderable as it was confirmed (its bill of materials unchanged).
    The key is the clone's own: the same key for the same order is a retry."""
    source = await get_order(account_id, order_number, deps)
    command = model.Checkout(
        account_id=account_id,
        idempotency_key=f"clone:{order_number}:{idempotency_key}",
        design_id=source.design_id,
        design_version=source.design_version,
        bom_hash=source.bom_hash,
        order_type=source.order_type,
        sizes=dict(source.sizes),
        shipping_address=source.shipping_address,
        billing=source.billing,
        labeling=None,  # the brand's choice stands; stamps are developed once
        request_id=request_id,
        actor=actor,
    )
    return await check_out(command, deps)


async def get_order(account_id: str, order_number: str, deps: OrdersDeps) -> model.Order:
    """One of the brand's orders."""
    order = await deps.orders.get(account_id, order_number)
    if order is None:
        raise OrderNotFound(f"no order {order_number} for this brand")
    return order


async def _change(
    load: Callable[[], Awaitable[model.Order]],
    apply: Callable[[model.Order], bool],
    deps: OrdersDeps,
    read: model.Order | None = None,
) -> model.Order:
    """Load, apply, save; on a concurrent change, reload and apply again (``read``: see
    ``change_with_retries``)."""

    order = await change_with_retries(
        load, apply, deps.orders.save, ConcurrentChange, MAX_CHANGE_ATTEMPTS, read
    )
    assert order is not None  # `load` raises when there is no such order
    return order


async def edit_order(
    account_id: str,
    order_number: str,
    request_id: str,
    deps: OrdersDeps,
    sizes: dict[str, int] | None = None,
    shipping_address: Address | None = None,
    billing: BillingInfo | None = None,
    actor: str | None = None,
) -> model.Order:
    """Edit a pending order's sizes and addresses; it is re-priced (manufacturing from the
    design's quote for the new size run, shipping for the new destination). Customization
    already charged stays. Refused (409) once the order is paid or cancelled."""
    current = await get_order(account_id, order_number, deps)
    new_sizes = dict(sizes) if sizes is not None else current.sizes
    new_address = shipping_address or current.shipping_address
    model.check_sizes(new_sizes)
    current.ensure_editable()  # before asking for quotes; `revise` holds to it on the fresh copy
    estimate = await deps.design.estimate(
        account_id,
        EstimateRequest(
            design_id=current.design_id,
            design_version=current.design_version,
            order_type=current.order_type,
            sizes=new_sizes,
        ),
    )
    shipping = await deps.shipping.quote(new_address.country, sum(new_sizes.values()))

    async def load() -> model.Order:
        return await get_order(account_id, order_number, deps)

    def apply(order: model.Order) -> bool:
        kept = checkout.Money(order.costs.customization, order.costs.currency)
        costs = checkout.price(estimate, shipping, billing or order.billing, kept)
        order.revise(
            sizes=new_sizes,
            shipping_address=new_address,
            billing=billing or order.billing,
            costs=costs,
            request_id=request_id,
            now=deps.clock.now(),
            actor=actor,
        )
        return True

    return await _change(load, apply, deps)


async def cancel_order(
    account_id: str,
    order_number: str,
    request_id: str,
    deps: OrdersDeps,
    actor: str | None = None,
    *,
    accept_fee: bool = False,
) -> model.Order:
    """Cancel an order (``model.Order.cancel``'s rules: a paid one is refunded, less the
    fee for its stage once the floor has it, which must be accepted)."""

    async def load() -> model.Order:
        return await get_order(account_id, order_number, deps)

    def apply(order: model.Order) -> bool:
        order.cancel(request_id, deps.clock.now(), actor, accept_fee=accept_fee)
        return True

    return await _change(load, apply, deps)


async def get_any_order(order_number: str, deps: OrdersDeps) -> model.Order:
    """Any brand's order (the factory's operators)."""
    order = await deps.orders.get_any(order_number)
    if order is None:
        raise OrderNotFound(f"no order {order_number}")
    return order


async def job_ticket(order_number: str, deps: OrdersDeps) -> bytes:
    """Any brand's order's job ticket as PDF, drawn off the event loop (it takes a few
    milliseconds of CPU), with its design version's drawing; a ticket without the
    drawing when the design service cannot give it (the floor still needs the page)."""
    order = await get_any_order(order_number, deps)
    try:
        drawing: bytes | None = await deps.design.drawing(
            order.account_id, order.design_id, order.design_version
        )
    except UpstreamUnavailable:
        log.warning("job ticket %s printed without its drawing", order_number, exc_info=True)
        drawing = None
    return await asyncio.to_thread(deps.tickets, order, deps.clock.now(), drawing)


async def move_stage(
    order_number: str,
    stage: ProductionStage,
    note: str | None,
    request_id: str,
    deps: OrdersDeps,
    actor: str | None = None,
) -> model.Order:
    """An operator moves an order on the floor (``production.stage_move``'s rules); the
    stage it is at already changes nothing."""

    async def load() -> model.Order:
        return await get_any_order(order_number, deps)

    def apply(order: model.Order) -> bool:
        return order.move_stage(
            stage, f"request:{request_id}", deps.clock.now(), request_id, actor=actor, note=note
        )

    return await _change(load, apply, deps)


LATE_BATCH = 100


async def flag_late_orders(deps: OrdersDeps) -> list[str]:
    """Flag every order in production past its estimated ship date, once each: its
    `order.late` tells the brand (one email) and downstream systems. Run periodically;
    replicas racing on one order store one flag (the guarded save)."""
    flagged: list[str] = []
    while True:
        now = deps.clock.now()
        batch = await deps.orders.find(
            OrderQuery(late_on=now.date(), unflagged=True, limit=LATE_BATCH)
        )
        moved = [n for n in [o.order_number for o in batch] if await _flag_late(n, now, deps)]
        flagged += moved
        if len(batch) < LATE_BATCH or not moved:
            return flagged


async def _flag_late(order_number: str, now: datetime, deps: OrdersDeps) -> bool:
    return await changed_order(
        lambda: get_any_order(order_number, deps),
        lambda order: order.flag_late(now, f"late:{order_number}"),
        deps,
    )


async def on_stage_reported(event: StageReported, deps: OrdersDeps) -> bool:
    """A floor station's scan, applied as an operator's move would be, once per event.
    An unknown order or a move the rules refuse raises (dead-lettered with the reason).
    The scanner names the order, not the brand: any brand's order is looked up."""
    report, event_id = event.payload, str(event.event_id)

    async def load() -> model.Order:
        order = await deps.orders.get_any(report.order_number)
        if order is None:
            raise OrderNotFound(
                f"floor report {event_id} names unknown order {report.order_number}"
            )
        return order

    return await changed_order(
        load,
        lambda order: order.apply_stage_report(
            event_id, report.stage, report.station, deps.clock.now()
        ),
        deps,
    )


async def on_shipment_status_changed(event: ShipmentStatusChanged, deps: OrdersDeps) -> list[str]:
    """A shipment left (its orders become `shipped` with its tracking) or was delivered
    (`delivered`); other moves of a shipment change no order. Returns the orders moved."""
    shipment, event_id, now = event.payload, str(event.event_id), deps.clock.now()
    if shipment.to_status is ShipmentStatus.SHIPPED:
        tracking = shipment.tracking
        if tracking is None:
            raise InvalidOrder(f"shipment {shipment.shipment_id} shipped without its tracking")

        def change(order: model.Order) -> bool:
            return order.ship(tracking, f"event:{event_id}", now, event.correlation_id)

    elif shipment.to_status is ShipmentStatus.DELIVERED:

        def change(order: model.Order) -> bool:
            return order.deliver(f"event:{event_id}", now, event.correlation_id)

    else:
        return []
    return [n for n in shipment.order_numbers if await _apply_event(n, event, change, deps)]


async def on_payment_cleared(event: PaymentCleared, deps: OrdersDeps) -> list[str]:
    """Launch every order the payment covers (Work In Process), if it pays exactly what
    they cost now (``model.payment_problem``); otherwise flag it on each order for the
    factory's finance operators and start nothing. A payment for an order already
    cancelled is recorded on it (payments refunds it), never parked. Idempotent per
    order: a redelivered or duplicate event changes nothing. Returns the orders changed."""
    event_id, now, paid = str(event.event_id), deps.clock.now(), event.payload
    orders = [await _order_of(n, event, deps) for n in paid.order_numbers]
    problem = model.payment_problem(paid.target, paid.amount, paid.currency, orders, paid.part)
    # Each order is changed from this read (read again only if it moved meanwhile).
    read = {o.order_number: o for o in orders}
    if problem is not None:
        log.warning("payment %s not applied: %s", paid.payment_intent_id, problem)
        for number in paid.order_numbers:
            await _apply_event(
                number,
                event,
                lambda order: order.flag_payment(event_id, problem),
                deps,
                read[number],
            )
        return []
    # A deposit pays part of each order's due (rounded down); the rest is its balance.
    dues = {o.order_number: o.amount_due(paid.target) for o in orders}
    whole = sum(dues.values())
    balances = {n: due - paid_share(due, whole, paid.amount) for n, due in dues.items()}
    # Orders with custom stamps wait on hold while the brand has none approved.
    ready = not any(o.labeling is Labeling.CUSTOM_STAMPS for o in orders) or stamps_ready(
        await deps.stamps.for_brand(event.account_id)
    )
    return [
        n
        for n in event.payload.order_numbers
        if await _apply_event(
            n,
            event,
            lambda order: order.mark_paid(
                event_id,
                event.correlation_id,
                now,
                paid.part,
                balances[order.order_number] if paid.part == "deposit" else 0,
                stamps_ready=ready,
            ),
            deps,
            read[n],
        )
    ]


async def on_payment_refunded(event: PaymentRefunded, deps: OrdersDeps) -> bool:
    """The payments service made (or moved on) a refund of the order's money: the order
    shows it, and its payment status follows (idempotent per event)."""
    refund, event_id = event.payload, str(event.event_id)
    return await _apply_event(
        refund.order_number,
        event,
        lambda order: order.apply_refund(
            event_id, refund.refund_id, refund.amount, refund.fee, refund.currency, refund.status
        ),
        deps,
    )


async def on_invoice_issued(event: InvoiceIssued, deps: OrdersDeps) -> list[str]:
    """Each order an issued invoice or credit note lists shows its number (idempotent)."""
    issued, event_id = event.payload, str(event.event_id)
    return [
        n
        for n in issued.order_numbers
        if await _apply_event(
            n,
            event,
            lambda order: order.record_invoice(event_id, issued.invoice_number, issued.kind),
            deps,
        )
    ]


async def on_shipment_grouped(event: ShipmentGrouped, deps: OrdersDeps) -> list[str]:
    """Record the group on every order in it (idempotent per order and event)."""
    group, event_id = event.payload, str(event.event_id)
    recorded = []
    for number in group.order_numbers:

        def join(order: model.Order, allocation: int = group.allocations.get(number, 0)) -> bool:
            return order.join_shipping_group(group.group_id, allocation, event_id)

        if await _apply_event(number, event, join, deps):
            recorded.append(number)
    return recorded


async def on_shipment_ungrouped(event: ShipmentUngrouped, deps: OrdersDeps) -> None:
    """Forget a dissolved group on each of its orders (idempotent)."""
    group_id, event_id = event.payload.group_id, str(event.event_id)
    for number in event.payload.order_numbers:
        await _apply_event(
            number, event, lambda order: order.leave_shipping_group(group_id, event_id), deps
        )


async def _order_of(order_number: str, event: Envelope[Any], deps: OrdersDeps) -> model.Order:
    """The order an event names, of the event's brand."""
    order = await deps.orders.get_any(order_number)
    if order is None or order.account_id != event.account_id:
        raise OrderNotFound(
            f"{event.event_type} {event.event_id} names unknown order {order_number}"
        )
    return order


async def _apply_event(
    order_number: str,
    event: Envelope[Any],
    change: Callable[[model.Order], bool],
    deps: OrdersDeps,
    read: model.Order | None = None,
) -> bool:
    """Apply an event's ``change`` to one order of the event's brand; True if it changed."""
    return await changed_order(lambda: _order_of(order_number, event, deps), change, deps, read)


async def changed_order(
    load: Callable[[], Awaitable[model.Order]],
    change: Callable[[model.Order], bool],
    deps: OrdersDeps,
    read: model.Order | None = None,
) -> bool:
    """``_change``, telling whether ``change`` changed the order (saved) or not."""
    changed = False

    def apply(order: model.Order) -> bool:
        nonlocal changed
        changed = change(order)
        return changed

    await _change(load, apply, deps, read)
    return changed


@dataclass(frozen=True)
class OrderPage:
    items: list[model.OrderSummary]
    next_cursor: str | None


def _cursor(seq: int, newest_first: bool) -> str:
    return f"{'d' if newest_first else 'a'}{seq}"


_CURSOR = re.compile(r"([da])([0-9]{1,18})")
"""What ``_cursor`` makes: a direction and an order's sequence (ASCII digits that fit the
database's 64-bit integers; ``str.isdigit`` would also take ``²``)."""


async def list_orders(
    account_id: str, query: OrderQuery, cursor: str | None, deps: OrdersDeps
) -> OrderPage:
    """A brand's order pool. Pages follow the order numbers, so orders placed while a
    client pages through appear at the start (newest first) or the end, never twice or
    skipped."""
    return await _page(dataclasses.replace(query, account_id=account_id), cursor, deps)


async def production_board(
    query: OrderQuery, cursor: str | None, deps: OrdersDeps, late: bool = False
) -> OrderPage:
    """The factory's board: orders of every brand (or the one ``query`` names), paged
    like the pool; ``late`` keeps those in process past their estimated ship date."""
    if late:
        query = dataclasses.replace(query, late_on=deps.clock.now().date())
    return await _page(query, cursor, deps)


async def _page(query: OrderQuery, cursor: str | None, deps: OrdersDeps) -> OrderPage:
    after = None
    if cursor:
        found = _CURSOR.fullmatch(cursor)
        if found is None or (found.group(1) == "d") != query.newest_first:
            raise InvalidCursor(
                "this cursor is not one we gave out for this sort; start again without it"
            )
        after = int(found.group(2))
    page = await deps.orders.find_summaries(
        dataclasses.replace(query, after_seq=after, limit=query.limit + 1)
    )
    if len(page) > query.limit:
        last = page[query.limit - 1]
        return OrderPage(
            page[: query.limit],
            _cursor(order_sequence(last.order_number), query.newest_first),
        )
    return OrderPage(page, None)
