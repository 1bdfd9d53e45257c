"""Carriers and tracking: where a brand follows a shipped parcel."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field


class Carrier(StrEnum):
    """The carriers the factory ships with."""

    UPS = "ups"
    DHL = "dhl"


TRACKING_PAGES: Final[dict[Carrier, str]] = {
    Carrier.UPS: "https://www.ups.com/track?tracknum={number}",
    Carrier.DHL: "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
    "?submit=1&tracking-id={number}",
}
"""Each carrier's public tracking page, by tracking number."""

TrackingNumber = Annotated[
    str,
    Field(
        min_length=6,
        max_length=40,
        pattern=r"^[A-Za-z0-9]+$",
        description="The carrier's tracking number (letters and digits).",
        examples=["1Z999AA10123456784"],
    ),
]


class Tracking(BaseModel):
    """A shipped parcel: its carrier, number and the carrier's tracking page."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    carrier: Carrier
    number: TrackingNumber
    url: str = Field(description="The carrier's tracking page for this parcel.")

    @classmethod
    def of(cls, carrier: Carrier, number: str) -> Tracking:
        return cls(
            carrier=carrier,
            number=number,
            url=TRACKING_PAGES[carrier].format(number=quote(number, safe="")),
        )
