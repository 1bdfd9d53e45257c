"""Checkout and order views."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bespoke_contracts.api.query import QueryString
from bespoke_contracts.orders import (
    Address,
    BillingInfo,
    EuSize,
    HoldReason,
    Labeling,
    OrderCosts,
    OrderSpecification,
    OrderStatus,
    OrderType,
    ProductionStage,
)
from bespoke_contracts.tracking import Tracking
from bespoke_contracts.vat import InvalidVatId, normalized_vat_id


class PaymentStatus(StrEnum):
    """Whether an order is paid for."""

    UNPAID = "unpaid"
    DEPOSIT_PAID = "deposit_paid"
    PAID = "paid"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Billing(BillingInfo):
    """Who is invoiced, as a brand sends it: a `vat_id` must be valid for the billing
    address's country (format and check digits; no network lookup) and is kept in its
    compact form with its country prefix, e.g. `DE136695976`."""

    @field_validator("vat_id")
    @classmethod
    def _valid_for_its_country(cls, vat_id: str | None, info: ValidationInfo) -> str | None:
        address = info.data.get("address")
        if vat_id is None or address is None:  # no number, or the address failed already
            return vat_id
        try:
            return normalized_vat_id(address.country, vat_id)
        except InvalidVatId as error:
            raise ValueError(str(error)) from None


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
    billing: Billing = Field(description="Who is invoiced; `billing.email` receives emails.")
    labeling: Labeling | None = Field(
        default=None,
        description="Required on the brand's first order: `unlabeled` or `custom_stamps` "
        "(stamp development is a one-time customization cost on that order). Later orders "
        "reuse the brand's choice.",
    )


class OrderEdit(BaseModel):
    """Change a pending order: any of its size run and addresses. It is re-priced."""

    model_config = ConfigDict(extra="forbid")

    sizes: dict[EuSize, int] | None = Field(default=None, min_length=1, description="New size run.")
    shipping_address: Address | None = Field(default=None, description="New shipping address.")
    billing: Billing | None = Field(default=None, description="New billing information.")


class CancelRequest(BaseModel):
    """Cancel an order. A paid order from `received` on costs a fee by stage: cancelling
    it needs `accept_fee` (without it, `409` states the fee)."""

    model_config = ConfigDict(extra="forbid")

    accept_fee: bool = Field(
        default=False, description="Accept the cancellation fee of the order's stage."
    )


class RefundView(BaseModel):
    """Money of a cancelled paid order going back to the brand."""

    amount: int = Field(description="Refunded, integer minor units (VAT included).")
    fee: int = Field(description="The cancellation fee kept, VAT included.")
    currency: str
    status: str = Field(
        description="`pending` until Stripe confirms it, then `succeeded` (or `failed`)."
    )


class StatusChange(BaseModel):
    """One step of an order's history: a status change, or (with `production_stage`) a
    move on the factory floor."""

    status: OrderStatus
    at: datetime
    cause: str = Field(description="What caused it: `request:<id>` or `event:<event_id>`.")
    actor: str | None = Field(
        default=None,
        description="Who made it, for a change a request made: `user:<user_id>`, "
        "`api-token:<token_id>`, `token:<account_id>` (the brand's own token) or "
        "`operator:<operator_id>` (the factory).",
    )
    production_stage: ProductionStage | None = Field(
        default=None, description="The stage it moved to, for a move on the floor."
    )
    note: str | None = Field(default=None, description="The operator's note (rework: what).")
    station: str | None = Field(default=None, description="The floor station that scanned it.")
    rework: bool = Field(default=False, description="Sent back from quality check.")


class ShippingGroupRef(BaseModel):
    group_id: str
    allocation: int = Field(description="The order's share of the group's shipping cost.")


class OrderSummary(BaseModel):
    """An order as the pool and the board list it: what it is, where it stands and what
    it costs. The specifications, addresses and billing are on the order itself
    (`GET /orders/{order_number}`)."""

    order_number: str = Field(description="Sequential factory order number, e.g. `BF-000042`.")
    version: int = Field(description="1 at checkout; each edit while pending adds one.")
    status: OrderStatus
    order_type: OrderType
    design_id: str
    design_version: int
    design_name: str = Field(description="The brand's name for the design.")
    sizes: dict[str, int] = Field(description="EU size -> pairs.")
    pairs: int = Field(description="Total pairs.")
    labeling: Labeling
    costs: OrderCosts = Field(description="The price, fixed at checkout.")
    shipping_group: ShippingGroupRef | None = Field(
        default=None, description="The shipping group the order ships in, if any."
    )
    created_at: datetime
    account_id: str = Field(description="The brand whose order it is.")
    payment_status: PaymentStatus
    production_stage: ProductionStage | None = Field(
        default=None, description="Where on the floor, while `work_in_process`."
    )
    production_stage_explanation: str | None = Field(
        default=None, description="What the stage means, in one line."
    )
    hold_reason: HoldReason | None = Field(default=None, description="When `on_hold`: why.")
    wip_started_at: datetime | None = Field(
        default=None, description="When payment launched it to production."
    )
    days_in_production: int | None = Field(
        default=None, description="Calendar days since launch (until it shipped)."
    )
    estimated_ship_date: date | None = Field(
        default=None, description="When it should be ready to ship, from its lead time."
    )
    late: bool = Field(default=False, description="In production past its estimated ship date.")
    tracking: Tracking | None = Field(default=None, description="The parcel, once shipped.")
    refund: RefundView | None = Field(
        default=None, description="A cancelled paid order's refund (`amount`, `status`)."
    )
    balance_due: int | None = Field(
        default=None,
        description="With a deposit paid: the balance still to pay before it ships.",
    )
    invoice_number: str | None = Field(default=None, description="Once paid: its latest invoice.")
    credit_note_number: str | None = Field(
        default=None, description="Once refunded: its latest credit note."
    )


class OrderResponse(OrderSummary):
    """An order with its full specifications."""

    bom_hash: str
    shipping_address: Address
    billing: BillingInfo
    specification: OrderSpecification = Field(description="Everything the factory makes.")


class OrderHistory(BaseModel):
    """An order's status timeline, oldest first."""

    order_number: str
    items: list[StatusChange]


class OrderList(BaseModel):
    """A page of the order pool (or the board): each order's summary."""

    items: list[OrderSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class OrderPoolQuery(QueryString):
    """The order pool's filters, order and page: what a client asks the gateway for
    (`GET /api/v1/orders`) and what the gateway asks the orders service for."""

    status: OrderStatus | None = Field(default=None, description="Only this status.")
    production_stage: ProductionStage | None = Field(
        default=None, description="Only orders at this production stage."
    )
    payment_status: PaymentStatus | None = Field(
        default=None, description="Only orders with this payment status."
    )
    order_type: OrderType | None = Field(default=None, description="Only this order type.")
    design_id: str | None = Field(default=None, description="Only orders of this design.")
    created_from: datetime | None = Field(
        default=None, description="Checked out at or after (RFC 3339)."
    )
    created_to: datetime | None = Field(default=None, description="Checked out before (RFC 3339).")
    q: str | None = Field(
        default=None, max_length=20, description="Part of an order number, e.g. `0042`."
    )
    sort: Literal["newest", "oldest"] = Field(
        default="newest", description="By order number: `newest` (default) or `oldest`."
    )
    limit: int = Field(default=20, ge=1, le=100, description="Page size.")
    cursor: str | None = Field(
        default=None, max_length=40, description="`next_cursor` of the previous page."
    )


class BoardQuery(QueryString):
    """The factory's production board: orders of every brand, filtered (`GET
    /api/v1/ops/orders`)."""

    production_stage: ProductionStage | None = Field(
        default=None, description="Only orders at this stage."
    )
    account_id: str | None = Field(
        default=None, max_length=100, description="Only this brand's orders."
    )
    status: OrderStatus | None = Field(default=None, description="Only this status.")
    order_type: OrderType | None = Field(default=None, description="Only this order type.")
    late: bool = Field(default=False, description="Only orders past their estimated ship date.")
    limit: int = Field(default=50, ge=1, le=200, description="Page size.")
    cursor: str | None = Field(
        default=None, max_length=40, description="`next_cursor` of the previous page."
    )


class StageMoveRequest(BaseModel):
    """Move an order on the floor: forward to any later stage; back only from
    `quality_check`, with a `note` (rework)."""

    model_config = ConfigDict(extra="forbid")

    stage: ProductionStage
    note: str | None = Field(
        default=None, max_length=500, description="Required when sending pairs back for rework."
    )
