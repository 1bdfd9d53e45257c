"""Orders: checkout records an order as Pending Payment and the event that says so.

Pure model: no I/O. An aggregate records the events it causes in ``events``; the
repository stores them in the order's own document (the outbox) in the same write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bespoke_contracts import (
    Address,
    BillingInfo,
    Envelope,
    Labeling,
    OrderStatus,
    OrderSubmitted,
    OrderSubmittedPayload,
    OrderType,
)
from bespoke_orders.domain.errors import InvalidOrder

ORDER_NUMBER_PREFIX = "BF-"


def format_order_number(sequence: int) -> str:
    """The factory's order number for the n-th order: 1 -> ``BF-000001``."""
    if sequence < 1:
        raise ValueError("order sequence starts at 1")
    return f"{ORDER_NUMBER_PREFIX}{sequence:06d}"


def order_sequence(order_number: str) -> int:
    """The sequence number inside an order number: ``BF-000042`` -> 42."""
    if not order_number.startswith(ORDER_NUMBER_PREFIX):
        raise ValueError(f"{order_number!r} is not an order number")
    return int(order_number.removeprefix(ORDER_NUMBER_PREFIX))


@dataclass(frozen=True)
class Checkout:
    """Command: a brand admin checks out a design as an order."""

    account_id: str
    idempotency_key: str
    design_id: str
    design_version: int
    bom_hash: str
    order_type: OrderType
    sizes: dict[str, int]
    shipping_address: Address
    billing: BillingInfo
    labeling: Labeling
    request_id: str

    def fingerprint(self) -> str:
        """Hash of what was asked, to tell a retry from a different order under a reused key."""
        body = {
            "design_id": self.design_id,
            "design_version": self.design_version,
            "bom_hash": self.bom_hash,
            "order_type": self.order_type.value,
            "sizes": dict(sorted(self.sizes.items())),
            "shipping_address": self.shipping_address.model_dump(mode="json"),
            "billing": self.billing.model_dump(mode="json"),
            "labeling": self.labeling.value,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class StatusChange:
    """One entry of an order's status history."""

    status: OrderStatus
    at: datetime
    cause: str


@dataclass
class Order:
    """A brand's order for pairs of one design version."""

    order_number: str
    account_id: str
    status: OrderStatus
    order_type: OrderType
    design_id: str
    design_version: int
    bom_hash: str
    sizes: dict[str, int]
    labeling: Labeling
    shipping_address: Address
    billing: BillingInfo
    created_at: datetime
    idempotency_key: str
    request_fingerprint: str
    history: list[StatusChange] = field(default_factory=list)
    events: list[Envelope[Any]] = field(default_factory=list, compare=False)

    @property
    def pairs(self) -> int:
        """Pairs in the size run."""
        return sum(self.sizes.values())


def check_out(command: Checkout, order_number: str, now: datetime) -> Order:
    """Record a new order as Pending Payment, with its `order.submitted` event."""
    if not command.sizes:
        raise InvalidOrder("the size run is empty: give at least one EU size with pairs")
    bad = sorted(size for size, pairs in command.sizes.items() if pairs < 1)
    if bad:
        raise InvalidOrder(f"every size needs at least one pair; check sizes {', '.join(bad)}")
    order = Order(
        order_number=order_number,
        account_id=command.account_id,
        status=OrderStatus.PENDING_PAYMENT,
        order_type=command.order_type,
        design_id=command.design_id,
        design_version=command.design_version,
        bom_hash=command.bom_hash,
        sizes=dict(command.sizes),
        labeling=command.labeling,
        shipping_address=command.shipping_address,
        billing=command.billing,
        created_at=now,
        idempotency_key=command.idempotency_key,
        request_fingerprint=command.fingerprint(),
        history=[StatusChange(OrderStatus.PENDING_PAYMENT, now, f"request:{command.request_id}")],
    )
    order.events.append(
        OrderSubmitted(
            occurred_at=now,
            account_id=order.account_id,
            correlation_id=command.request_id,
            causation_id=command.request_id,
            payload=OrderSubmittedPayload(
                order_number=order.order_number,
                order_type=order.order_type,
                design_id=order.design_id,
                design_version=order.design_version,
                bom_hash=order.bom_hash,
                sizes=order.sizes,
                pairs=order.pairs,
                labeling=order.labeling,
                shipping_address=order.shipping_address,
                billing=order.billing,
                created_at=now,
            ),
        )
    )
    return order
