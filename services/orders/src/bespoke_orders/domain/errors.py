"""What can go wrong with orders, in the factory's words."""

from __future__ import annotations


class OrdersError(Exception):
    """Base of every orders-service error; ``code`` is stable and becomes the problem type."""

    code = "orders-error"


class InvalidOrder(OrdersError):
    """The order as submitted cannot be produced."""

    code = "invalid-order"


class OrderNotFound(OrdersError):
    """No order with that number belongs to this brand."""

    code = "order-not-found"


class IdempotencyKeyReused(OrdersError):
    """The Idempotency-Key was already used for a different order."""

    code = "idempotency-key-reused"


class OrderNumberTaken(OrdersError):
    """Another checkout stored this order number first; take the next one and retry."""

    code = "order-number-taken"
