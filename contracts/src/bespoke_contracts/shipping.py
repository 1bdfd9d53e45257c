"""Shipping events: `shipment.grouped`."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bespoke_contracts.envelope import Envelope
from bespoke_contracts.orders import OrderNumber

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


class ShipmentUngrouped(Envelope[ShipmentUngroupedPayload]):
    """A shipping group was dissolved before payment: each order's own invoice returns."""

    TOPIC = SHIPMENT_UNGROUPED

    event_type: Literal["shipment.ungrouped"] = SHIPMENT_UNGROUPED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The shipping group id."""
        return self.payload.group_id.encode()
