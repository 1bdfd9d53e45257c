"""Order events: `order.submitted`."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from bespoke_contracts.design import BomLine, ElementChoice, MaterialChoice
from bespoke_contracts.envelope import Envelope
from bespoke_contracts.tracking import Tracking
from bespoke_contracts.vat import BASIS_POINTS, NO_VAT, VatTreatment, vat_on_lines

ORDER_SUBMITTED: Final = "order.submitted"
"""Topic of :class:`OrderSubmitted`; key: the order number."""

ORDER_NUMBER_PREFIX: Final = "BF-"
ORDER_NUMBER_PATTERN: Final = r"^BF-\d{6,}$"

OrderNumber = Annotated[
    str,
    StringConstraints(pattern=ORDER_NUMBER_PATTERN),
    Field(
        description="Factory-wide sequential order number, e.g. `BF-000042`.",
        examples=["BF-000042"],
    ),
]


def format_order_number(sequence: int) -> str:
    """The factory's order number for the n-th order: 1 -> ``BF-000001``."""
    if sequence < 1:
        raise ValueError("order sequence starts at 1")
    return f"{ORDER_NUMBER_PREFIX}{sequence:06d}"


def is_order_number(text: str) -> bool:
    """Whether ``text`` is an order number (``BF-`` and six or more digits)."""
    return re.fullmatch(ORDER_NUMBER_PATTERN, text) is not None


def order_sequence(order_number: str) -> int:
    """The sequence number inside an order number: ``BF-000042`` -> 42."""
    if not is_order_number(order_number):
        raise ValueError(f"{order_number!r} is not an order number")
    return int(order_number.removeprefix(ORDER_NUMBER_PREFIX))


def order_total(*, manufacturing: int, shipping: int, customization: int) -> int:
    """What an order (or an invoice of several) costs before VAT: the one place its lines
    are summed."""
    return manufacturing + shipping + customization


EuSize = Annotated[
    str,
    StringConstraints(pattern=r"^\d{2}(\.5)?$"),
    Field(description="EU shoe size as a string, whole or half: `42`, `42.5`.", examples=["42.5"]),
]


class OrderType(StrEnum):
    """How an order is produced: a single made-to-order pair or a bulk run."""

    MTO = "mto"
    MINI_BULK = "mini_bulk"
    BULK = "bulk"


class OrderStatus(StrEnum):
    """Where an order is in its life; while `work_in_process` its `production_stage` says
    where on the floor."""

    PENDING_PAYMENT = "pending_payment"
    WORK_IN_PROCESS = "work_in_process"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class ProductionStage(StrEnum):
    """Where a paid order is on the factory floor, in the order the pairs go through."""

    ON_HOLD = "on_hold"
    QUEUED = "queued"
    RECEIVED = "received"
    CUTTING = "cutting"
    CLOSING = "closing"
    LASTING = "lasting"
    SOLING = "soling"
    FINISHING = "finishing"
    QUALITY_CHECK = "quality_check"
    READY_TO_SHIP = "ready_to_ship"


STAGE_EXPLANATIONS: Final[dict[ProductionStage, str]] = {
    ProductionStage.ON_HOLD: "Paid, waiting for something before it can launch (see the reason).",
    ProductionStage.QUEUED: "Launched to production, waiting for the floor to take it in.",
    ProductionStage.RECEIVED: "On the floor: materials gathered, the job ticket issued.",
    ProductionStage.CUTTING: "Upper and lining leathers are being cut to the patterns.",
    ProductionStage.CLOSING: "The cut pieces are being stitched into the upper.",
    ProductionStage.LASTING: "The upper is being pulled over the last and shaped.",
    ProductionStage.SOLING: "The sole is being attached by the order's construction.",
    ProductionStage.FINISHING: "Edges, heels and leather are being finished and polished.",
    ProductionStage.QUALITY_CHECK: "Every pair is being inspected before packing.",
    ProductionStage.READY_TO_SHIP: "Finished and packed, waiting for the carrier.",
}
"""One line per stage, as the brand's pool explains it."""


class HoldReason(StrEnum):
    """Why a paid order waits before launching."""

    AWAITING_STAMPS = "awaiting_stamps"
    AWAITING_BALANCE = "awaiting_balance"


class CancellationFee(BaseModel):
    """What cancelling a paid order costs once it has reached ``stage``: ``fixed`` plus
    ``share_bp`` of its manufacturing and customization, never more than those (net; VAT
    at the order's rate is added). Shipping is never charged: nothing has shipped."""

    model_config = ConfigDict(frozen=True)

    stage: ProductionStage
    fixed: int = Field(ge=0, description="Integer minor units.")
    share_bp: int = Field(ge=0, le=10_000, description="Basis points: `10000` = the full price.")


class Labeling(StrEnum):
    """A brand's choice on its first order: no marks, or its own logo stamps."""

    UNLABELED = "unlabeled"
    CUSTOM_STAMPS = "custom_stamps"


class Address(BaseModel):
    """A postal address."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="Recipient or company name.")
    line1: str = Field(min_length=1, max_length=200, description="Street and number.")
    line2: str | None = Field(default=None, max_length=200, description="Apartment, floor, unit.")
    city: str = Field(min_length=1, max_length=100, description="City or town.")
    postal_code: str = Field(min_length=1, max_length=20, description="Postal or ZIP code.")
    country: str = Field(
        pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, e.g. `ES`."
    )
    state: str | None = Field(default=None, max_length=100, description="State or province.")
    phone: str | None = Field(
        default=None, max_length=40, description="Phone number for the carrier."
    )


class BillingInfo(BaseModel):
    """Who is invoiced."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="Legal name on the invoice.")
    email: EmailStr = Field(description="Where invoices and order emails are sent.")
    address: Address = Field(description="Billing address.")
    vat_id: str | None = Field(default=None, max_length=40, description="VAT number, if any.")


MinorUnits = Annotated[int, Field(ge=0, description="Integer minor units (e.g. cents).")]


class OrderCosts(BaseModel):
    """What the order costs, fixed at checkout (and at each edit while pending). Prices
    are net; VAT is added on each line at the buyer's rate (``bespoke_contracts.vat``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    per_pair: MinorUnits = Field(description="Manufacturing price per pair after price breaks.")
    manufacturing: MinorUnits = Field(description="`per_pair * pairs`.")
    shipping: MinorUnits = Field(description="Shipping the order on its own.")
    customization: MinorUnits = Field(
        description="One-time customization, e.g. developing the brand's custom stamps."
    )
    subtotal: MinorUnits = Field(description="`manufacturing + shipping + customization`, net.")
    vat_rate_bp: int = Field(
        default=0, ge=0, le=BASIS_POINTS, description="VAT rate in basis points: `2100` = 21 %."
    )
    vat: MinorUnits = Field(
        default=0, description="VAT on each line at `vat_rate_bp`, rounded half up, added."
    )
    vat_note: str = Field(
        default="", description="What the invoice says of VAT, e.g. the reverse-charge wording."
    )
    total: MinorUnits = Field(description="`subtotal + vat`: what the brand pays.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. `EUR`.")

    @model_validator(mode="before")
    @classmethod
    def _net_when_untaxed(cls, data: Any) -> Any:
        """Costs stored before VAT was charged: their total was net, with no VAT."""
        if isinstance(data, dict) and "subtotal" not in data and "total" in data:
            return {**data, "subtotal": data["total"]}
        return data

    @classmethod
    def priced(
        cls,
        *,
        per_pair: int,
        pairs: int,
        shipping: int,
        customization: int,
        currency: str,
        vat: VatTreatment = NO_VAT,
    ) -> OrderCosts:
        """The breakdown of ``pairs`` at ``per_pair``, plus shipping and customization, and
        VAT on each of those lines at ``vat``'s rate."""
        manufacturing = per_pair * pairs
        subtotal = order_total(
            manufacturing=manufacturing, shipping=shipping, customization=customization
        )
        tax = vat_on_lines((manufacturing, shipping, customization), vat.rate_bp)
        return cls(
            per_pair=per_pair,
            manufacturing=manufacturing,
            shipping=shipping,
            customization=customization,
            subtotal=subtotal,
            vat_rate_bp=vat.rate_bp,
            vat=tax,
            vat_note=vat.note,
            total=subtotal + tax,
            currency=currency,
        )


class OrderSpecification(BaseModel):
    """Everything the factory needs to make the order, copied from the design version."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    design_name: str = Field(description="The brand's name for the design.")
    style: str = Field(description="Catalog style id, e.g. `oxford`.")
    construction: str = Field(description="Catalog construction id, e.g. `goodyear_welted`.")
    last: str = Field(description="Catalog shoe last id the pairs are made on.")
    sole_unit: str = Field(description="Catalog sole unit id.")
    materials: dict[str, MaterialChoice] = Field(description="Part id -> material and colour.")
    elements: list[ElementChoice] = Field(description="Customizable elements and options.")
    bill_of_materials: list[BomLine] = Field(description="Raw materials of one pair.")
    catalog_version: str = Field(description="Catalog edition the design was checked against.")


class OrderSubmittedPayload(BaseModel):
    """A brand checked out an order; it waits for payment (`pending_payment`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    status: Literal["pending_payment"] = Field(
        default="pending_payment", description="Status of the order when submitted."
    )
    order_type: OrderType = Field(description="`mto`, `mini_bulk` or `bulk`.")
    design_id: str = Field(description="The design ordered.")
    design_version: int = Field(ge=1, description="The immutable design version ordered.")
    bom_hash: str = Field(description="Hash of the bill of materials the admin confirmed.")
    sizes: dict[EuSize, Annotated[int, Field(ge=1)]] = Field(
        description="Size run: EU size to number of pairs."
    )
    pairs: int = Field(ge=1, description="Total pairs (the sum of `sizes`).")
    labeling: Labeling = Field(description="Unlabeled, or engraved with the brand's stamps.")
    shipping_address: Address = Field(description="Where the order ships.")
    billing: BillingInfo = Field(description="Who is invoiced; `billing.email` gets the emails.")
    specification: OrderSpecification = Field(description="What to make: the full design.")
    costs: OrderCosts = Field(description="The price, fixed at checkout.")
    created_at: AwareDatetime = Field(description="When the order was checked out.")


class OrderSubmitted(Envelope[OrderSubmittedPayload]):
    """An order was checked out and recorded as Pending Payment.

    Published once per order by the orders service (through its outbox). Consumers:
    notifications (order email), payments (opens the invoice), shipping.
    """

    TOPIC = ORDER_SUBMITTED

    event_type: Literal["order.submitted"] = ORDER_SUBMITTED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()


ORDER_STATUS_CHANGED: Final = "order.status_changed"
"""Topic of :class:`OrderStatusChanged`; key: the order number."""


class OrderStatusChangedPayload(BaseModel):
    """An order moved from one status to another."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    from_status: OrderStatus = Field(description="Status before the change.")
    to_status: OrderStatus = Field(description="Status after the change.")
    cause: str = Field(
        description="Who or what caused it: `request:<id>` (an admin) or `event:<event_id>`."
    )
    changed_at: AwareDatetime = Field(description="When it changed.")
    contact_email: str = Field(description="Billing email of the order.")
    tracking: Tracking | None = Field(
        default=None, description="The parcel, when the order became `shipped` or `delivered`."
    )
    cancellation_fee: int | None = Field(
        default=None,
        ge=0,
        description="When a paid order was cancelled: the fee kept, net, integer minor "
        "units (VAT at the order's rate is added to it); the rest of what was paid is refunded.",
    )


class OrderStatusChanged(Envelope[OrderStatusChangedPayload]):
    """An order changed status: `work_in_process` launches it to production; `shipped`
    (with its tracking) and `delivered` follow; `cancelled` withdraws it. Downstream
    factory systems consume this topic."""

    TOPIC = ORDER_STATUS_CHANGED

    event_type: Literal["order.status_changed"] = ORDER_STATUS_CHANGED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()


ORDER_REVISED: Final = "order.revised"
"""Topic of :class:`OrderRevised`; key: the order number."""


class OrderRevisedPayload(BaseModel):
    """A pending order was edited (sizes, addresses) and re-priced: a new version."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    version: int = Field(ge=2, description="The order's new version (checkout is version 1).")
    sizes: dict[EuSize, Annotated[int, Field(ge=1)]] = Field(description="EU size -> pairs.")
    pairs: int = Field(ge=1, description="Total pairs.")
    shipping_address: Address = Field(description="Where the order ships.")
    billing: BillingInfo = Field(description="Who is invoiced.")
    costs: OrderCosts = Field(description="The new price; replaces the previous one.")
    revised_at: AwareDatetime = Field(description="When it was edited.")


class OrderRevised(Envelope[OrderRevisedPayload]):
    """A pending order changed. Payments re-prices its open invoice from this event."""

    TOPIC = ORDER_REVISED

    event_type: Literal["order.revised"] = ORDER_REVISED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()


ORDER_STAGE_CHANGED: Final = "order.stage_changed"
"""Topic of :class:`OrderStageChanged`; key: the order number."""


class OrderStageChangedPayload(BaseModel):
    """A paid order moved on the factory floor."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    from_stage: ProductionStage | None = Field(description="Before; null when just launched.")
    to_stage: ProductionStage = Field(description="After.")
    hold_reason: HoldReason | None = Field(default=None, description="When `on_hold`: why.")
    released_hold: HoldReason | None = Field(
        default=None, description="The hold this move ended (it came off `on_hold`)."
    )
    unlabeled: bool = Field(
        default=False,
        description="It launched without the brand's stamps: they were not approved in time.",
    )
    stamps_credit: int = Field(
        default=0,
        ge=0,
        description="Launched unlabeled: the stamp development it paid for (net, minor "
        "units), which payments gives back with a credit note; 0 when it paid none.",
    )
    rework: bool = Field(default=False, description="A move back from `quality_check` for rework.")
    note: str | None = Field(default=None, description="The operator's note (rework: what).")
    station: str | None = Field(default=None, description="The floor station that reported it.")
    cause: str = Field(
        description="`request:<id>` (an operator, or the brand approving its stamps), "
        "`event:<event_id>` (a floor report or the payment that launched it), "
        "`hold:<order_number>` (the check of orders waiting for stamps)."
    )
    changed_at: AwareDatetime = Field(description="When it moved.")
    estimated_ship_date: date | None = Field(description="When it should be ready to ship.")
    contact_email: str = Field(description="Billing email of the order.")


class OrderStageChanged(Envelope[OrderStageChangedPayload]):
    """A paid order moved to another production stage (every move, forward, skipped or
    rework). Shipping ships a shipment once its orders are `ready_to_ship`; downstream
    factory systems follow the floor from it."""

    TOPIC = ORDER_STAGE_CHANGED

    event_type: Literal["order.stage_changed"] = ORDER_STAGE_CHANGED
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()


ORDER_LATE: Final = "order.late"
"""Topic of :class:`OrderLate`; key: the order number."""


class OrderLatePayload(BaseModel):
    """An order in production passed its estimated ship date."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    estimated_ship_date: date = Field(description="The date it should have been ready by.")
    production_stage: ProductionStage = Field(description="Where it is on the floor.")
    days_in_production: int = Field(ge=0, description="Calendar days since launch.")
    flagged_at: AwareDatetime = Field(description="When it was found late.")
    contact_email: str = Field(description="Billing email of the order.")


ORDER_HOLD_EXPIRING: Final = "order.hold_expiring"
"""Topic of :class:`OrderHoldExpiring`; key: the order number."""


class OrderHoldExpiringPayload(BaseModel):
    """A paid order waiting for the brand's stamps launches unlabeled soon."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_number: OrderNumber
    hold_reason: HoldReason = Field(description="What it waits for.")
    release_at: AwareDatetime = Field(description="When it launches without it.")
    contact_email: str = Field(description="Billing email of the order.")


class OrderHoldExpiring(Envelope[OrderHoldExpiringPayload]):
    """A reminder, published once per hold, some days before a paid order that waits
    for the brand's stamps launches unlabeled."""

    TOPIC = ORDER_HOLD_EXPIRING

    event_type: Literal["order.hold_expiring"] = ORDER_HOLD_EXPIRING
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()


class OrderLate(Envelope[OrderLatePayload]):
    """An order in production is past its estimated ship date: published once per order
    (the brand is told once, not daily)."""

    TOPIC = ORDER_LATE

    event_type: Literal["order.late"] = ORDER_LATE
    schema_version: Literal[1] = 1

    def key(self) -> bytes:
        """The order number."""
        return self.payload.order_number.encode()
