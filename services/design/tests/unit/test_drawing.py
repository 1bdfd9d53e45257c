"""The design preview: every catalog option draws, each view is well-formed SVG and the
same design gives the same bytes; a few designs look as their committed pictures do
(rendered to PNG by CairoSVG and compared within a tolerance)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET

from bespoke_contracts.design import ElementChoice, MaterialChoice
from bespoke_design.adapters.catalog_file import load_gallery_seeds
from bespoke_design.domain import drawing
from bespoke_design.domain.catalog import Catalog

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"


def draw(catalog: Catalog, view: drawing.View = "side", **changes: object) -> str:
    spec: dict[str, object] = {
        "style": "oxford",
        "construction": "goodyear_welted",
        "sole_unit": "leather_single",
        "materials": {
            "upper": MaterialChoice(material="box_calf", colour="black"),
            "lining": MaterialChoice(material="nappa_lining", colour="natural"),
        },
        "elements": [],
    } | changes
    choices = drawing.resolve(catalog, **spec)  # type: ignore[arg-type]
    return drawing.draw(choices, catalog, view, "Office oxford")


def parts(svg: str) -> set[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return {e.attrib["data-part"] for e in root.iter() if "data-part" in e.attrib}


def test_every_catalog_option_draws_in_both_views(catalog: Catalog) -> None:
    drawn = 0
    for view in drawing.VIEWS:
        for style in catalog.styles:
            for construction in catalog.constructions:
                for sole in catalog.sole_units:
                    parts(
                        draw(
                            catalog,
                            view,
                            style=style.id,
                            construction=construction.id,
                            sole_unit=sole.id,
                        )
                    )
                    drawn += 1
        for material in catalog.materials:
            for colour in material.colours:
                part = "upper" if "upper" in material.parts else "lining"
                materials = {
                    "upper": MaterialChoice(material="box_calf", colour="black"),
                    part: MaterialChoice(material=material.id, colour=colour),
                }
                parts(draw(catalog, view, materials=materials))
                drawn += 1
        for element in catalog.elements:
            for option in element.options:
                text = "BF" if element.text else None
                choice = ElementChoice(element=element.id, option=option, text=text)
                for style_id in element.styles:  # on every style that takes it
                    parts(draw(catalog, view, style=style_id, elements=[choice]))
                    drawn += 1
    assert drawn > 2 * len(catalog.styles) * len(catalog.constructions)


def test_the_same_design_gives_the_same_bytes_and_another_another(catalog: Catalog) -> None:
    first, again = draw(catalog), draw(catalog)
    assert first == again
    assert drawing.etag(first) == drawing.etag(again)
    suede = draw(catalog, materials={"upper": MaterialChoice(material="suede", colour="snuff")})
    assert drawing.etag(suede) != drawing.etag(first)


def test_only_the_elements_the_design_has_are_drawn(catalog: Catalog) -> None:
    plain = parts(draw(catalog))
    assert {"sole", "heel", "upper", "lining", "welt", "tongue", "eyelet", "laces"} <= plain
    assert not plain & {"toe-cap", "medallion", "strap", "buckle", "gusset", "monogram"}
    capped = parts(draw(catalog, elements=[ElementChoice(element="toe_cap", option="medallion")]))
    assert {"toe-cap", "medallion"} <= capped
    monk = parts(
        draw(
            catalog,
            style="monk_strap",
            elements=[ElementChoice(element="buckles", option="silver")],
        )
    )
    assert {"strap", "buckle"} <= monk
    assert "laces" not in monk
    cemented = parts(draw(catalog, construction="cemented", sole_unit="cupsole", style="sneaker"))
    assert "welt" not in cemented
    assert "cupsole-stripe" in cemented


def test_text_from_the_brand_is_text_in_the_drawing(catalog: Catalog) -> None:
    svg = draw(
        catalog,
        elements=[ElementChoice(element="monogram", option="gold_foil", text="<b>&</b>")],
    )
    [text] = [e for e in ET.fromstring(svg).iter(f"{SVG}text")]
    assert text.text == "<b>&</b>"
    assert "<b>" not in svg


def test_a_choice_the_catalog_cannot_draw_is_refused(catalog: Catalog) -> None:
    with pytest.raises(drawing.Undrawable, match="style 'clog'"):
        draw(catalog, style="clog")
    with pytest.raises(drawing.Undrawable, match="the upper"):
        draw(catalog, materials={"upper": MaterialChoice(material="box_calf", colour="pink")})


def _png(svg: str) -> bytes:
    import cairosvg

    png = cairosvg.svg2png(bytestring=svg.encode(), output_width=400, background_color="white")
    assert isinstance(png, bytes)
    return png


@pytest.mark.parametrize("seed", ["gal_city_oxford", "gal_suede_chelsea", "gal_court_sneaker"])
@pytest.mark.parametrize("view", drawing.VIEWS)
def test_gallery_designs_look_as_their_committed_pictures(
    catalog: Catalog, seed: str, view: drawing.View
) -> None:
    from PIL import Image, ImageChops, ImageStat

    request = dict(load_gallery_seeds())[seed]
    choices = drawing.resolve(
        catalog,
        request.style,
        request.construction,
        request.sole_unit,
        request.materials,
        request.elements,
    )
    png = _png(drawing.draw(choices, catalog, view, request.name))
    reference = GOLDEN / f"{seed}-{view}.png"
    if os.environ.get("BESPOKE_UPDATE_GOLDEN") == "1":  # after a change meant to show
        reference.write_bytes(png)
    with Image.open(io.BytesIO(png)) as drawn, Image.open(reference) as expected:
        assert drawn.size == expected.size
        difference = ImageChops.difference(drawn.convert("RGB"), expected.convert("RGB"))
        mean = sum(ImageStat.Stat(difference).mean) / 3
    assert mean < 1.5, f"{seed} {view} differs from {reference.name} by {mean:.2f} on average"
