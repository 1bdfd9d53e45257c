"""What can go wrong with shipping groups and shipments, in the factory's words."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts.api import problems


@dataclass(frozen=True)
class Conflict:
    """One reason a request was refused, with a JSON pointer to what caused it."""

    pointer: str
    detail: str


class ShippingError(Exception):
    """Base of every shipping-service error; ``code`` becomes the problem type."""

    code = "shipping-error"

    def __init__(self, message: str, conflicts: list[Conflict] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []


class InvalidGroup(ShippingError):
    """The orders cannot form a group as asked (too few, repeated, different addresses)."""

    code = "invalid-shipping-group"


class OrderNotGroupable(ShippingError):
    """An order is paid, cancelled or already in another group."""

    code = "order-not-groupable"


class OrderNotFound(ShippingError):
    """No order with that number belongs to this brand."""

    code = "order-not-found"


class GroupNotFound(ShippingError):
    code = "shipping-group-not-found"


class GroupStateConflict(ShippingError):
    """The group is paid or dissolved: it cannot be changed."""

    code = "shipping-group-state-conflict"


class IdempotencyKeyReused(problems.IdempotencyKeyReused, ShippingError):
    """The Idempotency-Key was already used to group other orders."""


class ShipmentNotFound(ShippingError):
    code = "shipment-not-found"


class ShipmentStateConflict(ShippingError):
    """Stages only move forward: awaiting production, ready to ship, shipped."""

    code = "shipment-state-conflict"


class ConcurrentChange(ShippingError):
    """A document changed between reading and writing it; the change is retried."""

    code = "concurrent-change"


class NotYetKnown(ShippingError):
    """An event names an order whose `order.submitted` has not arrived yet (topics are not
    ordered with each other); handling is retried."""

    code = "not-yet-known"


class InvalidCursor(ShippingError):
    """A pagination cursor we did not hand out."""

    code = "invalid-cursor"
