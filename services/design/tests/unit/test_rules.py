"""Every compatibility rule of the catalog, and what a buildable design consumes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bespoke_design.domain import rules
from bespoke_design.domain.catalog import Catalog


def pointers(found: list[Any]) -> list[str]:
    return [c.pointer for c in found]


def test_the_reference_design_is_buildable(catalog: Catalog, make_spec: Any) -> None:
    assert rules.conflicts(make_spec(), catalog) == []


def test_every_construction_style_pair_follows_the_catalog(
    catalog: Catalog, make_spec: Any
) -> None:
    for style in catalog.styles:
        for construction in catalog.constructions:
            found = rules.conflicts(
                make_spec(style=style.id, construction=construction.id), catalog
            )
            bad = [c for c in found if c.pointer == "#/construction"]
            assert bool(bad) == (style.id not in construction.styles), (style.id, construction.id)
            if bad:
                assert f"a {style.name} cannot be {construction.name}" in bad[0].detail


def test_every_sole_construction_pair_follows_the_catalog(catalog: Catalog, make_spec: Any) -> None:
    for construction in catalog.constructions:
        for sole in catalog.sole_units:
            found = rules.conflicts(
                make_spec(construction=construction.id, sole_unit=sole.id), catalog
            )
            bad = [c for c in found if c.pointer == "#/sole_unit"]
            assert bool(bad) == (construction.id not in sole.constructions), (
                sole.id,
                construction.id,
            )


def test_the_issue_s_own_example_reads_as_written(catalog: Catalog, make_spec: Any) -> None:
    found = rules.conflicts(make_spec(construction="blake_stitched", sole_unit="commando"), catalog)
    assert [c.detail.split(" (")[0] for c in found] == [
        "sole unit 'commando' cannot be Blake stitched"
    ]


def test_every_last_style_pair_follows_the_catalog(catalog: Catalog, make_spec: Any) -> None:
    for style in catalog.styles:
        for last in catalog.lasts:
            found = rules.conflicts(make_spec(style=style.id, last=last.id), catalog)
            bad = [c for c in found if c.pointer == "#/last"]
            assert bool(bad) == (style.id not in last.styles), (style.id, last.id)


def test_a_style_that_needs_a_last_refuses_none_and_others_use_their_standard_last(
    catalog: Catalog, make_spec: Any
) -> None:
    for style in catalog.styles:
        found = rules.conflicts(make_spec(style=style.id, last=None), catalog)
        needs = [c for c in found if c.pointer == "#/last"]
        assert bool(needs) == style.last_required, style.id
    sneaker = make_spec(
        style="sneaker", construction="cemented", last=None, sole_unit="cupsole", elements=[]
    )
    assert rules.conflicts(sneaker, catalog) == []
    assert rules.shoe_last(sneaker, catalog).id == "LS-400"


def test_every_element_style_pair_follows_the_catalog(catalog: Catalog, make_spec: Any) -> None:
    for style in catalog.styles:
        for element in catalog.elements:
            choice = {"element": element.id, "option": element.options[0]}
            if element.text is not None:
                choice["text"] = "AB"
            found = rules.conflicts(make_spec(style=style.id, elements=[choice]), catalog)
            bad = [c for c in found if c.pointer == "#/elements/0/element"]
            assert bool(bad) == (style.id not in element.styles), (style.id, element.id)


def test_every_material_part_and_colour_follows_the_catalog(
    catalog: Catalog, make_spec: Any
) -> None:
    for part in catalog.parts:
        for material in catalog.materials:
            materials = {
                "upper": {"material": "box_calf", "colour": "black"},
                "lining": {"material": "nappa_lining", "colour": "natural"},
                part.id: {"material": material.id, "colour": material.colours[0]},
            }
            found = rules.conflicts(make_spec(materials=materials), catalog)
            bad = [c for c in found if c.pointer == f"#/materials/{part.id}/material"]
            assert bool(bad) == (part.id not in material.parts), (part.id, material.id)
    wrong_colour = {
        "upper": {"material": "box_calf", "colour": "pink"},
        "lining": {"material": "nappa_lining", "colour": "natural"},
    }
    [conflict] = rules.conflicts(make_spec(materials=wrong_colour), catalog)
    assert conflict.pointer == "#/materials/upper/colour"
    assert "Box calf does not come in 'pink'" in conflict.detail


def test_missing_and_unknown_parts_are_named(catalog: Catalog, make_spec: Any) -> None:
    found = rules.conflicts(
        make_spec(
            materials={
                "upper": {"material": "box_calf", "colour": "black"},
                "tongue": {"material": "box_calf", "colour": "black"},
            }
        ),
        catalog,
    )
    assert pointers(found) == ["#/materials/lining", "#/materials/tongue"]


def test_element_options_text_and_repeats_are_checked(catalog: Catalog, make_spec: Any) -> None:
    found = rules.conflicts(
        make_spec(
            elements=[
                {"element": "laces", "option": "velcro"},
                {"element": "laces", "option": "rawhide"},
                {"element": "toe_cap", "option": "straight", "text": "X"},
                {"element": "monogram", "option": "gold_foil"},
                {"element": "monogram", "option": "gold_foil", "text": "abcd"},
                {"element": "jetpack", "option": "on"},
            ]
        ),
        catalog,
    )
    assert pointers(found) == [
        "#/elements/0/option",
        "#/elements/1/element",
        "#/elements/2/text",
        "#/elements/3/text",
        "#/elements/4/element",
        "#/elements/4/text",
        "#/elements/5/element",
    ]


def test_every_conflict_is_listed_not_just_the_first(catalog: Catalog, make_spec: Any) -> None:
    found = rules.conflicts(
        make_spec(
            style="sneaker",
            construction="goodyear_welted",
            last="LM-500",
            sole_unit="cupsole",
            materials={"upper": {"material": "nappa_lining", "colour": "gold"}},
            elements=[{"element": "tassels", "option": "matching"}],
        ),
        catalog,
    )
    assert pointers(found) == [
        "#/construction",
        "#/sole_unit",
        "#/last",
        "#/materials/lining",
        "#/materials/upper/material",
        "#/materials/upper/colour",
        "#/elements/0/element",
    ]
    assert found[0].detail.startswith("a Court sneaker cannot be Goodyear welted")


def test_unknown_options_are_named_with_the_choices(catalog: Catalog, make_spec: Any) -> None:
    found = rules.conflicts(
        make_spec(style="clog", construction="glued", sole_unit="wood", last="X"), catalog
    )
    assert pointers(found) == ["#/style", "#/construction", "#/sole_unit", "#/last"]
    assert "oxford" in found[0].detail


def test_the_bill_of_materials_follows_the_choices(catalog: Catalog, make_spec: Any) -> None:
    bom = rules.bill_of_materials(make_spec(), catalog)
    by_component = {line.component: line for line in bom}
    assert by_component["Upper"].material == "Box calf"
    assert by_component["Upper"].colour == "black"
    assert by_component["Upper"].quantity == 3.2
    assert by_component["Leather welt"].unit == "m"
    assert by_component["Sole unit"].material.startswith("Oak-bark leather, single")
    assert by_component["Laces"].material == "Laces (waxed cotton black)"
    unlined = make_spec(
        materials={
            "upper": {"material": "box_calf", "colour": "black"},
            "lining": {"material": "unlined", "colour": "none"},
        }
    )
    assert "Lining" not in {line.component for line in rules.bill_of_materials(unlined, catalog)}


def test_the_bom_hash_changes_with_the_materials_only(catalog: Catalog, make_spec: Any) -> None:
    base = rules.bom_hash(rules.bill_of_materials(make_spec(), catalog))
    assert base.startswith("sha256:")
    assert base == rules.bom_hash(rules.bill_of_materials(make_spec(), catalog))
    other_colour = make_spec(
        materials={
            "upper": {"material": "box_calf", "colour": "tan"},
            "lining": {"material": "nappa_lining", "colour": "natural"},
        }
    )
    assert rules.bom_hash(rules.bill_of_materials(other_colour, catalog)) != base
    # a toe cap is cut from the upper leather: no new raw material, same hash
    capped = make_spec(
        elements=[
            {"element": "laces", "option": "waxed_cotton_black"},
            {"element": "toe_cap", "option": "straight"},
        ]
    )
    assert rules.bom_hash(rules.bill_of_materials(capped, catalog)) == base


def test_the_price_adds_every_choice(catalog: Catalog, make_spec: Any) -> None:
    lines = rules.price_breakdown(make_spec(), catalog)
    # oxford 9500 + goodyear 6500 + LC-101 0 + box calf 3200 + nappa 1400 + leather sole 2200 + laces 300
    assert sum(line.amount for line in lines) == 23100
    assert [line.item for line in lines][:2] == ["Style: Oxford", "Construction: Goodyear welted"]


def test_a_catalog_with_dangling_rules_is_refused(catalog: Catalog) -> None:
    data = catalog.model_dump()
    data["constructions"][0]["styles"] = [*data["constructions"][0]["styles"], "clog"]
    data["sole_units"][0]["constructions"] = ["welded"]
    with pytest.raises(ValidationError, match="unknown style 'clog'") as raised:
        Catalog.model_validate(data)
    assert "unknown construction 'welded'" in str(raised.value)


def test_the_catalog_is_realistic_enough(catalog: Catalog) -> None:
    assert len(catalog.styles) >= 8
    assert {"oxford", "derby", "loafer", "chelsea_boot", "monk_strap", "sneaker"} <= {
        s.id for s in catalog.styles
    }
    assert {"goodyear_welted", "blake_stitched", "cemented"} <= {
        c.id for c in catalog.constructions
    }
    assert {"toe_cap", "brogueing", "laces", "monogram"} <= {e.id for e in catalog.elements}
    assert any(last.sizes.half_sizes for last in catalog.lasts)
    assert any(not last.sizes.half_sizes for last in catalog.lasts)
