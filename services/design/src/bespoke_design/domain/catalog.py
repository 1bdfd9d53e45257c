"""The factory's catalog: what can be built, from what, at what price per pair.

Loaded from the versioned data file ``bespoke_design/data/catalog.json``; prices are
integer minor units of the catalog's one currency. Pure data and lookups, no I/O.
"""

from __future__ import annotations

import itertools
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bespoke_contracts import CancellationFee, ProductionStage

Money = int  # integer minor units (cents)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MaterialUse(_Frozen):
    """A raw material a choice consumes, per pair."""

    component: str
    material: str
    quantity: float = Field(gt=0)
    unit: str


class Part(_Frozen):
    """A part of the shoe cut from a material (upper, lining)."""

    id: str
    name: str
    area_sqft: float = Field(gt=0, description="Material used per pair, in square feet.")


class Style(_Frozen):
    id: str
    name: str
    description: str
    price: Money = Field(ge=0)
    last_required: bool
    standard_last: str | None = None
    """The last used when the brand does not choose one (styles that need no choice)."""


class Construction(_Frozen):
    id: str
    name: str
    description: str
    price: Money = Field(ge=0)
    styles: tuple[str, ...]
    materials: tuple[MaterialUse, ...] = ()
    extra_lead_days: int = Field(
        ge=0, description="Calendar days it adds to the order type's lead time."
    )


class SizeRange(_Frozen):
    min: int
    max: int
    half_sizes: bool

    def sizes(self) -> list[str]:
        """Every EU size of the range, as strings (``"42"``, ``"42.5"``)."""
        result = []
        for whole in range(self.min, self.max + 1):
            result.append(str(whole))
            if self.half_sizes and whole < self.max:
                result.append(f"{whole}.5")
        return result


class ShoeLast(_Frozen):
    id: str
    name: str
    price: Money = Field(ge=0)
    styles: tuple[str, ...]
    sizes: SizeRange


class Material(_Frozen):
    id: str
    name: str
    kind: str
    parts: tuple[str, ...]
    price: Money = Field(ge=0, description="Per pair, for each part cut from it.")
    unit: str
    colours: tuple[str, ...]


class SoleUnit(_Frozen):
    id: str
    name: str
    material: str
    price: Money = Field(ge=0)
    constructions: tuple[str, ...]


class TextRule(_Frozen):
    max_length: int
    pattern: str


class Element(_Frozen):
    """A customizable element (toe cap, brogueing, laces, monogram, …)."""

    id: str
    name: str
    price: Money = Field(ge=0)
    styles: tuple[str, ...]
    options: tuple[str, ...]
    text: TextRule | None = None
    materials: tuple[MaterialUse, ...] = ()


class Customization(_Frozen):
    """A one-time customization a brand pays for once (developing its custom stamps)."""

    id: str
    name: str
    description: str
    price: Money = Field(ge=0)


class PriceBreak(_Frozen):
    min_pairs: int = Field(ge=1)
    adjustment_bp: int = Field(
        description="Change to the per-pair price in basis points: -500 is 5 % off."
    )


class OrderTypeBand(_Frozen):
    """An order type's pair-count band and its price breaks."""

    id: str
    name: str
    min_pairs: int = Field(ge=1)
    max_pairs: int
    lead_time_days: int = Field(
        ge=1, description="Calendar days from launch to ready to ship, before construction."
    )
    price_breaks: tuple[PriceBreak, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _breaks_cover_the_band(self) -> OrderTypeBand:
        mins = [b.min_pairs for b in self.price_breaks]
        if mins != sorted(set(mins)) or mins[0] != self.min_pairs:
            raise ValueError(f"{self.id}: price breaks must ascend and start at min_pairs")
        if self.max_pairs < self.min_pairs:
            raise ValueError(f"{self.id}: max_pairs below min_pairs")
        return self

    def price_break(self, pairs: int) -> PriceBreak:
        """The break that applies to ``pairs`` (which must lie in the band)."""
        return [b for b in self.price_breaks if b.min_pairs <= pairs][-1]


HexColour = Annotated[str, Field(pattern=r"^#[0-9a-f]{6}$")]
Texture = Literal["smooth", "burnished", "nap", "shine", "grain", "weave", "none"]


class StyleDrawing(_Frozen):
    """How a style's side and top views are drawn."""

    shaft: Literal["low", "ankle", "boot"]
    closure: Literal[
        "closed_lacing", "open_lacing", "slip_on", "straps", "gusset", "rawhide_lacing"
    ]
    eyelets: int = Field(ge=0, le=8, description="Eyelet pairs (lacing styles).")
    vamp: Literal["plain", "apron"]


class SoleDrawing(_Frozen):
    colour: HexColour
    thickness: int = Field(ge=2, le=14, description="Drawn edge, in the view's units.")
    heel: Literal["stacked", "rubber", "wedge"]
    tread: Literal["smooth", "studs", "lugs", "crepe", "cup", "siped"]


class Drawing(_Frozen):
    """What the design preview needs of the catalog: colours as hex values, a texture
    per material, each style's shape, each sole unit's profile, each construction's
    visible sign, and the colour of elements' options that have one (``shade``: a
    darker tone of the upper's own colour)."""

    colours: dict[str, HexColour]
    textures: dict[str, Texture]
    styles: dict[str, StyleDrawing]
    sole_units: dict[str, SoleDrawing]
    constructions: dict[
        str, Literal["welt_stitch", "close_trim", "midsole_stitch", "plain", "flared_stitch"]
    ]
    options: dict[str, dict[str, str]]


DRAWN_BY_SHAPE = frozenset({"toe_cap", "brogueing"})
"""Elements whose options are shapes, not colours (the preview knows each option)."""


class Catalog(_Frozen):
    """Everything the factory offers. ``version`` names the data file's edition."""

    version: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    parts: tuple[Part, ...]
    styles: tuple[Style, ...]
    constructions: tuple[Construction, ...]
    lasts: tuple[ShoeLast, ...]
    materials: tuple[Material, ...]
    sole_units: tuple[SoleUnit, ...]
    elements: tuple[Element, ...]
    order_types: tuple[OrderTypeBand, ...]
    customizations: tuple[Customization, ...]
    cancellation_fees: tuple[CancellationFee, ...] = Field(
        min_length=1,
        description="Cancelling a paid order, by the stage it has reached: free before the "
        "floor received it, then growing to the full price.",
    )
    drawing: Drawing

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        """A data file whose rules name unknown options is refused at load time."""
        styles = {s.id for s in self.styles}
        constructions = {c.id for c in self.constructions}
        parts = {p.id for p in self.parts}
        lasts = {last.id for last in self.lasts}
        problems = []
        for collection in (
            self.parts,
            self.styles,
            self.constructions,
            self.lasts,
            self.materials,
            self.sole_units,
            self.elements,
            self.order_types,
            self.customizations,
        ):
            ids = [item.id for item in collection]
            problems += [f"duplicate id {i!r}" for i in {i for i in ids if ids.count(i) > 1}]
        for c in self.constructions:
            problems += [
                f"construction {c.id}: unknown style {s!r}" for s in c.styles if s not in styles
            ]
        for last in self.lasts:
            problems += [
                f"last {last.id}: unknown style {s!r}" for s in last.styles if s not in styles
            ]
        for m in self.materials:
            problems += [f"material {m.id}: unknown part {p!r}" for p in m.parts if p not in parts]
        for sole in self.sole_units:
            problems += [
                f"sole unit {sole.id}: unknown construction {c!r}"
                for c in sole.constructions
                if c not in constructions
            ]
        for e in self.elements:
            problems += [
                f"element {e.id}: unknown style {s!r}" for s in e.styles if s not in styles
            ]
        for s in self.styles:
            if not s.last_required and s.standard_last not in lasts:
                problems.append(f"style {s.id}: needs a standard_last that exists")
        if "custom_stamps" not in {c.id for c in self.customizations}:
            problems.append("customizations: needs `custom_stamps` (brands' first orders)")
        problems += _fee_problems(self.cancellation_fees)
        problems += _drawing_problems(self)
        if problems:
            raise ValueError("catalog data is inconsistent: " + "; ".join(sorted(problems)))
        return self

    def style(self, style_id: str) -> Style | None:
        return next((s for s in self.styles if s.id == style_id), None)

    def construction(self, construction_id: str) -> Construction | None:
        return next((c for c in self.constructions if c.id == construction_id), None)

    def last(self, last_id: str) -> ShoeLast | None:
        return next((last for last in self.lasts if last.id == last_id), None)

    def material(self, material_id: str) -> Material | None:
        return next((m for m in self.materials if m.id == material_id), None)

    def sole_unit(self, sole_id: str) -> SoleUnit | None:
        return next((s for s in self.sole_units if s.id == sole_id), None)

    def element(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.id == element_id), None)

    def order_type(self, order_type_id: str) -> OrderTypeBand | None:
        return next((o for o in self.order_types if o.id == order_type_id), None)

    def part(self, part_id: str) -> Part | None:
        return next((p for p in self.parts if p.id == part_id), None)

    def compatibility(self) -> dict[str, dict[str, list[str]]]:
        """Every compatibility rule, as lists of what goes with what."""
        return {
            "style_constructions": {
                s.id: [c.id for c in self.constructions if s.id in c.styles] for s in self.styles
            },
            "style_lasts": {
                s.id: [last.id for last in self.lasts if s.id in last.styles] for s in self.styles
            },
            "style_elements": {
                s.id: [e.id for e in self.elements if s.id in e.styles] for s in self.styles
            },
            "construction_sole_units": {
                c.id: [sole.id for sole in self.sole_units if c.id in sole.constructions]
                for c in self.constructions
            },
            "part_materials": {
                p.id: [m.id for m in self.materials if p.id in m.parts] for p in self.parts
            },
        }


def _drawing_problems(catalog: Catalog) -> list[str]:
    """Every option of the catalog can be drawn: adding one means adding its drawing."""
    d = catalog.drawing
    problems = [f"drawing: no style {s.id!r}" for s in catalog.styles if s.id not in d.styles]
    problems += [
        f"drawing: no sole unit {s.id!r}" for s in catalog.sole_units if s.id not in d.sole_units
    ]
    problems += [
        f"drawing: no construction {c.id!r}"
        for c in catalog.constructions
        if c.id not in d.constructions
    ]
    for m in catalog.materials:
        if m.id not in d.textures:
            problems.append(f"drawing: no texture for material {m.id!r}")
        problems += [f"drawing: no colour {c!r} ({m.id})" for c in m.colours if c not in d.colours]
    for e in catalog.elements:
        if e.id in DRAWN_BY_SHAPE:
            continue
        options = d.options.get(e.id, {})
        for option in e.options:
            value = options.get(option)
            if value is None or not (value == "shade" or re.fullmatch(r"#[0-9a-f]{6}", value)):
                problems.append(f"drawing: element {e.id} option {option!r} needs a colour")
    return problems


_STAGES = list(ProductionStage)


def _fee_problems(fees: tuple[CancellationFee, ...]) -> list[str]:
    """The factory's terms: free until the floor has received an order, a fee from then
    on that never falls as the order moves on, and the full price by the last stage."""
    stages = [_STAGES.index(f.stage) for f in fees]
    problems = []
    if stages != sorted(set(stages)):
        problems.append("cancellation_fees: one per stage, in the floor's order")
    if fees[0].stage is not ProductionStage.RECEIVED:
        problems.append("cancellation_fees: start at `received` (cancelling before is free)")
    if any(b.fixed < a.fixed and b.share_bp <= a.share_bp for a, b in itertools.pairwise(fees)):
        problems.append("cancellation_fees: a later stage never costs less")
    if fees[-1].share_bp != 10_000 or fees[-1].stage is not _STAGES[-1]:
        problems.append("cancellation_fees: the last stage costs the full price")
    return problems
