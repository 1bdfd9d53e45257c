"""Orders: checkout records an order as Pending Payment and the event that says so.

Pure model: no I/O. An aggregate records the events it causes in ``events``; the
repository stores them in the order's own document (the outbox) in the same write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bespoke_contracts import (
    Address,
    BillingInfo,
    CancellationFee,
    Envelope,
    HoldReason,
    Labeling,
    OrderCosts,
    OrderHoldExpiring,
    OrderHoldExpiringPayload,
    OrderLate,
    OrderLatePayload,
    OrderRevised,
    OrderRevisedPayload,
    OrderSpecification,
    OrderStageChanged,
    OrderStageChangedPayload,
    OrderStatus,
    OrderStatusChanged,
    OrderStatusChangedPayload,
    OrderSubmitted,
    OrderSubmittedPayload,
    OrderType,
    ProductionStage,
    RefundStatus,
    Tracking,
    is_order_number,
)
from bespoke_contracts.api.orders import PaymentStatus
from bespoke_contracts.deposits import Part, due_for
from bespoke_contracts.vat import line_vat, vat_on_lines
from bespoke_orders.domain import cancellation, production
from bespoke_orders.domain.errors import (
    CancellationFeeNotAccepted,
    InvalidOrder,
    OrderStateConflict,
    PaymentAheadOfGroup,
)

# How many applied event ids an order keeps: a redelivery comes within a consumer's
# uncommitted batch, long before this many later events; and the rules each event
# meets (a paid order is not paid again, a stage is not entered twice) refuse an older
# repeat on their own.
APPLIED_EVENTS_KEPT = 64

# The only moves an order can make; anything else is refused (409).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.WORK_IN_PROCESS, OrderStatus.CANCELLED}),
    OrderStatus.WORK_IN_PROCESS: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


LAUNCHED = frozenset({OrderStatus.WORK_IN_PROCESS, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
"""Paid and launched: in production or past it."""

PAYMENT_STATUSES: dict[PaymentStatus, frozenset[OrderStatus]] = {
    PaymentStatus.UNPAID: frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED}),
    PaymentStatus.PAID: LAUNCHED,
}
"""The order statuses of each payment status, for an order stored before its payment
status was (the pool's filter reads the stored ``payment_status`` first)."""

REFUND_SETTLED = frozenset({RefundStatus.PENDING, RefundStatus.SUCCEEDED})
"""A refund that is going or gone back to the brand (a failed one is finance's to redo)."""


@dataclass(frozen=True)
class Refund:
    """What goes back of a cancelled paid order, as the payments service reports it."""

    amount: int
    fee: int
    """The cancellation fee kept, VAT included."""
    currency: str
    status: RefundStatus


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
    labeling: Labeling | None
    request_id: str
    actor: str | None = None
    """Who checks out, as the gateway's credential names them."""

    @property
    def pairs(self) -> int:
        return sum(self.sizes.values())

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
            "labeling": self.labeling.value if self.labeling else None,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class StatusChange:
    """One entry of an order's history: a status change, or a production stage move
    (``stage`` set) while in process."""

    status: OrderStatus
    at: datetime
    cause: str
    actor: str | None = None
    """Who made the change (a request's user, token or operator); None for an event's."""
    stage: ProductionStage | None = None
    note: str | None = None
    station: str | None = None
    """The floor station whose scan moved it."""
    rework: bool = False


@dataclass(frozen=True)
class ShippingGroupMembership:
    """The shipping group an order ships in and its share of the group's shipping cost."""

    group_id: str
    allocation: int


@dataclass(frozen=True)
class OrderVersion:
    """What an order was before an edit replaced it."""

    version: int
    sizes: dict[str, int]
    shipping_address: Address
    billing: BillingInfo
    costs: OrderCosts
    replaced_at: datetime
    replaced_by: str
    actor: str | None = None
    """Who edited it (``user:usr_…``, …), when a person did."""


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
    specification: OrderSpecification
    costs: OrderCosts
    created_at: datetime
    idempotency_key: str
    request_fingerprint: str
    history: list[StatusChange] = field(default_factory=list)
    version: int = 1
    """1 at checkout; each edit while pending adds one (earlier versions are kept apart)."""
    previous_versions: list[OrderVersion] = field(default_factory=list)
    shipping_group: ShippingGroupMembership | None = None
    applied_events: list[str] = field(default_factory=list)
    """Ids of the latest events applied to this order, at most ``APPLIED_EVENTS_KEPT``
    (redeliveries change nothing)."""
    payment_flags: list[str] = field(default_factory=list)
    """Payments that were not applied, and why: for the factory's finance operators."""
    lead_time_days: int | None = None
    """From launch to ready to ship, as quoted at checkout (order type and construction)."""
    production_stage: ProductionStage | None = None
    """Where on the floor, while in process."""
    hold_reason: HoldReason | None = None
    wip_started_at: datetime | None = None
    """When payment launched it to production."""
    shipped_at: datetime | None = None
    tracking: Tracking | None = None
    late_flagged_at: datetime | None = None
    """When it was found past its estimated ship date (the brand is told once)."""
    hold_reminded_at: datetime | None = None
    """When the brand was reminded that it launches unlabeled unless its stamps are
    approved (once per hold)."""
    stamps_credit: int = 0
    """Launched unlabeled: the stamp development it paid for and gets back (net)."""
    cancellation_fees: tuple[CancellationFee, ...] = ()
    """Cancelling it once paid, by stage, as quoted at checkout (empty: the defaults)."""
    paid: bool = False
    """A payment for it cleared (even one that came after it was cancelled)."""
    refund: Refund | None = None
    """What goes back: as expected when cancelled, then the sum of its refund's parts."""
    refund_parts: dict[str, Refund] = field(default_factory=dict)
    """Each refund payments made, by its id (two for an order paid in two halves)."""
    balance_due: int = 0
    """Paid in two halves and only the deposit yet: what it still owes before it ships."""
    invoice_number: str | None = None
    """The latest invoice issued for its payment (downloadable from the pool)."""
    credit_note_number: str | None = None
    """The latest credit note of its refund."""
    revision: int = field(default=0, compare=False)
    events: list[Envelope[Any]] = field(default_factory=list, compare=False)

    @property
    def pairs(self) -> int:
        """Pairs in the size run."""
        return sum(self.sizes.values())

    @property
    def payment_status(self) -> PaymentStatus:
        """Unpaid until a payment clears; paid from then on; refunded (in part, when a
        cancellation fee was kept) once its money goes back."""
        if self.refund is not None and self.refund.status in REFUND_SETTLED:
            whole = self.status is OrderStatus.CANCELLED and not self.refund.fee
            return PaymentStatus.REFUNDED if whole else PaymentStatus.PARTIALLY_REFUNDED
        if self.balance_due and self.status is not OrderStatus.CANCELLED:
            return PaymentStatus.DEPOSIT_PAID
        return PaymentStatus.PAID if self.paid or self.status in LAUNCHED else PaymentStatus.UNPAID

    @property
    def amount_paid(self) -> int:
        """What its payments paid for it and it still holds (its share, when paid with
        its shipping group; less the balance, when only the deposit is paid; less the stamp
        development given back when it launched unlabeled)."""
        target = self.shipping_group.group_id if self.shipping_group else self.order_number
        credited = self.stamps_credit + line_vat(self.stamps_credit, self.costs.vat_rate_bp)
        return self.amount_due(target) - self.balance_due - credited

    def cancellation_fee(self) -> cancellation.Fee:
        """What cancelling it now keeps: nothing unless the floor has received it."""
        if self.status is not OrderStatus.WORK_IN_PROCESS or self.production_stage is None:
            return cancellation.FREE
        # Finished and held for its balance: it is made, and costs what ready to ship does.
        finished = self.hold_reason is HoldReason.AWAITING_BALANCE
        return cancellation.fee_at(
            ProductionStage.READY_TO_SHIP if finished else self.production_stage,
            self.cancellation_fees,
            # Stamp development given back (launched unlabeled) is not charged again.
            basis=self.costs.manufacturing + self.costs.customization - self.stamps_credit,
            vat_rate_bp=self.costs.vat_rate_bp,
        )

    @property
    def estimated_ship_date(self) -> date | None:
        """When a launched order should be ready to ship."""
        if self.wip_started_at is None:
            return None
        days = self.lead_time_days or production.LEAD_TIME_DAYS[self.order_type]
        return production.estimated_ship_date(self.wip_started_at, days)

    def days_in_production(self, now: datetime) -> int | None:
        """Calendar days since launch (until it shipped, once shipped)."""
        return _days_in_production(self.wip_started_at, self.shipped_at, now)

    def is_late(self, now: datetime) -> bool:
        """In production past its estimated ship date."""
        return _late(self.status, self.estimated_ship_date, now)

    def summary(self) -> OrderSummary:
        """What the order pool and the board show of it."""
        return OrderSummary(
            order_number=self.order_number,
            account_id=self.account_id,
            revision=self.revision,
            version=self.version,
            status=self.status,
            order_type=self.order_type,
            design_id=self.design_id,
            design_version=self.design_version,
            design_name=self.specification.design_name,
            sizes=dict(self.sizes),
            labeling=self.labeling,
            costs=self.costs,
            shipping_group=self.shipping_group,
            created_at=self.created_at,
            payment_status=self.payment_status,
            production_stage=self.production_stage,
            hold_reason=self.hold_reason,
            wip_started_at=self.wip_started_at,
            shipped_at=self.shipped_at,
            estimated_ship_date=self.estimated_ship_date,
            late_flagged_at=self.late_flagged_at,
            tracking=self.tracking,
            refund=self.refund,
            balance_due=self.balance_due,
            invoice_number=self.invoice_number,
            credit_note_number=self.credit_note_number,
        )

    def flag_late(self, now: datetime, correlation_id: str) -> bool:
        """Found past its estimated ship date while in production: recorded and published
        once (`order.late`); False when it is not late or was flagged already."""
        estimate = self.estimated_ship_date
        if (
            not self.is_late(now)
            or self.late_flagged_at is not None
            or estimate is None
            or self.production_stage is None
        ):
            return False
        self.late_flagged_at = now
        days = self.days_in_production(now) or 0
        self.events.append(
            OrderLate(
                occurred_at=now,
                account_id=self.account_id,
                correlation_id=correlation_id,
                payload=OrderLatePayload(
                    order_number=self.order_number,
                    estimated_ship_date=estimate,
                    production_stage=self.production_stage,
                    days_in_production=days,
                    flagged_at=now,
                    contact_email=str(self.billing.email),
                ),
            )
        )
        return True

    def _applied(self, event_id: str) -> None:
        self.applied_events.append(event_id)
        del self.applied_events[:-APPLIED_EVENTS_KEPT]

    def _move(
        self,
        to: OrderStatus,
        cause: str,
        now: datetime,
        correlation_id: str,
        actor: str | None = None,
        cancellation_fee: int | None = None,
    ) -> None:
        if to not in TRANSITIONS[self.status]:
            raise OrderStateConflict(
                f"order {self.order_number} is {self.status.value}; it cannot become {to.value}"
            )
        before = self.status
        self.status = to
        self.history.append(StatusChange(to, now, cause, actor))
        self.events.append(
            OrderStatusChanged(
                occurred_at=now,
                account_id=self.account_id,
                correlation_id=correlation_id,
                causation_id=cause.split(":", 1)[1],
                actor=actor,
                payload=OrderStatusChangedPayload(
                    order_number=self.order_number,
                    from_status=before,
                    to_status=to,
                    cause=cause,
                    changed_at=now,
                    contact_email=str(self.billing.email),
                    tracking=self.tracking,
                    cancellation_fee=cancellation_fee,
                ),
            )
        )

    def _enter_stage(
        self,
        to: ProductionStage,
        cause: str,
        now: datetime,
        correlation_id: str,
        *,
        actor: str | None = None,
        note: str | None = None,
        station: str | None = None,
        rework: bool = False,
        unlabeled: bool = False,
        stamps_credit: int = 0,
    ) -> None:
        before = self.production_stage
        released = self.hold_reason if before is ProductionStage.ON_HOLD else None
        self.production_stage = to
        if to is not ProductionStage.ON_HOLD:
            self.hold_reason = None
        else:
            released = None
        self.history.append(StatusChange(self.status, now, cause, actor, to, note, station, rework))
        self.events.append(
            OrderStageChanged(
                occurred_at=now,
                account_id=self.account_id,
                correlation_id=correlation_id,
                causation_id=cause.split(":", 1)[1],
                actor=actor,
                payload=OrderStageChangedPayload(
                    order_number=self.order_number,
                    from_stage=before,
                    to_stage=to,
                    hold_reason=self.hold_reason,
                    released_hold=released,
                    unlabeled=unlabeled,
                    stamps_credit=stamps_credit,
                    rework=rework,
                    note=note,
                    station=station,
                    cause=cause,
                    changed_at=now,
                    estimated_ship_date=self.estimated_ship_date,
                    contact_email=str(self.billing.email),
                ),
            )
        )

    def move_stage(
        self,
        to: ProductionStage,
        cause: str,
        now: datetime,
        correlation_id: str,
        *,
        actor: str | None = None,
        note: str | None = None,
        station: str | None = None,
    ) -> bool:
        """Move a launched order on the floor (``production.stage_move``'s rules): an
        operator's request or a station's scan alike. False when it is already there."""
        if self.status is not OrderStatus.WORK_IN_PROCESS or self.production_stage is None:
            raise OrderStateConflict(
                f"order {self.order_number} is {self.status.value}; only orders in process "
                "move through production stages"
            )
        if self.hold_reason is HoldReason.AWAITING_STAMPS:
            raise OrderStateConflict(
                f"order {self.order_number} waits for the brand's stamps to be approved; it "
                "launches then, or unlabeled once its hold runs out"
            )
        if self.hold_reason is HoldReason.AWAITING_BALANCE:
            if to is ProductionStage.READY_TO_SHIP:
                return False  # it is finished already, and waits for its balance
            raise OrderStateConflict(
                f"order {self.order_number} is finished and waits for its balance "
                f"({self.balance_due} {self.costs.currency}) before it ships"
            )
        move = production.stage_move(self.order_number, self.production_stage, to, note)
        if move is None:
            return False
        if move.to is ProductionStage.READY_TO_SHIP and self.balance_due:
            self.hold_reason = HoldReason.AWAITING_BALANCE
            self._enter_stage(
                ProductionStage.ON_HOLD,
                cause,
                now,
                correlation_id,
                actor=actor,
                note="finished: it ships once its balance is paid",
                station=station,
            )
            return True
        self._enter_stage(
            move.to,
            cause,
            now,
            correlation_id,
            actor=actor,
            note=note,
            station=station,
            rework=move.rework,
        )
        return True

    def apply_stage_report(
        self, event_id: str, to: ProductionStage, station: str | None, now: datetime
    ) -> bool:
        """A floor station's scan, applied once per event as an operator's move would be."""
        if event_id in self.applied_events:
            return False
        moved = self.move_stage(to, f"event:{event_id}", now, event_id, station=station)
        self._applied(event_id)
        return moved

    def ship(self, tracking: Tracking, cause: str, now: datetime, correlation_id: str) -> bool:
        """Its shipment left with ``tracking``: only from ready to ship (409 otherwise).
        Shipped again with the same tracking changes nothing."""
        if self.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            if self.tracking != tracking:
                raise OrderStateConflict(
                    f"order {self.order_number} already shipped with "
                    f"{self.tracking.carrier.value if self.tracking else '?'} "
                    f"{self.tracking.number if self.tracking else '?'}"
                )
            return False
        if self.production_stage is not ProductionStage.READY_TO_SHIP:
            stage = self.production_stage.value if self.production_stage else self.status.value
            raise OrderStateConflict(
                f"order {self.order_number} is at {stage}; it ships once ready_to_ship"
            )
        self.tracking = tracking
        self.shipped_at = now
        self._move(OrderStatus.SHIPPED, cause, now, correlation_id)
        self.production_stage = None
        return True

    def deliver(self, cause: str, now: datetime, correlation_id: str) -> bool:
        """The carrier delivered it; delivered again changes nothing."""
        if self.status is OrderStatus.DELIVERED:
            return False
        self._move(OrderStatus.DELIVERED, cause, now, correlation_id)
        return True

    def mark_paid(
        self,
        event_id: str,
        correlation_id: str,
        now: datetime,
        part: Part = "full",
        balance: int = 0,
        stamps_ready: bool = True,
    ) -> bool:
        """Payment cleared: launch to production (Work In Process).

        An order with custom stamps whose brand's stamps are not all approved yet
        (``stamps_ready`` false) waits on hold (``awaiting_stamps``) instead of entering
        the queue.

        It enters the queue for the floor, with its launch day and estimated ship date;
        a deposit launches it too, and ``balance`` stays due before it ships. The balance
        paid releases it if it waits at ready to ship for it. Idempotent: an event already
        applied changes nothing (returns False), and so does a payment for an order
        already launched. A payment for an order already cancelled launches nothing: it
        is recorded, and the payments service refunds it.
        """
        if event_id in self.applied_events:
            return False
        if part == "balance":
            return self._balance_paid(event_id, correlation_id, now)
        if self.status in LAUNCHED:
            return False
        self.paid = True
        if part == "deposit":
            self.balance_due = balance
        if self.status is OrderStatus.CANCELLED:
            self.history.append(
                StatusChange(
                    self.status,
                    now,
                    f"event:{event_id}",
                    note="a payment cleared after the order was cancelled: it is refunded",
                )
            )
            self._applied(event_id)
            return True
        self._move(OrderStatus.WORK_IN_PROCESS, f"event:{event_id}", now, correlation_id)
        self.wip_started_at = now
        if self.labeling is Labeling.CUSTOM_STAMPS and not stamps_ready:
            self.hold_reason = HoldReason.AWAITING_STAMPS
            self._enter_stage(
                ProductionStage.ON_HOLD,
                f"event:{event_id}",
                now,
                correlation_id,
                note="paid: it launches once the brand approves its stamps' proof",
            )
        else:
            self._enter_stage(ProductionStage.QUEUED, f"event:{event_id}", now, correlation_id)
        self._applied(event_id)
        return True

    @property
    def awaits_stamps(self) -> bool:
        """Paid, and on hold until the brand's stamps are approved."""
        return (
            self.status is OrderStatus.WORK_IN_PROCESS
            and self.production_stage is ProductionStage.ON_HOLD
            and self.hold_reason is HoldReason.AWAITING_STAMPS
        )

    def release_for_stamps(
        self, cause: str, now: datetime, correlation_id: str, *, unlabeled: bool = False
    ) -> bool:
        """Launch an order that waited for the brand's stamps: into the queue with them
        (approved), or, ``unlabeled``, without them once its hold ran out (its labeling
        becomes ``unlabeled``). False when it no longer waits."""
        if not self.awaits_stamps:
            return False
        if unlabeled:
            self.labeling = Labeling.UNLABELED
            # The stamps were never developed: what it paid to develop them goes back.
            self.stamps_credit = self.costs.customization
        self._enter_stage(
            ProductionStage.QUEUED,
            cause,
            now,
            correlation_id,
            note=(
                "launched unlabeled: the brand's stamps were not approved in time"
                if unlabeled
                else "the brand's stamps are approved: launched"
            ),
            unlabeled=unlabeled,
            stamps_credit=self.stamps_credit,
        )
        return True

    def remind_hold(self, release_at: datetime, now: datetime, correlation_id: str) -> bool:
        """Tell the brand, once, that the order launches unlabeled at ``release_at``
        unless its stamps are approved first (`order.hold_expiring`)."""
        if not self.awaits_stamps or self.hold_reminded_at is not None:
            return False
        self.hold_reminded_at = now
        self.events.append(
            OrderHoldExpiring(
                occurred_at=now,
                account_id=self.account_id,
                correlation_id=correlation_id,
                payload=OrderHoldExpiringPayload(
                    order_number=self.order_number,
                    hold_reason=HoldReason.AWAITING_STAMPS,
                    release_at=release_at,
                    contact_email=str(self.billing.email),
                ),
            )
        )
        return True

    def _balance_paid(self, event_id: str, correlation_id: str, now: datetime) -> bool:
        if not self.balance_due:
            return False
        self.balance_due = 0
        self._applied(event_id)
        if self.hold_reason is HoldReason.AWAITING_BALANCE:
            self._enter_stage(
                ProductionStage.READY_TO_SHIP,
                f"event:{event_id}",
                now,
                correlation_id,
                note="the balance is paid: it ships",
            )
        return True

    def revise(
        self,
        *,
        sizes: dict[str, int],
        shipping_address: Address,
        billing: BillingInfo,
        costs: OrderCosts,
        request_id: str,
        now: datetime,
        actor: str | None = None,
    ) -> None:
        """Edit a pending order: a new version with the new price. Paid orders are final."""
        self.ensure_editable()
        check_sizes(sizes)
        self.previous_versions.append(
            OrderVersion(
                self.version,
                dict(self.sizes),
                self.shipping_address,
                self.billing,
                self.costs,
                now,
                f"request:{request_id}",
                actor,
            )
        )
        self.version += 1
        self.sizes = dict(sizes)
        self.shipping_address = shipping_address
        self.billing = billing
        self.costs = costs
        self.events.append(
            OrderRevised(
                occurred_at=now,
                account_id=self.account_id,
                correlation_id=request_id,
                causation_id=request_id,
                actor=actor,
                payload=OrderRevisedPayload(
                    order_number=self.order_number,
                    version=self.version,
                    sizes=self.sizes,
                    pairs=self.pairs,
                    shipping_address=shipping_address,
                    billing=billing,
                    costs=costs,
                    revised_at=now,
                ),
            )
        )

    def ensure_editable(self) -> None:
        """Only an order pending payment, in no shipping group, can be edited (409)."""
        if self.status is not OrderStatus.PENDING_PAYMENT:
            raise OrderStateConflict(
                f"order {self.order_number} is {self.status.value}; only orders pending payment "
                "can be edited"
            )
        self._not_grouped("edited")

    def amount_due(self, target: str) -> int:
        """What paying for ``target`` asks of this order now: paid on its own, its total;
        paid with its shipping group, its manufacturing and customization and its share
        of the group's shipping, with VAT on each of those lines at the order's rate."""
        if target == self.order_number or self.shipping_group is None:
            return self.costs.total
        lines = (self.costs.manufacturing, self.shipping_group.allocation, self.costs.customization)
        return sum(lines) + vat_on_lines(lines, self.costs.vat_rate_bp)

    def flag_payment(self, event_id: str, reason: str) -> bool:
        """Record a payment that is not applied (once per event)."""
        if event_id in self.applied_events:
            return False
        self.payment_flags.append(f"{event_id}: {reason}")
        self._applied(event_id)
        return True

    def join_shipping_group(self, group_id: str, allocation: int, event_id: str) -> bool:
        """Record that the order ships in a group, with its share of the group's shipping
        cost. Idempotent per event; returns False when nothing changed."""
        if event_id in self.applied_events:
            return False
        if self.status is not OrderStatus.PENDING_PAYMENT:
            # Paid on its own (or cancelled) before the group reached us: the shipping
            # service dissolves such a group when it learns of it, so nothing to record.
            return False
        self.shipping_group = ShippingGroupMembership(group_id, allocation)
        self._applied(event_id)
        return True

    def leave_shipping_group(self, group_id: str, event_id: str) -> bool:
        """The group was dissolved before payment; the order ships on its own again."""
        if event_id in self.applied_events or self.shipping_group is None:
            return False
        if self.shipping_group.group_id != group_id:
            return False
        self.shipping_group = None
        self._applied(event_id)
        return True

    def _not_grouped(self, what: str) -> None:
        if self.shipping_group is not None:
            group = self.shipping_group.group_id
            raise OrderStateConflict(
                f"order {self.order_number} ships in shipping group {group}, priced for it as "
                f"it is; to have it {what}, dissolve the group first "
                f"(DELETE /api/v1/shipping-groups/{group})"
            )

    def cancel(
        self, request_id: str, now: datetime, actor: str | None = None, *, accept_fee: bool = False
    ) -> None:
        """Withdraw an order. Pending: free, unless it is in a shipping group (dissolve the
        group first). Paid and in process: refunded in full before the floor received it;
        from `received` on, less the fee for its stage, which the caller must accept
        (``CancellationFeeNotAccepted`` states it). Shipped or cancelled: 409. A paid
        order in a shipping group leaves it: the rest of the group ships without it."""
        if self.status is not OrderStatus.WORK_IN_PROCESS:  # pending; or refused (409)
            if self.status is OrderStatus.PENDING_PAYMENT:
                self._not_grouped("cancelled")
            self._move(OrderStatus.CANCELLED, f"request:{request_id}", now, request_id, actor)
            return
        if self.balance_due and self.shipping_group is not None:
            # The group's balance would still ask for this order's part; until payments
            # can take it off, the group pays its balance first (then this is refunded).
            raise OrderStateConflict(
                f"order {self.order_number} ships in group {self.shipping_group.group_id}, "
                "whose balance is not paid yet: pay the group's balance first, then cancel "
                "it (it is refunded less the fee)"
            )
        fee = self.cancellation_fee()
        paid = self.amount_paid
        refund = max(0, paid - fee.gross)
        stage = self.production_stage.value if self.production_stage else self.status.value
        if fee.gross and not accept_fee:
            raise CancellationFeeNotAccepted(
                f"order {self.order_number} is at {stage}: cancelling it now keeps a fee of "
                f"{fee.gross} {self.costs.currency} (VAT included) and refunds {refund}; "
                'send {"accept_fee": true} to accept it',
                fee=fee.gross,
                refund=refund,
                currency=self.costs.currency,
                stage=stage,
            )
        self._move(
            OrderStatus.CANCELLED,
            f"request:{request_id}",
            now,
            request_id,
            actor,
            cancellation_fee=fee.net,
        )
        self.paid = True
        self.production_stage, self.hold_reason = None, None
        if refund:
            self.refund = Refund(refund, fee.gross, self.costs.currency, RefundStatus.PENDING)

    def record_invoice(self, event_id: str, number: str, kind: str) -> bool:
        """An invoice (or credit note) listing this order was issued."""
        if event_id in self.applied_events:
            return False
        if kind == "credit_note":
            self.credit_note_number = number
        else:
            self.invoice_number = number
        self._applied(event_id)
        return True

    def apply_refund(
        self,
        event_id: str,
        refund_id: str,
        amount: int,
        fee: int,
        currency: str,
        status: RefundStatus,
    ) -> bool:
        """The payments service made (or moved on) a refund of this order's money: the
        order shows their sum (an order paid in two halves is refunded to each payment),
        failed if any failed, pending until every part succeeded."""
        if event_id in self.applied_events:
            return False
        self.refund_parts[refund_id] = Refund(amount, fee, currency, status)
        parts = list(self.refund_parts.values())
        statuses = {p.status for p in parts}
        overall = next(
            (
                s
                for s in (RefundStatus.FAILED, RefundStatus.CANCELED, RefundStatus.PENDING)
                if s in statuses
            ),
            RefundStatus.SUCCEEDED,
        )
        self.refund = Refund(
            sum(p.amount for p in parts), sum(p.fee for p in parts), currency, overall
        )
        self._applied(event_id)
        return True


def _days_in_production(
    wip_started_at: datetime | None, shipped_at: datetime | None, now: datetime
) -> int | None:
    if wip_started_at is None:
        return None
    return production.days_in_production(wip_started_at, shipped_at or now)


def _late(status: OrderStatus, estimate: date | None, now: datetime) -> bool:
    return status is OrderStatus.WORK_IN_PROCESS and estimate is not None and now.date() > estimate


@dataclass(frozen=True)
class OrderSummary:
    """An order as its brand's pool and the factory's board list it: a read model, kept
    beside the order and written with each of its changes (``revision``: of the order
    it was taken from), so a page reads small documents instead of whole orders."""

    order_number: str
    account_id: str
    revision: int
    version: int
    status: OrderStatus
    order_type: OrderType
    design_id: str
    design_version: int
    design_name: str
    sizes: dict[str, int]
    labeling: Labeling
    costs: OrderCosts
    shipping_group: ShippingGroupMembership | None
    created_at: datetime
    payment_status: PaymentStatus
    production_stage: ProductionStage | None
    hold_reason: HoldReason | None
    wip_started_at: datetime | None
    shipped_at: datetime | None
    estimated_ship_date: date | None
    late_flagged_at: datetime | None
    tracking: Tracking | None
    refund: Refund | None
    balance_due: int
    invoice_number: str | None
    credit_note_number: str | None

    @property
    def pairs(self) -> int:
        return sum(self.sizes.values())

    def days_in_production(self, now: datetime) -> int | None:
        return _days_in_production(self.wip_started_at, self.shipped_at, now)

    def is_late(self, now: datetime) -> bool:
        return _late(self.status, self.estimated_ship_date, now)


def check_sizes(sizes: dict[str, int]) -> None:
    """The size run has at least one size and every size at least one pair."""
    if not sizes:
        raise InvalidOrder("the size run is empty: give at least one EU size with pairs")
    bad = sorted(size for size, pairs in sizes.items() if pairs < 1)
    if bad:
        raise InvalidOrder(f"every size needs at least one pair; check sizes {', '.join(bad)}")


def check_out(
    command: Checkout,
    order_number: str,
    now: datetime,
    specification: OrderSpecification,
    costs: OrderCosts,
    labeling: Labeling,
    lead_time_days: int | None = None,
    cancellation_fees: tuple[CancellationFee, ...] = (),
) -> Order:
    """Record a new order as Pending Payment, with its `order.submitted` event."""
    check_sizes(command.sizes)
    order = Order(
        order_number=order_number,
        account_id=command.account_id,
        status=OrderStatus.PENDING_PAYMENT,
        order_type=command.order_type,
        design_id=command.design_id,
        design_version=command.design_version,
        bom_hash=command.bom_hash,
        sizes=dict(command.sizes),
        labeling=labeling,
        shipping_address=command.shipping_address,
        billing=command.billing,
        specification=specification,
        costs=costs,
        created_at=now,
        idempotency_key=command.idempotency_key,
        request_fingerprint=command.fingerprint(),
        lead_time_days=lead_time_days,
        cancellation_fees=cancellation_fees,
        history=[
            StatusChange(
                OrderStatus.PENDING_PAYMENT, now, f"request:{command.request_id}", command.actor
            )
        ],
    )
    order.events.append(
        OrderSubmitted(
            occurred_at=now,
            account_id=order.account_id,
            correlation_id=command.request_id,
            causation_id=command.request_id,
            actor=command.actor,
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
                specification=specification,
                costs=costs,
                created_at=now,
            ),
        )
    )
    return order


def payment_problem(
    target: str, amount: int, currency: str, orders: list[Order], part: Part = "full"
) -> str | None:
    """Why a cleared payment for ``target`` (an order number or a shipping group id)
    cannot start production of ``orders``, or None when it pays exactly what they cost
    now (all of it, its deposit, or the balance after it). Production never starts on a
    payment for an old price or for someone else's order: a mismatch is flagged for a
    person, never applied. ``PaymentAheadOfGroup`` when the group's own event has not
    reached an order yet (retried)."""
    pending = (
        [o for o in orders if o.balance_due]
        if part == "balance"
        else [o for o in orders if o.status is OrderStatus.PENDING_PAYMENT]
    )
    if not pending:
        return None  # already applied (or cancelled): nothing to start
    if not is_order_number(target):
        for order in pending:
            if order.shipping_group is None:
                raise PaymentAheadOfGroup(f"order {order.order_number} has not joined {target}")
            if order.shipping_group.group_id != target:
                return f"order {order.order_number} ships in {order.shipping_group.group_id}"
    elif [o.order_number for o in orders] != [target]:
        return f"a payment for order {target} names other orders"
    currencies = {o.costs.currency for o in orders}
    due = due_for(part, sum(o.amount_due(target) for o in orders))
    if currencies != {currency} or amount != due:
        return f"paid {amount} {currency}, due {due} {'/'.join(sorted(currencies))}"
    return None
