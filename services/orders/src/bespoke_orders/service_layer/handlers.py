"""Use cases of the orders service. One function per command."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_orders.domain import model
from bespoke_orders.domain.errors import IdempotencyKeyReused, OrderNotFound, OrderNumberTaken
from bespoke_orders.service_layer.ports import Clock, OrderRepository, OutboxSignal

MAX_NUMBER_ATTEMPTS = 50


@dataclass(frozen=True)
class OrdersDeps:
    """Everything the handlers use, wired by ``bootstrap``."""

    orders: OrderRepository
    clock: Clock
    outbox: OutboxSignal


@dataclass(frozen=True)
class CheckoutResult:
    order: model.Order
    created: bool
    """False when this was a retry that returned the order created earlier."""


async def check_out(command: model.Checkout, deps: OrdersDeps) -> CheckoutResult:
    """Record an order as Pending Payment with the next order number.

    A retry with the same Idempotency-Key returns the same order (and number) without
    taking a new number; a different body under a used key is refused.

    Numbering: the order document's id IS its number, and the store refuses a second
    document with the same id. A checkout proposes the number after the highest stored
    one; if a concurrent checkout stored it first, it proposes the next. So no two orders
    share a number, and a number exists only once its order is stored: no gaps, even
    from crashes or refused requests. (A counter with ``$inc`` would do, but FerretDB's
    find-and-modify is not atomic under concurrency: a test showed duplicates.)
    """
    existing = await deps.orders.get_by_idempotency_key(command.account_id, command.idempotency_key)
    if existing is not None:
        return CheckoutResult(_same_request(existing, command), created=False)
    for _ in range(MAX_NUMBER_ATTEMPTS):
        sequence = await deps.orders.next_sequence()
        order = model.check_out(command, model.format_order_number(sequence), deps.clock.now())
        try:
            stored = await deps.orders.add(order)
            break
        except OrderNumberTaken:
            continue
    else:
        raise RuntimeError(f"no free order number after {MAX_NUMBER_ATTEMPTS} attempts")
    if stored.order_number != order.order_number:
        # A concurrent retry with the same key won the race; its order stands.
        return CheckoutResult(_same_request(stored, command), created=False)
    deps.outbox.wake()
    return CheckoutResult(stored, created=True)


def _same_request(order: model.Order, command: model.Checkout) -> model.Order:
    if order.request_fingerprint != command.fingerprint():
        raise IdempotencyKeyReused(
            f"Idempotency-Key {command.idempotency_key!r} was already used for order "
            f"{order.order_number} with a different body; use a new key for a new order"
        )
    return order


async def get_order(account_id: str, order_number: str, deps: OrdersDeps) -> model.Order:
    """One of the brand's orders."""
    order = await deps.orders.get(account_id, order_number)
    if order is None:
        raise OrderNotFound(f"no order {order_number} for this brand")
    return order
