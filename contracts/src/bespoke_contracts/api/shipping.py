"""Group Shipping and shipments (public API shapes)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bespoke_contracts.api.query import QueryString
from bespoke_contracts.orders import Address, OrderNumber
from bespoke_contracts.shipping import ShipmentStatus
from bespoke_contracts.tracking import Carrier, Tracking, TrackingNumber


class GroupRequest(BaseModel):
    """Group pending orders of one brand, going to one address, for one invoice and one
    shipment."""

    model_config = ConfigDict(extra="forbid")

    order_numbers: list[OrderNumber] = Field(
        min_length=2,
        max_length=50,
        description="Two to fifty orders pending payment, not in another group, all "
        "shipping to the same address.",
    )


class GroupStatus(StrEnum):
    """`forming` for an instant while its orders are claimed; `open` until paid or
    dissolved."""

    FORMING = "forming"
    OPEN = "open"
    PAID = "paid"
    DISSOLVED = "dissolved"


class ShippingGroupView(BaseModel):
    """A shipping group: what shipping its orders together costs, and each order's share."""

    id: str = Field(description="Shipping group id, e.g. `SG-7K2M9Q4X3B`.")
    status: GroupStatus
    order_numbers: list[str]
    pairs: int = Field(description="Pairs shipped together.")
    destination: Address = Field(description="The one address every order ships to.")
    shipping_cost: int = Field(description="The group's shipment, integer minor units.")
    individual_shipping_cost: int = Field(
        description="What shipping each order on its own costs, summed."
    )
    saving: int = Field(description="`individual_shipping_cost - shipping_cost`.")
    allocations: dict[str, int] = Field(
        description="Order number -> its share of `shipping_cost` (sums to it exactly)."
    )
    individual_shipping_costs: dict[str, int] = Field(
        description="Order number -> its shipping cost on its own."
    )
    currency: str
    created_at: datetime
    formed_by: str | None = Field(
        default=None, description="Who formed it, e.g. `user:usr_…` or `api-token:tok_…`."
    )
    paid_at: datetime | None = None
    dissolved_at: datetime | None = None
    dissolved_reason: str | None = None
    dissolved_by: str | None = Field(
        default=None, description="Who dissolved it; null when the system did."
    )
    shipment_id: str | None = Field(default=None, description="Once paid: its shipment.")


class GroupPreview(BaseModel):
    """What grouping these orders would cost and save, before the group is formed."""

    order_numbers: list[str]
    pairs: int = Field(description="Pairs shipped together.")
    destination: Address
    shipping_cost: int = Field(description="The group's shipment, integer minor units.")
    individual_shipping_cost: int = Field(description="Shipping each order on its own, summed.")
    saving: int = Field(description="`individual_shipping_cost - shipping_cost`.")
    allocations: dict[str, int] = Field(description="Order number -> its share of the cost.")
    individual_shipping_costs: dict[str, int]
    currency: str


class ShippingGroupList(BaseModel):
    items: list[ShippingGroupView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null last.")


class ShipmentStage(BaseModel):
    """One entry of a shipment's timeline."""

    status: ShipmentStatus
    at: datetime


class ShipmentView(BaseModel):
    """One shipment: a paid order, or a paid shipping group's orders, in one parcel run."""

    id: str = Field(description="`shp_<order number or group id>`.")
    status: ShipmentStatus
    group_id: str | None
    order_numbers: list[str]
    pairs: int
    destination: Address
    tracking_number: str | None = None
    carrier: str | None = None
    tracking: Tracking | None = Field(default=None, description="The parcel, once shipped.")
    waiting_for: list[str] = Field(
        default_factory=list,
        description="Its orders not yet `ready_to_ship`: it ships once this is empty.",
    )
    history: list[ShipmentStage]


class ShipRequest(BaseModel):
    """The carrier collected a shipment (`POST /api/v1/ops/shipments/{id}/ship`)."""

    model_config = ConfigDict(extra="forbid")

    carrier: Carrier = Field(description="`ups` or `dhl`.")
    tracking_number: TrackingNumber


class ShippingGroupListQuery(QueryString):
    """A page of a brand's shipping groups (`GET /api/v1/shipping-groups`)."""

    limit: int = Field(default=20, ge=1, le=100, description="Page size.")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
