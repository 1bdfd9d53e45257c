"""Shipping events: `shipment.grouped`, `shipment.ungrouped`, `shipment.status_changed`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import Address, OrderNumber
from bespoke_contracts.tracking import Tracking

SHIPMENT_GROUPED: Final = "shipment.grouped"
"""Topic of :class:`ShipmentGrouped`; key: the shipping group id."""

MinorUnits = Annotated[int, Field(ge=0, description="Integer minor units (e.g. cents).")]


class ShipmentGroupedPayload(BaseModel):
    """Several pending orders will share one invoice and one shipment."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    group_id: str = Field(description="The shipping group.")
    order_numbers: list[OrderNumber] = Field(min_length=2, description="Orders in the group.")
    pairs: int = Field(ge=1, description="Pairs shipped together.")
    shipping_cost: MinorUnits = Field(description="What the group's shipment costs.")
    individual_shipping_cost: MinorUnits = Field(
        description="What shipping the orders one by one would have cost."
    )
    saving: MinorUnits = Field(description="`individual_shipping_cost - shipping_cost`.")
    allocations: dict[OrderNumber, MinorUnits] = Field(
        description="The group's shipping cost split per order; sums to `shipping_cost`."
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")
    contact_email: str = Field(description="Billing email of the brand.")
    grouped_at: AwareDatetime = Field(description="When the group was formed.")


class ShipmentGrouped(Envelope[ShipmentGroupedPayload]):
    """Orders were grouped for one invoice and one shipment at a lower cost per pair."""

    TOPIC = SHIPMENT_GROUPED

    event_type: Literal["shipment.grouped"] = SHIPMENT_GROUPED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The shipping group id."""
        return self.payload.group_id.encode()


SHIPMENT_UNGROUPED: Final = "shipment.ungrouped"
"""Topic of :class:`ShipmentUngrouped`; key: the shipping group id."""


class ShipmentUngroupedPayload(BaseModel):
    """An unpaid shipping group was dissolved: its orders ship and are paid on their own."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    group_id: str = Field(description="The dissolved shipping group.")
    order_numbers: list[OrderNumber] = Field(min_length=1, description="Orders it held.")
    dissolved_at: AwareDatetime = Field(description="When it was dissolved.")
    reason: str = Field(
        default="dissolved by the brand",
        description="Why: the brand dissolved it, or one of its orders was cancelled, edited "
        "or paid on its own.",
    )
    contact_email: str | None = Field(
        default=None, description="Billing email of the brand (absent in early events)."
    )


class ShipmentUngrouped(Envelope[ShipmentUngroupedPayload]):
    """A shipping group was dissolved before payment: each order's own invoice returns."""

    TOPIC = SHIPMENT_UNGROUPED

    event_type: Literal["shipment.ungrouped"] = SHIPMENT_UNGROUPED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The shipping group id."""
        return self.payload.group_id.encode()


SHIPMENT_STATUS_CHANGED: Final = "shipment.status_changed"
"""Topic of :class:`ShipmentStatusChanged`; key: the shipment id."""


class ShipmentStatus(StrEnum):
    """Where a shipment is: it exists once paid, waits for production, then leaves."""

    AWAITING_PRODUCTION = "awaiting_production"
    READY_TO_SHIP = "ready_to_ship"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    """Every order in it was cancelled before it shipped: nothing leaves."""


class ShipmentStatusChangedPayload(BaseModel):
    """A shipment was created (``from_status`` null) or moved to a later stage."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    shipment_id: str = Field(description="`shp_<order number or group id>`.")
    group_id: str | None = Field(description="The shipping group shipped, if any.")
    order_numbers: list[OrderNumber] = Field(min_length=1, description="Orders in the shipment.")
    pairs: int = Field(ge=1, description="Pairs in the shipment.")
    destination: Address = Field(description="Where it ships.")
    from_status: ShipmentStatus | None = Field(description="Before; null when just created.")
    to_status: ShipmentStatus = Field(description="After.")
    tracking_number: str | None = Field(default=None, description="Carrier tracking number.")
    carrier: str | None = Field(default=None, description="Carrier name.")
    tracking: Tracking | None = Field(
        default=None, description="The parcel's carrier, number and tracking page, once shipped."
    )
    changed_at: AwareDatetime = Field(description="When it changed.")
    contact_email: str = Field(description="Billing email of the brand.")


class ShipmentStatusChanged(Envelope[ShipmentStatusChangedPayload]):
    """A shipment exists (`awaiting_production`, right after payment) or moved on
    (`ready_to_ship`, `shipped` with a tracking number)."""

    TOPIC = SHIPMENT_STATUS_CHANGED

    event_type: Literal["shipment.status_changed"] = SHIPMENT_STATUS_CHANGED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The shipment id."""
        return self.payload.shipment_id.encode()
