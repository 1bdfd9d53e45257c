"""Value types of a shoe design, shared by the design API and the order events."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

OptionId = Annotated[str, Field(min_length=1, max_length=60)]


class MaterialChoice(BaseModel):
    """The material and colour a part is cut from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    material: OptionId = Field(description="A material id from the catalog, e.g. `box_calf`.")
    colour: OptionId = Field(description="One of that material's colours, e.g. `dark_brown`.")


class ElementChoice(BaseModel):
    """A customizable element and the option chosen for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    element: OptionId = Field(description="An element id from the catalog, e.g. `brogueing`.")
    option: OptionId = Field(description="One of the element's options, e.g. `full`.")
    text: str | None = Field(
        default=None, max_length=40, description="For elements that take text (monogram)."
    )


class BomLine(BaseModel):
    """One raw material of the bill of materials, per pair."""

    model_config = ConfigDict(frozen=True)

    component: str = Field(description="What it becomes, e.g. `Upper`, `Sole unit`.")
    material: str = Field(description="The raw material.")
    colour: str | None = Field(default=None, description="Colour, where it has one.")
    quantity: float = Field(description="Quantity per pair.")
    unit: str = Field(description="Unit of the quantity: `sq ft`, `pair`, `m`, `kg`, `pcs`.")
