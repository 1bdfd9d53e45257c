"""Factory-floor events: `production.stage_reported`, written by the floor's systems."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import OrderNumber, ProductionStage

STAGE_REPORTED: Final = "production.stage_reported"
"""Topic of :class:`StageReported`; key: the order number. Written by the factory floor's
systems (the downstream principal), read by orders."""


class StageReportedPayload(BaseModel):
    """A station on the floor scanned an order's job ticket: the pairs are at this stage."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    stage: ProductionStage = Field(description="Where the pairs are now.")
    station: str | None = Field(
        default=None, max_length=80, description="The station that scanned, e.g. `cutting-2`."
    )
    reported_at: AwareDatetime = Field(description="When the station scanned it.")


class StageReported(Envelope[StageReportedPayload]):
    """A floor scan. Orders applies it as an operator's move would, once per `event_id`;
    one that cannot apply (an unknown order, a move back) goes to the `.dlq` with the
    reason. `account_id` may be empty: a scanner knows the order, not the brand."""

    TOPIC = STAGE_REPORTED

    event_type: Literal["production.stage_reported"] = STAGE_REPORTED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()
