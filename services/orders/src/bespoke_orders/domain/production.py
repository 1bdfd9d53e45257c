"""The floor's rules: which production stage an order may move to, and when it should
be ready to ship. Pure: no I/O, no clock of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bespoke_contracts import OrderType, ProductionStage
from bespoke_orders.domain.errors import OrderStateConflict

STAGES = list(ProductionStage)
"""Every stage, in the order the pairs go through them."""

REWORK_FROM = ProductionStage.QUALITY_CHECK
REWORK_TO = frozenset(
    STAGES[STAGES.index(ProductionStage.RECEIVED) : STAGES.index(ProductionStage.QUALITY_CHECK)]
)
"""Quality check may send pairs back to a stage on the floor (never to the queue)."""

LEAD_TIME_DAYS: dict[OrderType, int] = {
    OrderType.MTO: 28,
    OrderType.MINI_BULK: 35,
    OrderType.BULK: 56,
}
"""The order types' lead times, for an order checked out before its quote carried one
(the design catalog's `lead_time_days` are the source)."""


@dataclass(frozen=True)
class StageMove:
    """A move the rules allow: ``rework`` when it sends pairs back from quality check."""

    to: ProductionStage
    rework: bool


def stage_move(
    order_number: str, current: ProductionStage, to: ProductionStage, note: str | None
) -> StageMove | None:
    """The move from ``current`` to ``to``, or None when ``to`` is where the order is (a
    repeated scan or request changes nothing). Forward to any later stage (a station's
    scan may be missed); back only from quality check to a floor stage, with a note saying
    what to rework; anything else is a conflict."""
    if to is current:
        return None
    if STAGES.index(to) > STAGES.index(current):
        return StageMove(to, rework=False)
    if current is not REWORK_FROM:
        raise OrderStateConflict(
            f"order {order_number} is at {current.value}; it cannot go back to {to.value} "
            f"(only {REWORK_FROM.value} sends pairs back, for rework)"
        )
    if to not in REWORK_TO:
        raise OrderStateConflict(
            f"rework sends order {order_number} back to a floor stage "
            f"({', '.join(s.value for s in STAGES if s in REWORK_TO)}), not {to.value}"
        )
    if not (note and note.strip()):
        raise OrderStateConflict(
            f"sending order {order_number} back to {to.value} is rework: say what in a note"
        )
    return StageMove(to, rework=True)


def estimated_ship_date(started: datetime, lead_time_days: int) -> date:
    """The day an order launched on ``started`` should be ready to ship."""
    return started.date() + timedelta(days=lead_time_days)


def days_in_production(started: datetime, until: datetime) -> int:
    """Calendar days from the launch day to ``until`` (0 on the day it launched)."""
    return max(0, (until.date() - started.date()).days)
