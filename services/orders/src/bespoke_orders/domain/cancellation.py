"""What cancelling a paid order costs: the factory's fee for the production stage it has
reached, from the schedule quoted at checkout (the design catalog's `cancellation_fees`).
Pure: no I/O.

Before the floor has received an order (`on_hold`, `queued`) cancelling is free and all
of it is refunded; from `received` on a fee for materials and labour is kept, growing to
the full price late in production; a shipped order cannot be cancelled at all."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts import CancellationFee, ProductionStage
from bespoke_contracts.vat import line_vat, share_bp

STAGES = list(ProductionStage)

DEFAULT_FEES: tuple[CancellationFee, ...] = (
    CancellationFee(stage=ProductionStage.RECEIVED, fixed=5000, share_bp=0),
    CancellationFee(stage=ProductionStage.CUTTING, fixed=9000, share_bp=1000),
    CancellationFee(stage=ProductionStage.CLOSING, fixed=9000, share_bp=3000),
    CancellationFee(stage=ProductionStage.LASTING, fixed=9000, share_bp=5000),
    CancellationFee(stage=ProductionStage.SOLING, fixed=9000, share_bp=7500),
    CancellationFee(stage=ProductionStage.FINISHING, fixed=0, share_bp=10_000),
)
"""For an order whose quote carried no schedule (checked out before quotes did); the
catalog's schedule is the source."""


@dataclass(frozen=True)
class Fee:
    """The fee for cancelling at a stage: net, its VAT, and both together."""

    net: int
    vat: int

    @property
    def gross(self) -> int:
        return self.net + self.vat


FREE = Fee(0, 0)


def fee_at(
    stage: ProductionStage,
    schedule: tuple[CancellationFee, ...] | list[CancellationFee],
    *,
    basis: int,
    vat_rate_bp: int,
) -> Fee:
    """The fee for cancelling at ``stage``: the schedule's entry for the latest stage at
    or before it (none before `received`: free), ``fixed`` plus ``share_bp`` of ``basis``
    (the order's manufacturing and customization, net), never more than ``basis``; VAT at
    the order's rate on it, rounded half up as every invoice line is."""
    reached = [f for f in schedule or DEFAULT_FEES if STAGES.index(f.stage) <= STAGES.index(stage)]
    if not reached:
        return FREE
    entry = reached[-1]
    net = min(basis, entry.fixed + share_bp(basis, entry.share_bp))
    return Fee(net, line_vat(net, vat_rate_bp))
