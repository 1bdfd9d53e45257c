"""Custom stamps: a brand's logo molds, from its artwork through the factory's proof and
the brand's approval to a mold on the floor; and what they mean for its orders.

Pure model: no I/O. A stamp records the events it causes in ``events``; the repository
stores them in the stamp's own document (the outbox) in the same write.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bespoke_contracts import (
    APPROVED_OR_LATER,
    Envelope,
    StampKind,
    StampStatus,
    StampStatusChanged,
    StampStatusChangedPayload,
)
from bespoke_orders.domain.errors import StampStateConflict

NEXT: dict[StampStatus, frozenset[StampStatus]] = {
    StampStatus.ARTWORK_RECEIVED: frozenset({StampStatus.PROOF_SENT}),
    StampStatus.PROOF_SENT: frozenset(
        {StampStatus.PROOF_SENT, StampStatus.APPROVED, StampStatus.CHANGES_REQUESTED}
    ),
    StampStatus.CHANGES_REQUESTED: frozenset({StampStatus.ARTWORK_RECEIVED}),
    StampStatus.APPROVED: frozenset({StampStatus.IN_PRODUCTION}),
    StampStatus.IN_PRODUCTION: frozenset({StampStatus.READY}),
    StampStatus.READY: frozenset(),
}
"""The only moves a stamp makes: a proof may be sent again (corrected) until the brand
answers; new artwork follows a request for changes; the rest goes one way."""


@dataclass(frozen=True)
class StoredFile:
    """A file kept with a stamp (artwork, proof or thumbnail), by its id in the store."""

    file_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str | None = None
    warnings: tuple[str, ...] = ()
    thumbnail_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class StampChange:
    status: StampStatus
    at: datetime
    actor: str | None
    comment: str | None = None


@dataclass
class Stamp:
    """One of a brand's stamps: one per kind (insole, sole)."""

    stamp_id: str
    account_id: str
    kind: StampKind
    status: StampStatus
    artwork: StoredFile
    created_at: datetime
    updated_at: datetime
    proof: StoredFile | None = None
    comment: str | None = None
    """The brand's latest request for changes (while ``changes_requested``)."""
    history: list[StampChange] = field(default_factory=list)
    replaced_files: list[str] = field(default_factory=list)
    """Files this stamp no longer shows (earlier artwork and proofs), kept for the record."""
    revision: int = field(default=0, compare=False)
    events: list[Envelope[Any]] = field(default_factory=list, compare=False)

    def check_move(self, to: StampStatus) -> None:
        """Refuse (``StampStateConflict``) a move its status does not allow, before any
        file for it is stored. New artwork is also taken before the first proof."""
        again = to is StampStatus.ARTWORK_RECEIVED is self.status
        if not again and to not in NEXT[self.status]:
            raise StampStateConflict(_refusal(self, to))

    @property
    def settled(self) -> bool:
        """Approved (or past it): orders that need it may launch."""
        return self.status in APPROVED_OR_LATER

    def _move(
        self,
        to: StampStatus,
        actor: str | None,
        now: datetime,
        correlation_id: str,
        contact_email: str | None,
        comment: str | None = None,
    ) -> None:
        if to not in NEXT[self.status]:
            raise StampStateConflict(_refusal(self, to))
        before = self.status
        self.status, self.updated_at = to, now
        self.history.append(StampChange(to, now, actor, comment))
        self.events.append(_event(self, before, comment, actor, now, correlation_id, contact_email))

    def new_artwork(
        self,
        artwork: StoredFile,
        actor: str | None,
        now: datetime,
        correlation_id: str,
        contact_email: str | None,
    ) -> bool:
        """The brand's new artwork, after it asked for changes (or before any proof):
        back to ``artwork_received`` for a new proof."""
        if self.status is not StampStatus.ARTWORK_RECEIVED:
            self._move(StampStatus.ARTWORK_RECEIVED, actor, now, correlation_id, contact_email)
        else:  # a better file before the factory proofed the first: the same step again
            self.history.append(StampChange(self.status, now, actor, "new artwork"))
            self.updated_at = now
            self.events.append(
                _event(self, self.status, None, actor, now, correlation_id, contact_email)
            )
        self.replaced_files.append(self.artwork.file_id)
        if self.artwork.thumbnail_id:
            self.replaced_files.append(self.artwork.thumbnail_id)
        self.artwork, self.comment = artwork, None
        if self.proof is not None:
            self.replaced_files.append(self.proof.file_id)
            self.proof = None
        return True

    def send_proof(
        self,
        proof: StoredFile,
        actor: str | None,
        now: datetime,
        correlation_id: str,
        contact_email: str | None,
    ) -> bool:
        """The factory's proof of size, position and orientation: the brand answers it.
        A corrected proof may replace one the brand has not answered yet."""
        self._move(StampStatus.PROOF_SENT, actor, now, correlation_id, contact_email, proof.note)
        if self.proof is not None:
            self.replaced_files.append(self.proof.file_id)
        self.proof = proof
        return True

    def approve(
        self, actor: str | None, now: datetime, correlation_id: str, contact_email: str | None
    ) -> bool:
        """The brand approves the proof; approving again changes nothing (False)."""
        if self.settled:
            return False
        self._move(StampStatus.APPROVED, actor, now, correlation_id, contact_email)
        return True

    def request_changes(
        self,
        comment: str,
        actor: str | None,
        now: datetime,
        correlation_id: str,
        contact_email: str | None,
    ) -> bool:
        """The brand wants the proof changed: it says what, and sends new artwork."""
        self._move(
            StampStatus.CHANGES_REQUESTED, actor, now, correlation_id, contact_email, comment
        )
        self.comment = comment
        return True

    def advance(
        self,
        to: StampStatus,
        actor: str | None,
        now: datetime,
        correlation_id: str,
        contact_email: str | None,
    ) -> bool:
        """The factory's progress on the mold: ``in_production``, then ``ready``. The
        status it has already changes nothing (False)."""
        if to is self.status:
            return False
        if to not in (StampStatus.IN_PRODUCTION, StampStatus.READY):
            raise StampStateConflict(
                f"the factory moves a stamp to in_production or ready, not {to}"
            )
        self._move(to, actor, now, correlation_id, contact_email)
        return True


def _refusal(stamp: Stamp, to: StampStatus) -> str:
    at = stamp.status.value
    if stamp.status is StampStatus.PROOF_SENT and to is StampStatus.ARTWORK_RECEIVED:
        return (
            f"stamp {stamp.stamp_id} has a proof waiting for your answer: approve it or ask "
            "for changes before sending new artwork"
        )
    if stamp.settled and to is StampStatus.ARTWORK_RECEIVED:
        return f"stamp {stamp.stamp_id} is {at}: approved artwork is final"
    if to in (StampStatus.APPROVED, StampStatus.CHANGES_REQUESTED):
        return f"stamp {stamp.stamp_id} is {at}: only a proof (proof_sent) can be answered"
    if to is StampStatus.PROOF_SENT:
        return f"stamp {stamp.stamp_id} is {at}: a proof answers new artwork (artwork_received)"
    return f"stamp {stamp.stamp_id} is {at}; it cannot become {to.value}"


def _event(
    stamp: Stamp,
    before: StampStatus | None,
    comment: str | None,
    actor: str | None,
    now: datetime,
    correlation_id: str,
    contact_email: str | None,
) -> StampStatusChanged:
    return StampStatusChanged(
        occurred_at=now,
        account_id=stamp.account_id,
        correlation_id=correlation_id,
        actor=actor,
        payload=StampStatusChangedPayload(
            stamp_id=stamp.stamp_id,
            kind=stamp.kind,
            from_status=before,
            to_status=stamp.status,
            comment=comment,
            warnings=list(stamp.artwork.warnings),
            changed_at=now,
            contact_email=contact_email,
        ),
    )


def new_stamp_id() -> str:
    """``stp_<16 hex: time in ns><8 hex: random>``: unique, and newer ids sort later."""
    return f"stp_{time.time_ns():016x}{os.urandom(4).hex()}"


def receive(
    stamp_id: str,
    account_id: str,
    kind: StampKind,
    artwork: StoredFile,
    actor: str | None,
    now: datetime,
    correlation_id: str,
    contact_email: str | None,
) -> Stamp:
    """A new stamp: the brand's first artwork for this kind."""
    stamp = Stamp(
        stamp_id,
        account_id,
        kind,
        StampStatus.ARTWORK_RECEIVED,
        artwork,
        created_at=now,
        updated_at=now,
        history=[StampChange(StampStatus.ARTWORK_RECEIVED, now, actor)],
    )
    stamp.events.append(_event(stamp, None, None, actor, now, correlation_id, contact_email))
    return stamp


def stamps_ready(stamps: list[Stamp]) -> bool:
    """Whether a brand's pairs can carry its stamps: it has at least one, and every stamp
    it is developing is approved (an order needs each kind the brand sent artwork for)."""
    return bool(stamps) and all(s.settled for s in stamps)


@dataclass(frozen=True)
class HoldPolicy:
    """How long a paid order waits for the brand's stamps before it launches unlabeled,
    and how long before that the brand is reminded."""

    hold: timedelta = timedelta(days=10)
    reminder_before: timedelta = timedelta(days=3)

    def release_at(self, paid_at: datetime) -> datetime:
        return paid_at + self.hold

    def remind_at(self, paid_at: datetime) -> datetime:
        return self.release_at(paid_at) - self.reminder_before
