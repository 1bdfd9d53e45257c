"""Shipping groups, shipments, and what shipping knows of each order.

Pure model: no I/O. Events a change causes wait in ``events``; the repository stores them
in the changed document's own outbox.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bespoke_contracts import (
    Address,
    Envelope,
    OrderStatus,
    ShipmentGrouped,
    ShipmentGroupedPayload,
    ShipmentStatus,
    ShipmentStatusChanged,
    ShipmentStatusChangedPayload,
    ShipmentUngrouped,
    ShipmentUngroupedPayload,
    Tracking,
)
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_shipping.domain.errors import GroupStateConflict, ShipmentStateConflict
from bespoke_shipping.domain.grouping import GroupQuote

GROUP_PREFIX = "SG-"


def group_id_for(account_id: str, idempotency_key: str | None) -> str:
    """``SG-`` and ten base32 characters: derived from the brand and its Idempotency-Key
    (so a retried request names the same group), random without a key."""
    seed = f"{account_id}\x00{idempotency_key}".encode() if idempotency_key else uuid.uuid4().bytes
    digest = hashlib.sha256(seed).digest()
    return GROUP_PREFIX + base64.b32encode(digest).decode()[:10]


def shipment_id_for(target: str) -> str:
    """One shipment per paid invoice target: an order number or a group id."""
    return f"shp_{target}"


@dataclass
class OrderRecord:
    """Shipping's own copy of an order (from `order.*` events): enough to group and ship it."""

    order_number: str
    account_id: str
    status: OrderStatus
    pairs: int
    shipping_address: Address
    shipping_cost: int
    """What shipping the order on its own costs, as priced at checkout or its last edit."""
    currency: str
    contact_email: str
    vat_rate_bp: int = 0
    """The VAT rate its costs carry: orders billed at different rates cannot share one
    invoice, so they cannot be grouped."""
    version: int = 1
    group_id: str | None = None
    """The group that claimed it (set while forming, cleared when the group dissolves)."""
    ready: bool = False
    """Finished on the floor (`ready_to_ship`), from the orders service's stage events."""


@dataclass
class ShippingGroup:
    """Pending orders of one brand shipped, and paid, together."""

    id: str
    account_id: str
    order_numbers: list[str]
    destination: Address
    quote: GroupQuote
    individual_costs: dict[str, int]
    contact_email: str
    created_at: datetime
    fingerprint: str
    status: GroupStatus = GroupStatus.FORMING
    paid_at: datetime | None = None
    dissolved_at: datetime | None = None
    dissolved_reason: str | None = None
    shipment_id: str | None = None
    formed_by: str | None = None
    """Who formed it (``user:usr_…``, …)."""
    dissolved_by: str | None = None
    """Who dissolved it; None when the system did (an order cancelled, an edit)."""
    applied_events: list[str] = field(default_factory=list)
    revision: int = field(default=0, compare=False)
    events: list[Envelope[Any]] = field(default_factory=list, compare=False)

    def open(self, correlation_id: str) -> bool:
        """Every order is claimed: the group exists for everyone (`shipment.grouped`)."""
        if self.status is not GroupStatus.FORMING:
            return False
        self.status = GroupStatus.OPEN
        q = self.quote
        self.events.append(
            ShipmentGrouped(
                occurred_at=self.created_at,
                account_id=self.account_id,
                correlation_id=correlation_id,
                causation_id=correlation_id,
                actor=self.formed_by,
                payload=ShipmentGroupedPayload(
                    group_id=self.id,
                    order_numbers=list(self.order_numbers),
                    pairs=q.pairs,
                    shipping_cost=q.shipping_cost,
                    individual_shipping_cost=q.individual_shipping_cost,
                    saving=q.saving,
                    allocations=dict(q.allocations),
                    currency=q.currency,
                    contact_email=self.contact_email,
                    grouped_at=self.created_at,
                ),
            )
        )
        return True

    def dissolve(
        self, reason: str, now: datetime, correlation_id: str, actor: str | None = None
    ) -> bool:
        """Before payment only. Publishes `shipment.ungrouped`; False if already dissolved."""
        if self.status is GroupStatus.DISSOLVED:
            return False
        if self.status is GroupStatus.PAID:
            raise GroupStateConflict(f"shipping group {self.id} is paid; it ships as one")
        if self.status is GroupStatus.FORMING:
            raise GroupStateConflict(f"shipping group {self.id} is still forming; try again")
        self.status = GroupStatus.DISSOLVED
        self.dissolved_at = now
        self.dissolved_reason = reason
        self.dissolved_by = actor
        self.events.append(
            ShipmentUngrouped(
                occurred_at=now,
                account_id=self.account_id,
                correlation_id=correlation_id,
                causation_id=correlation_id,
                actor=actor,
                payload=ShipmentUngroupedPayload(
                    group_id=self.id,
                    order_numbers=list(self.order_numbers),
                    dissolved_at=now,
                    reason=reason,
                    contact_email=self.contact_email,
                ),
            )
        )
        return True

    def mark_paid(self, event_id: str, at: datetime, shipment_id: str) -> bool:
        """Its invoice was paid. (A payment that beat a dissolution still ships the group:
        the money is in.)"""
        if event_id in self.applied_events or self.status is GroupStatus.PAID:
            return False
        self.status = GroupStatus.PAID
        self.paid_at = at
        self.shipment_id = shipment_id
        self.applied_events.append(event_id)
        return True


@dataclass(frozen=True)
class Stage:
    status: ShipmentStatus
    at: datetime


@dataclass
class Shipment:
    """One parcel run to one address: a paid order, or a paid group's orders."""

    id: str
    account_id: str
    group_id: str | None
    order_numbers: list[str]
    pairs: int
    destination: Address
    contact_email: str
    status: ShipmentStatus
    history: list[Stage]
    tracking_number: str | None = None
    carrier: str | None = None
    tracking: Tracking | None = None
    ready_orders: list[str] = field(default_factory=list)
    """Its orders finished on the floor; it ships once all are."""
    cancelled_orders: list[str] = field(default_factory=list)
    """Orders cancelled after payment: taken out, the rest ships without them."""
    revision: int = field(default=0, compare=False)
    events: list[Envelope[Any]] = field(default_factory=list, compare=False)

    @property
    def waiting_for(self) -> list[str]:
        """Its orders not finished yet: a shipment waits for its slowest order."""
        return [n for n in self.order_numbers if n not in self.ready_orders]

    @classmethod
    def after_payment(
        cls,
        *,
        target: str,
        account_id: str,
        group_id: str | None,
        orders: list[OrderRecord],
        destination: Address,
        contact_email: str,
        at: datetime,
        correlation_id: str,
        causation_id: str,
    ) -> Shipment:
        """Paid: the shipment exists and waits for production."""
        shipment = cls(
            id=shipment_id_for(target),
            account_id=account_id,
            group_id=group_id,
            order_numbers=[o.order_number for o in orders],
            pairs=sum(o.pairs for o in orders),
            destination=destination,
            contact_email=contact_email,
            status=ShipmentStatus.AWAITING_PRODUCTION,
            history=[Stage(ShipmentStatus.AWAITING_PRODUCTION, at)],
        )
        shipment._event(None, at, correlation_id, causation_id)
        for order in orders:
            if order.ready:
                shipment.order_ready(order.order_number, at, correlation_id)
        return shipment

    def order_ready(self, order_number: str, now: datetime, correlation_id: str) -> bool:
        """One of its orders is finished; with the last one, the shipment is ready to
        ship. Idempotent; False when nothing changed."""
        if order_number not in self.order_numbers or order_number in self.ready_orders:
            return False
        self.ready_orders.append(order_number)
        if self.status is ShipmentStatus.AWAITING_PRODUCTION and not self.waiting_for:
            self._advance(ShipmentStatus.READY_TO_SHIP, now, correlation_id)
        return True

    def drop(self, order_number: str, pairs: int, now: datetime, correlation_id: str) -> bool:
        """One of its orders was cancelled: it no longer ships here. The rest of the
        shipment goes on (ready at once if it waited only for that order); with its last
        order gone, the shipment is cancelled. Too late once shipped; False if not in it."""
        if order_number not in self.order_numbers or self.status in (
            ShipmentStatus.SHIPPED,
            ShipmentStatus.DELIVERED,
        ):
            return False
        self.cancelled_orders.append(order_number)
        if len(self.order_numbers) == 1:
            self.order_numbers = list(self.cancelled_orders)
            self._advance(ShipmentStatus.CANCELLED, now, correlation_id)
            return True
        self.order_numbers.remove(order_number)
        self.pairs -= pairs
        with contextlib.suppress(ValueError):
            self.ready_orders.remove(order_number)
        if self.status is ShipmentStatus.AWAITING_PRODUCTION and not self.waiting_for:
            self._advance(ShipmentStatus.READY_TO_SHIP, now, correlation_id)
        return True

    def ship(self, tracking: Tracking, now: datetime, correlation_id: str) -> bool:
        """The carrier collected it. Only once every order is finished (409 naming those
        it waits for); shipped again with the same tracking changes nothing."""
        if self.status in (ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED):
            if self.tracking == tracking:
                return False
            raise ShipmentStateConflict(
                f"shipment {self.id} already shipped with tracking number {self.tracking_number}"
            )
        if self.status is ShipmentStatus.CANCELLED:
            raise ShipmentStateConflict(
                f"shipment {self.id} was cancelled: every order in it was cancelled"
            )
        if self.status is not ShipmentStatus.READY_TO_SHIP:
            raise ShipmentStateConflict(
                f"shipment {self.id} waits for {', '.join(self.waiting_for)}: it ships once "
                "every order in it is ready_to_ship"
            )
        self.tracking = tracking
        self.tracking_number, self.carrier = tracking.number, tracking.carrier.value
        self._advance(ShipmentStatus.SHIPPED, now, correlation_id)
        return True

    def deliver(self, now: datetime, correlation_id: str) -> bool:
        """The carrier delivered it (after shipping only); again changes nothing."""
        if self.status is ShipmentStatus.DELIVERED:
            return False
        if self.status is not ShipmentStatus.SHIPPED:
            raise ShipmentStateConflict(
                f"shipment {self.id} is {self.status.value}; it is delivered after it ships"
            )
        self._advance(ShipmentStatus.DELIVERED, now, correlation_id)
        return True

    def _advance(self, to: ShipmentStatus, now: datetime, correlation_id: str) -> None:
        before = self.status
        self.status = to
        self.history.append(Stage(to, now))
        self._event(before, now, correlation_id, correlation_id)

    def _event(
        self, before: ShipmentStatus | None, at: datetime, correlation_id: str, causation_id: str
    ) -> None:
        self.events.append(
            ShipmentStatusChanged(
                occurred_at=at,
                account_id=self.account_id,
                correlation_id=correlation_id,
                causation_id=causation_id,
                payload=ShipmentStatusChangedPayload(
                    shipment_id=self.id,
                    group_id=self.group_id,
                    order_numbers=list(self.order_numbers),
                    pairs=self.pairs,
                    destination=self.destination,
                    from_status=before,
                    to_status=self.status,
                    tracking_number=self.tracking_number,
                    carrier=self.carrier,
                    tracking=self.tracking,
                    changed_at=at,
                    contact_email=self.contact_email,
                ),
            )
        )
