"""Which choices can be built together, and what a buildable design consumes and costs.

``conflicts`` returns EVERY reason a design cannot be built (never just the first),
each in words a designer understands and with a JSON pointer to the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TypeVar

from bespoke_contracts.api.design import BomLine, DesignSpec, PriceLine
from bespoke_design.domain.catalog import Catalog, Construction, ShoeLast
from bespoke_design.domain.errors import Conflict

T = TypeVar("T")


def _known(item: T | None, what: str) -> T:
    """A catalog entry the caller already checked with ``conflicts``."""
    if item is None:
        raise ValueError(f"{what} is not in the catalog; check the design with conflicts() first")
    return item


def _names(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def conflicts(spec: DesignSpec, catalog: Catalog) -> list[Conflict]:
    """Every reason ``spec`` cannot be built from ``catalog`` (empty when buildable)."""
    found: list[Conflict] = []
    style = catalog.style(spec.style)
    construction = catalog.construction(spec.construction)
    sole = catalog.sole_unit(spec.sole_unit)

    if style is None:
        found.append(
            Conflict(
                "#/style",
                f"style '{spec.style}' is not in the catalog; styles: "
                + _names([s.id for s in catalog.styles]),
            )
        )
    if construction is None:
        found.append(
            Conflict(
                "#/construction",
                f"construction '{spec.construction}' is not in the catalog; "
                "constructions: " + _names([c.id for c in catalog.constructions]),
            )
        )
    elif style is not None and style.id not in construction.styles:
        allowed = [c.name for c in catalog.constructions if style.id in c.styles]
        found.append(
            Conflict(
                "#/construction",
                f"a {style.name} cannot be {construction.name} "
                f"(a {style.name} can be: {_names(allowed)})",
            )
        )

    if sole is None:
        found.append(
            Conflict(
                "#/sole_unit",
                f"sole unit '{spec.sole_unit}' is not in the catalog; sole units: "
                + _names([s.id for s in catalog.sole_units]),
            )
        )
    elif construction is not None and construction.id not in sole.constructions:
        allowed = [c.name for c in catalog.constructions if c.id in sole.constructions]
        found.append(
            Conflict(
                "#/sole_unit",
                f"sole unit '{sole.id}' cannot be {construction.name} "
                f"(it can be: {_names(allowed)})",
            )
        )

    found += _last_conflicts(spec, catalog)
    found += _material_conflicts(spec, catalog)
    found += _element_conflicts(spec, catalog)
    return found


def _last_conflicts(spec: DesignSpec, catalog: Catalog) -> list[Conflict]:
    style = catalog.style(spec.style)
    if spec.last is None:
        if style is not None and style.last_required:
            fitting = [last.id for last in catalog.lasts if style.id in last.styles]
            return [
                Conflict(
                    "#/last", f"a {style.name} needs a shoe last: choose one of {_names(fitting)}"
                )
            ]
        return []
    last = catalog.last(spec.last)
    if last is None:
        return [
            Conflict(
                "#/last",
                f"shoe last '{spec.last}' is not in the catalog; lasts: "
                + _names([x.id for x in catalog.lasts]),
            )
        ]
    if style is not None and style.id not in last.styles:
        fitting = [x.id for x in catalog.lasts if style.id in x.styles]
        return [
            Conflict(
                "#/last",
                f"shoe last '{last.id}' ({last.name}) does not fit a {style.name} "
                f"(lasts for a {style.name}: {_names(fitting)})",
            )
        ]
    return []


def _material_conflicts(spec: DesignSpec, catalog: Catalog) -> list[Conflict]:
    found = []
    part_ids = [p.id for p in catalog.parts]
    for part in catalog.parts:
        if part.id not in spec.materials:
            found.append(
                Conflict(f"#/materials/{part.id}", f"choose a material for the {part.name.lower()}")
            )
    for part_id, choice in spec.materials.items():
        pointer = f"#/materials/{part_id}"
        if part_id not in part_ids:
            found.append(
                Conflict(
                    pointer, f"'{part_id}' is not a part of the shoe; parts: {_names(part_ids)}"
                )
            )
            continue
        material = catalog.material(choice.material)
        if material is None:
            found.append(
                Conflict(
                    f"{pointer}/material", f"material '{choice.material}' is not in the catalog"
                )
            )
            continue
        if part_id not in material.parts:
            usable = [m.id for m in catalog.materials if part_id in m.parts]
            found.append(
                Conflict(
                    f"{pointer}/material",
                    f"{material.name} cannot be used for the {part_id} "
                    f"(materials for the {part_id}: {_names(usable)})",
                )
            )
        if choice.colour not in material.colours:
            found.append(
                Conflict(
                    f"{pointer}/colour",
                    f"{material.name} does not come in '{choice.colour}' "
                    f"(colours: {_names(list(material.colours))})",
                )
            )
    return found


def _element_conflicts(spec: DesignSpec, catalog: Catalog) -> list[Conflict]:
    found = []
    style = catalog.style(spec.style)
    seen: set[str] = set()
    for i, choice in enumerate(spec.elements):
        pointer = f"#/elements/{i}"
        element = catalog.element(choice.element)
        if element is None:
            found.append(
                Conflict(
                    f"{pointer}/element",
                    f"element '{choice.element}' is not in the catalog; "
                    "elements: " + _names([e.id for e in catalog.elements]),
                )
            )
            continue
        if element.id in seen:
            found.append(Conflict(f"{pointer}/element", f"{element.name} is chosen more than once"))
        seen.add(element.id)
        if style is not None and style.id not in element.styles:
            found.append(
                Conflict(f"{pointer}/element", f"{element.name} is not available on a {style.name}")
            )
        if choice.option not in element.options:
            found.append(
                Conflict(
                    f"{pointer}/option",
                    f"{element.name} has no option '{choice.option}' "
                    f"(options: {_names(list(element.options))})",
                )
            )
        if element.text is None and choice.text is not None:
            found.append(Conflict(f"{pointer}/text", f"{element.name} takes no text"))
        elif element.text is not None:
            if not choice.text:
                found.append(Conflict(f"{pointer}/text", f"{element.name} needs its text"))
            elif len(choice.text) > element.text.max_length or not re.fullmatch(
                element.text.pattern, choice.text
            ):
                found.append(
                    Conflict(
                        f"{pointer}/text",
                        f"{element.name} text must be 1 to "
                        f"{element.text.max_length} capital letters, not '{choice.text}'",
                    )
                )
    return found


def shoe_last(spec: DesignSpec, catalog: Catalog) -> ShoeLast:
    """The last a (buildable) design is made on: the chosen one or the style's standard last."""
    last_id = spec.last
    if last_id is None:
        style = _known(catalog.style(spec.style), f"style {spec.style}")
        last_id = _known(style.standard_last, f"standard last of {style.id}")
    return _known(catalog.last(last_id), f"last {last_id}")


def construction(spec: DesignSpec, catalog: Catalog) -> Construction:
    """The construction a (buildable) design is made with."""
    return _known(catalog.construction(spec.construction), f"construction {spec.construction}")


def option_words(option: str) -> str:
    """An element option's id as the words people read: ``waxed_cotton_black`` is
    "waxed cotton black"."""
    return option.replace("_", " ")


def bill_of_materials(spec: DesignSpec, catalog: Catalog) -> list[BomLine]:
    """The raw materials one pair of a buildable design consumes, in a stable order."""
    lines: list[BomLine] = []
    for part in catalog.parts:
        choice = spec.materials[part.id]
        material = _known(catalog.material(choice.material), choice.material)
        if material.kind == "none":
            continue
        lines.append(
            BomLine(
                component=part.name,
                material=material.name,
                colour=choice.colour,
                quantity=part.area_sqft,
                unit=material.unit,
            )
        )
    construction = _known(catalog.construction(spec.construction), spec.construction)
    lines += [
        BomLine(component=u.component, material=u.material, quantity=u.quantity, unit=u.unit)
        for u in construction.materials
    ]
    sole = _known(catalog.sole_unit(spec.sole_unit), spec.sole_unit)
    lines.append(
        BomLine(
            component="Sole unit",
            material=f"{sole.name} ({sole.material})",
            quantity=1,
            unit="pair",
        )
    )
    for element_choice in spec.elements:
        element = _known(catalog.element(element_choice.element), element_choice.element)
        lines += [
            BomLine(
                component=u.component,
                material=u.material.replace("{option}", option_words(element_choice.option)),
                quantity=u.quantity,
                unit=u.unit,
            )
            for u in element.materials
        ]
    return lines


def bom_hash(lines: list[BomLine]) -> str:
    """A fingerprint of the bill of materials: what the admin confirms before checkout."""
    canonical = json.dumps(
        [line.model_dump(mode="json") for line in lines], sort_keys=True, separators=(",", ":")
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def price_breakdown(spec: DesignSpec, catalog: Catalog) -> list[PriceLine]:
    """What each choice adds to the price of one pair (a buildable design)."""
    style = _known(catalog.style(spec.style), spec.style)
    construction = _known(catalog.construction(spec.construction), spec.construction)
    sole = _known(catalog.sole_unit(spec.sole_unit), spec.sole_unit)
    last = shoe_last(spec, catalog)
    lines = [
        PriceLine(item=f"Style: {style.name}", amount=style.price),
        PriceLine(item=f"Construction: {construction.name}", amount=construction.price),
        PriceLine(item=f"Last: {last.name} ({last.id})", amount=last.price),
    ]
    for part in catalog.parts:
        material = _known(catalog.material(spec.materials[part.id].material), part.id)
        lines.append(PriceLine(item=f"{part.name}: {material.name}", amount=material.price))
    lines.append(PriceLine(item=f"Sole unit: {sole.name}", amount=sole.price))
    for chosen in spec.elements:
        element = _known(catalog.element(chosen.element), chosen.element)
        lines.append(
            PriceLine(item=f"{element.name}: {option_words(chosen.option)}", amount=element.price)
        )
    return lines
