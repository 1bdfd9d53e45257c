"""Custom stamps: a brand's artwork, the factory's proof, the brand's answer (public API
shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bespoke_contracts.api.query import QueryString
from bespoke_contracts.stamps import StampKind, StampStatus

ARTWORK_MAX_BYTES = 10 * 1024 * 1024
"""The largest artwork (or proof) file accepted: 10 MB."""


class StoredFile(BaseModel):
    """A file kept with a stamp: what it is, as recognised from its content."""

    filename: str = Field(description="The name it was sent with (kept for downloads only).")
    content_type: str = Field(
        description="Recognised from the content: `image/svg+xml`, `application/pdf`, "
        "`application/postscript` (EPS) or, for proofs, `image/png`."
    )
    bytes: int = Field(ge=1, description="Size in bytes.")
    sha256: str = Field(description="SHA-256 of the content, hex.")
    uploaded_at: datetime
    uploaded_by: str | None = Field(default=None, description="Who sent it.")


class Artwork(StoredFile):
    """The brand's artwork for a stamp."""

    warnings: list[str] = Field(
        default_factory=list,
        description="What breaks the factory's artwork rules without refusing the file "
        "(colours other than black on white, gradients): the proof may differ.",
    )
    thumbnail: bool = Field(
        default=False, description="A PNG preview exists (`GET …/thumbnail`; SVG artwork)."
    )


class Proof(StoredFile):
    """The factory's proof: the stamp's size, position and orientation."""

    note: str | None = Field(default=None, description="The factory's note with the proof.")


class StampChange(BaseModel):
    """One move of a stamp, oldest first."""

    status: StampStatus
    at: datetime
    actor: str | None = Field(description="Who: `user:usr_…`, `operator:op_…`, ….")
    comment: str | None = Field(default=None, description="Changes asked for, or a proof note.")


class StampResponse(BaseModel):
    """One stamp: its artwork, the factory's proof and where it is."""

    id: str = Field(description="e.g. `stp_...`.")
    account_id: str = Field(description="The brand.")
    kind: StampKind
    status: StampStatus
    artwork: Artwork
    proof: Proof | None = Field(description="Once the factory sent one.")
    comment: str | None = Field(
        description="The brand's latest request for changes, while `changes_requested`."
    )
    history: list[StampChange]
    created_at: datetime
    updated_at: datetime


class StampList(BaseModel):
    """A page of stamps, newest first."""

    items: list[StampResponse]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class StampQuery(QueryString):
    """The factory's stamp queue (`GET /api/v1/ops/stamps`): every brand's stamps."""

    status: StampStatus | None = Field(
        default=None,
        description="Only this status: `artwork_received` awaits a proof, `proof_sent` "
        "awaits the brand.",
    )
    account_id: str | None = Field(default=None, max_length=100, description="Only this brand.")
    limit: int = Field(default=50, ge=1, le=200, description="Page size.")
    cursor: str | None = Field(
        default=None, max_length=40, description="`next_cursor` of the previous page."
    )


class ChangesRequest(BaseModel):
    """What the brand wants changed in the proof."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(min_length=1, max_length=2000, description="What to change.")


class StampStatusRequest(BaseModel):
    """The factory's progress on an approved stamp's mold."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["in_production", "ready"] = Field(
        description="`in_production` once approved, then `ready`."
    )
