"""Designs, the catalog, the gallery and estimates (public API shapes)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bespoke_contracts.api.query import QueryString
from bespoke_contracts.design import BomLine, ElementChoice, MaterialChoice, OptionId
from bespoke_contracts.orders import CancellationFee, EuSize, OrderType

__all__ = [
    "BomLine",
    "CloneRequest",
    "ClonedFrom",
    "DesignConflict",
    "DesignList",
    "DesignPreview",
    "DesignRequest",
    "DesignResponse",
    "DesignSpec",
    "DesignStatus",
    "ElementChoice",
    "Estimate",
    "EstimateRequest",
    "MaterialChoice",
    "PriceLine",
]


class DesignSpec(BaseModel):
    """What a shoe is made of: every choice of the designing tool."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    style: OptionId = Field(description="Shoe style id, e.g. `oxford`.")
    construction: OptionId = Field(description="Construction method id, e.g. `goodyear_welted`.")
    last: OptionId | None = Field(
        default=None,
        description="Shoe last id. Required for styles whose `last_required` is true; others "
        "use their standard last.",
    )
    sole_unit: OptionId = Field(description="Sole unit id, e.g. `dainite`.")
    materials: dict[OptionId, MaterialChoice] = Field(
        description="Part id (`upper`, `lining`) -> material and colour."
    )
    elements: list[ElementChoice] = Field(
        default_factory=list, max_length=20, description="Customizable elements, each at most once."
    )


class DesignRequest(DesignSpec):
    """Create a design, or (PUT) replace its specification with a new version."""

    name: str = Field(min_length=1, max_length=120, description="The brand's name for it.")


class DesignStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ClonedFrom(BaseModel):
    design_id: str
    version: int


class DesignResponse(DesignSpec):
    """One version of a design, with its bill of materials."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(description="Design id.")
    version: int = Field(description="This version; every change makes a new one.")
    latest_version: int = Field(description="The design's newest version.")
    name: str
    status: DesignStatus
    published: bool = Field(description="Shown in the Get Inspired gallery.")
    shoe_last: str = Field(description="The last the pairs are made on (chosen or standard).")
    bill_of_materials: list[BomLine]
    bom_hash: str = Field(description="Confirm this hash at checkout: `sha256:<hex>`.")
    price_per_pair: int = Field(description="Catalog price per pair before order-type breaks.")
    currency: str
    catalog_version: str = Field(description="Catalog edition the version was checked against.")
    cloned_from: ClonedFrom | None = None
    created_at: datetime = Field(description="When the design was created.")
    updated_at: datetime = Field(description="When this version was made.")
    updated_by: str | None = Field(
        default=None,
        description="Who made this version, e.g. `user:usr_…` or `api-token:tok_…`.",
    )


class DesignList(BaseModel):
    items: list[DesignResponse]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class CloneRequest(BaseModel):
    """Optional name for the brand's copy (default: the gallery design's name)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)


class EstimateRequest(BaseModel):
    """Price a prospective order without creating it."""

    model_config = ConfigDict(extra="forbid")

    design_id: str = Field(min_length=1)
    design_version: int | None = Field(default=None, ge=1, description="Default: the latest.")
    order_type: OrderType
    sizes: dict[EuSize, Annotated[int, Field(ge=1)]] | None = Field(
        default=None, description="EU size -> pairs; checked against the last's size range."
    )
    pairs: int | None = Field(
        default=None, ge=1, description="Total pairs, when sizes are not known yet."
    )


class PriceLine(BaseModel):
    item: str = Field(description="What the amount is for, e.g. `Construction: Goodyear welted`.")
    amount: int = Field(description="Per pair, minor units.")


class Estimate(BaseModel):
    """The manufacturing price of an order of one design version."""

    design_id: str
    design_version: int
    bom_hash: str
    order_type: OrderType
    pairs: int
    base_per_pair: int = Field(description="Catalog price per pair (sum of `breakdown`).")
    adjustment_bp: int = Field(description="Price break applied, basis points (-500 = 5 % off).")
    per_pair: int = Field(description="Price per pair after the price break, minor units.")
    manufacturing: int = Field(description="`per_pair * pairs`, minor units.")
    currency: str
    breakdown: list[PriceLine]
    lead_time_days: int = Field(
        description="Calendar days from launch to ready to ship: the order type's lead time "
        "and the construction's extra days."
    )
    cancellation_fees: list[CancellationFee] = Field(
        default_factory=list,
        description="What cancelling the order once paid costs, by the production stage it "
        "has reached (stages before the first listed are free).",
    )


class DesignConflict(BaseModel):
    """One reason a specification cannot be built."""

    pointer: str = Field(description="JSON pointer to the field, e.g. `/sole_unit`.")
    detail: str = Field(description="Why, in words a designer understands.")


class DesignPreview(BaseModel):
    """What a specification would make, before anything is saved: whether it can be
    built (and if not, every reason), its bill of materials and its price per pair."""

    buildable: bool
    conflicts: list[DesignConflict] = Field(description="Empty when buildable.")
    shoe_last: str | None = Field(description="The last it is made on (null if not buildable).")
    bill_of_materials: list[BomLine] = Field(description="Raw materials per pair.")
    breakdown: list[PriceLine] = Field(description="What the price per pair is made of.")
    price_per_pair: int | None = Field(description="Minor units; null if not buildable.")
    currency: str
    svg: str | None = Field(
        default=None,
        description="The shoe drawn from these choices (side view, SVG), as "
        "`GET /designs/{id}/preview.svg` draws a saved version; null if a choice is unknown.",
    )


class DesignListQuery(QueryString):
    """A page of a brand's designs: what a client asks the gateway for
    (`GET /api/v1/designs`) and what the gateway asks the design service for."""

    limit: int = Field(default=20, ge=1, le=100, description="Page size (1-100).")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
    style: str | None = Field(default=None, description="Only this style id.")
    status: str = Field(default="active", description="`active`, `archived` or `all`.")


class GalleryQuery(QueryString):
    """A page of the Get Inspired gallery (`GET /api/v1/gallery`)."""

    limit: int = Field(default=20, ge=1, le=100, description="Page size (1-100).")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
    style: str | None = Field(default=None, description="Only this style id.")
    construction: str | None = Field(default=None, description="Only this construction id.")


class ShareRequest(BaseModel):
    """Share one version of a design as a read-only page that opens without signing in."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, description="Default: the latest.")
    expires_in_days: int = Field(default=30, ge=1, le=365, description="How long it works.")


class ShareLink(BaseModel):
    """A share link of a design version."""

    id: str = Field(description="The link's id (not its secret): revoke it by this.")
    design_id: str
    version: int
    url: str | None = Field(
        default=None, description="The page, with its secret: shown once, when it is made."
    )
    created_at: datetime
    created_by: str | None
    expires_at: datetime
    revoked_at: datetime | None


class ShareLinks(BaseModel):
    items: list[ShareLink]


class SharedDesign(BaseModel):
    """What a share link shows: the design version and its drawings, never its price or
    anything else of the brand's."""

    design_id: str = Field(description="To order it, once signed in as its brand.")
    name: str
    version: int
    style: str
    construction: str
    sole_unit: str
    materials: dict[str, MaterialChoice]
    elements: list[ElementChoice]
    side_svg: str = Field(description="The side view (SVG).")
    top_svg: str = Field(description="The top view (SVG).")
    expires_at: datetime
