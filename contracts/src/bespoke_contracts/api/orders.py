"""Checkout and order views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bespoke_contracts.orders import (
    Address,
    BillingInfo,
    EuSize,
    Labeling,
    OrderStatus,
    OrderType,
)


class CheckoutRequest(BaseModel):
    """Check out one confirmed design version as an order."""

    model_config = ConfigDict(extra="forbid")

    design_id: str = Field(min_length=1, max_length=100, description="The design to produce.")
    design_version: int = Field(ge=1, description="The immutable design version confirmed.")
    bom_hash: str = Field(
        min_length=1, max_length=200, description="`bom_hash` of the bill of materials confirmed."
    )
    order_type: OrderType = Field(description="`mto`, `mini_bulk` or `bulk`.")
    sizes: dict[EuSize, int] = Field(
        min_length=1, description='Size run: EU size (`"42"`, `"42.5"`) -> pairs.'
    )
    shipping_address: Address = Field(description="Where the order ships.")
    billing: BillingInfo = Field(description="Who is invoiced; `billing.email` receives emails.")
    labeling: Labeling = Field(description="`unlabeled` or `custom_stamps`.")


class StatusChange(BaseModel):
    """One step of an order's status history."""

    status: OrderStatus
    at: datetime
    cause: str = Field(description="What caused it: `request:<id>` or `event:<event_id>`.")


class OrderResponse(BaseModel):
    """An order with its full specifications."""

    order_number: str = Field(description="Sequential factory order number, e.g. `BF-000042`.")
    status: OrderStatus
    order_type: OrderType
    design_id: str
    design_version: int
    bom_hash: str
    sizes: dict[str, int] = Field(description="EU size -> pairs.")
    pairs: int = Field(description="Total pairs.")
    labeling: Labeling
    shipping_address: Address
    billing: BillingInfo
    created_at: datetime
