"""Custom stamps (a brand's logo molds): their kinds, their lifecycle and its event,
`stamp.status_changed`, written by orders (which owns a brand's labeling)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bespoke_contracts.envelope import Envelope

STAMP_STATUS_CHANGED: Final = "stamp.status_changed"
"""Topic of :class:`StampStatusChanged`; key: the stamp id."""


class StampKind(StrEnum):
    """Where a stamp marks the pairs."""

    INSOLE = "insole"
    """A metal mold heat-embossed on the leather insole."""
    SOLE = "sole"
    """A mark laser-engraved on the rubber sole."""


class StampStatus(StrEnum):
    """Where a stamp is on its way from the brand's artwork to a mold on the floor."""

    ARTWORK_RECEIVED = "artwork_received"
    """The brand sent artwork: the factory draws a proof."""
    PROOF_SENT = "proof_sent"
    """The factory sent a proof (size, position, orientation): the brand answers."""
    CHANGES_REQUESTED = "changes_requested"
    """The brand asked for changes: it sends new artwork."""
    APPROVED = "approved"
    """The brand approved the proof: orders waiting for it launch."""
    IN_PRODUCTION = "in_production"
    """The factory is making the mold."""
    READY = "ready"
    """The mold is made."""


APPROVED_OR_LATER: Final = frozenset(
    {StampStatus.APPROVED, StampStatus.IN_PRODUCTION, StampStatus.READY}
)
"""A stamp in one of these is settled: orders that need it may launch."""


class StampStatusChangedPayload(BaseModel):
    """A stamp moved on in its lifecycle (or got new artwork)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    stamp_id: str = Field(description="e.g. `stp_...`.")
    kind: StampKind = Field(description="`insole` or `sole`.")
    from_status: StampStatus | None = Field(description="Before; null for a new stamp.")
    to_status: StampStatus = Field(description="After.")
    comment: str | None = Field(
        default=None, description="The brand's changes asked for, or the factory's proof note."
    )
    warnings: list[str] = Field(
        default_factory=list, description="What the artwork check found against the rules."
    )
    changed_at: AwareDatetime = Field(description="When it moved.")
    contact_email: str | None = Field(
        description="Where the brand hears about it: its latest order's billing email (null "
        "before its first order)."
    )


class StampStatusChanged(Envelope[StampStatusChangedPayload]):
    """A stamp's move, with who made it (`actor`): notifications tells the brand of the
    factory's moves (a proof to answer, the mold made)."""

    TOPIC = STAMP_STATUS_CHANGED

    event_type: Literal["stamp.status_changed"] = STAMP_STATUS_CHANGED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The stamp id."""
        return self.payload.stamp_id.encode()
