"""The design preview: a drawing of the shoe made from its choices alone.

Two views, as SVG: ``side`` (the outside of a left shoe, toe to the left) and ``top``.
Each part is its own element (``data-part``), filled with its material's colour from the
catalog's ``drawing`` data and overlaid with a texture that says what it is; the sole
unit's profile and colour, the construction's visible sign, and only the elements the
design has. Pure and deterministic: the same design gives the same bytes (no clock, no
randomness, numbers printed one way), so a preview can be cached by its ETag.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

from bespoke_contracts.design import ElementChoice, MaterialChoice
from bespoke_design.domain.catalog import Catalog, SoleDrawing, StyleDrawing

View = Literal["side", "top"]
VIEWS: tuple[View, ...] = ("side", "top")

Point = tuple[float, float]


class Undrawable(ValueError):
    """The design names an option the catalog has no drawing for."""


def _n(value: float) -> str:
    """A coordinate as the SVG prints it: one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _path(points: list[Point], closed: bool = False) -> str:
    head, *rest = points
    d = f"M{_n(head[0])} {_n(head[1])}" + "".join(f"L{_n(x)} {_n(y)}" for x, y in rest)
    return d + ("Z" if closed else "")


def _quad(p0: Point, p1: Point, p2: Point, steps: int) -> list[Point]:
    """Points along a quadratic Bézier curve, ends included."""
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        out.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return out


def _shade(hex_colour: str, factor: float) -> str:
    """The colour darker (factor < 1) or lighter (> 1), as #rrggbb."""
    channels = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    if factor < 1:
        mixed = [round(c * factor) for c in channels]
    else:
        mixed = [round(c + (255 - c) * (factor - 1)) for c in channels]
    return "#" + "".join(f"{max(0, min(255, c)):02x}" for c in mixed)


@dataclass(frozen=True)
class Choices:
    """A design's choices, resolved against the catalog's drawing data."""

    style: StyleDrawing
    style_name: str
    construction: str
    construction_name: str
    sole: SoleDrawing
    sole_name: str
    upper: str
    upper_texture: str
    upper_name: str
    lining: str | None
    elements: dict[str, ElementChoice]


def resolve(
    catalog: Catalog,
    style: str,
    construction: str,
    sole_unit: str,
    materials: dict[str, MaterialChoice],
    elements: list[ElementChoice],
) -> Choices:
    """What to draw, from the design's ids; ``Undrawable`` for what the catalog lacks."""
    d = catalog.drawing

    def need(found: object, what: str) -> None:
        if not found:
            raise Undrawable(f"the catalog cannot draw {what}")

    style_info, construction_info = catalog.style(style), catalog.construction(construction)
    sole_info = catalog.sole_unit(sole_unit)
    need(style_info and style in d.styles, f"style {style!r}")
    need(construction_info and construction in d.constructions, f"construction {construction!r}")
    need(sole_info and sole_unit in d.sole_units, f"sole unit {sole_unit!r}")
    assert style_info is not None
    assert construction_info is not None
    assert sole_info is not None
    upper = materials.get("upper")
    need(upper and upper.colour in d.colours and upper.material in d.textures, "the upper")
    assert upper is not None
    upper_material = catalog.material(upper.material)
    lining = materials.get("lining")
    lining_colour = None
    if lining is not None and d.textures.get(lining.material, "none") != "none":
        need(lining.colour in d.colours, f"lining colour {lining.colour!r}")
        lining_colour = d.colours[lining.colour]
    for element in elements:
        info = catalog.element(element.element)
        need(info and element.option in info.options, f"{element.element} {element.option!r}")
    return Choices(
        style=d.styles[style],
        style_name=style_info.name,
        construction=d.constructions[construction],
        construction_name=construction_info.name,
        sole=d.sole_units[sole_unit],
        sole_name=sole_info.name,
        upper=d.colours[upper.colour],
        upper_texture=d.textures[upper.material],
        upper_name=(
            f"{upper_material.name if upper_material else upper.material}, "
            f"{upper.colour.replace('_', ' ')}"
        ),
        lining=lining_colour,
        elements={e.element: e for e in elements},
    )


def option_colour(catalog: Catalog, element: ElementChoice, upper: str) -> str:
    value = catalog.drawing.options[element.element][element.option]
    return _shade(upper, 0.72) if value == "shade" else value


# -- textures ---------------------------------------------------------------------------

_TEXTURES = {
    "smooth": '<linearGradient id="tx" x1="0" y1="0" x2="0" y2="1">'
    '<stop offset="0" stop-color="#fff" stop-opacity=".22"/>'
    '<stop offset=".5" stop-color="#fff" stop-opacity="0"/></linearGradient>',
    "burnished": '<radialGradient id="tx" cx=".12" cy=".75" r=".6">'
    '<stop offset="0" stop-color="#000" stop-opacity=".38"/>'
    '<stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>',
    "shine": '<linearGradient id="tx" x1="0" y1="0" x2="1" y2="1">'
    '<stop offset=".2" stop-color="#fff" stop-opacity="0"/>'
    '<stop offset=".3" stop-color="#fff" stop-opacity=".45"/>'
    '<stop offset=".36" stop-color="#fff" stop-opacity="0"/></linearGradient>',
    "nap": '<pattern id="tx" width="4" height="4" patternUnits="userSpaceOnUse">'
    '<circle cx="1" cy="1" r=".7" fill="#fff" fill-opacity=".16"/>'
    '<circle cx="3" cy="3" r=".6" fill="#000" fill-opacity=".14"/></pattern>',
    "grain": '<pattern id="tx" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<circle cx="3" cy="3" r="2" fill="none" stroke="#000" stroke-opacity=".18" '
    'stroke-width=".6"/></pattern>',
    "weave": '<pattern id="tx" width="4" height="4" patternUnits="userSpaceOnUse">'
    '<path d="M0 2H4M2 0V4" stroke="#000" stroke-opacity=".15" stroke-width=".6"/></pattern>',
    "none": "",
}


# -- the side view ----------------------------------------------------------------------

TOE: Point = (28, 150)
HEEL_BACK: Point = (364, 136)
GROUND = 176.0


def _feather() -> list[Point]:
    """Where the upper meets the sole, toe to heel."""
    return [
        TOE,
        *_quad((40, 160), (150, 167), (250, 157), 8)[:-1],
        (250, 157),
        (300, 140),
        HEEL_BACK,
    ]


@dataclass(frozen=True)
class Shape:
    collar_back: Point
    collar_front: Point
    throat: Point
    instep: Point


_SHAFTS = {
    "low": Shape((368, 70), (302, 64), (236, 74), (176, 86)),
    "ankle": Shape((372, 34), (300, 28), (252, 44), (196, 78)),
    "boot": Shape((374, 18), (298, 12), (250, 30), (196, 76)),
}


def _upper_outline(shape: Shape) -> list[Point]:
    feather = _feather()
    front = _quad(shape.instep, (84, 90), (34, 128), 10)
    return [
        *feather,
        shape.collar_back,
        *_quad(shape.collar_back, (336, shape.collar_back[1] - 8), shape.collar_front, 6)[1:],
        shape.throat,
        *front,
        TOE,
    ]


def _offset(points: list[Point], dy: float) -> list[Point]:
    return [(x, y + dy) for x, y in points]


def _perforations(points: list[Point], every: float, r: float, colour: str) -> Iterator[str]:
    """Brogue holes along a polyline, ``every`` units apart."""
    carried = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        position = every - carried
        while position <= length:
            t = position / length
            yield (
                f'<circle cx="{_n(x0 + (x1 - x0) * t)}" cy="{_n(y0 + (y1 - y0) * t)}" '
                f'r="{_n(r)}" fill="{colour}"/>'
            )
            position += every
        carried = (carried + length) % every


def _stitches(points: list[Point], colour: str, width: float = 0.8) -> str:
    return (
        f'<path d="{_path(points)}" fill="none" stroke="{colour}" stroke-width="{_n(width)}" '
        'stroke-dasharray="2.2 1.8"/>'
    )


def _side(c: Choices, catalog: Catalog) -> Iterator[str]:
    shape = _SHAFTS[c.style.shaft]
    seam = _shade(c.upper, 0.6)
    dark = _shade(c.upper, 0.8)
    feather = _feather()
    sole = c.sole
    # The sole unit: its edge under the feather line, its heel, its tread.
    bottom = _offset(feather, sole.thickness)
    yield (
        f'<path data-part="sole" d="{_path([*feather, *reversed(bottom)], True)}" '
        f'fill="{sole.colour}" stroke="{_shade(sole.colour, 0.6)}" stroke-width=".8"/>'
    )
    heel_top = HEEL_BACK[1] + sole.thickness
    if sole.heel == "wedge":
        wedge = [p for p in bottom if p[0] >= 150]
        yield (
            f'<path data-part="heel" d="{_path([*wedge, (HEEL_BACK[0], GROUND), (150, GROUND)], True)}" '
            f'fill="{sole.colour}" stroke="{_shade(sole.colour, 0.6)}" stroke-width=".8"/>'
        )
    else:
        yield (
            f'<path data-part="heel" d="{_path([(296, heel_top), (HEEL_BACK[0], heel_top), (HEEL_BACK[0], GROUND), (300, GROUND)], True)}" '
            f'fill="{_shade(sole.colour, 0.9)}" stroke="{_shade(sole.colour, 0.6)}" stroke-width=".8"/>'
        )
        if sole.heel == "stacked":
            for i in range(1, 5):
                y = heel_top + (GROUND - heel_top) * i / 5
                yield (
                    f'<path d="M{_n(297 + i * 0.6)} {_n(y)}H{_n(HEEL_BACK[0])}" '
                    f'stroke="{_shade(sole.colour, 0.7)}" stroke-width=".6"/>'
                )
        yield (
            f'<path d="M300 {_n(GROUND - 3)}H{_n(HEEL_BACK[0])}" '
            f'stroke="{_shade(sole.colour, 0.55)}" stroke-width="1.4"/>'
        )
    yield from _tread(sole, bottom)
    # The upper: quarters and vamp in the upper's material, its texture over them.
    outline = _path(_upper_outline(shape), True)
    yield f'<path data-part="upper" d="{outline}" fill="{c.upper}" stroke="{seam}" stroke-width="1"/>'
    if _TEXTURES[c.upper_texture]:
        yield f'<path data-part="texture" d="{outline}" fill="url(#tx)"/>'
    # The lining, seen inside the collar.
    if c.lining:
        collar = [
            shape.collar_back,
            *_quad(shape.collar_back, (336, shape.collar_back[1] - 8), shape.collar_front, 6)[1:],
        ]
        yield (
            f'<path data-part="lining" d="{_path(_offset(collar, 3))}" fill="none" '
            f'stroke="{c.lining}" stroke-width="4" stroke-linecap="round"/>'
        )
    # The heel counter, and the seam of the vamp and quarters.
    yield (
        f'<path data-part="heel-counter" d="{_path([(300, 140), *_quad((306, 110), (330, 92), (366, 92), 5), HEEL_BACK], True)}" '
        f'fill="{dark}" fill-opacity=".55" stroke="{seam}" stroke-width=".8"/>'
    )
    if c.style.vamp == "plain" and c.style.closure != "gusset":  # a whole-cut shaft: none
        quarter_seam = _quad(shape.throat, (shape.throat[0] + 14, 124), (248, 157), 6)
        yield f'<path data-part="vamp" d="{_path(quarter_seam)}" fill="none" stroke="{seam}" stroke-width="1"/>'
        yield _stitches(_offset(quarter_seam, 0), _shade(c.upper, 1.35))
    elif c.style.vamp == "apron":
        apron = _quad((shape.instep[0] + 24, shape.instep[1] + 2), (92, 96), (46, 126), 8)
        yield f'<path data-part="apron" d="{_path(apron)}" fill="none" stroke="{seam}" stroke-width="1.2"/>'
        yield _stitches(_offset(apron, 2.5), _shade(c.upper, 1.4), 1)
    yield from _construction(c, feather)
    yield from _closure(c, shape, catalog)
    yield from _side_elements(c, shape, catalog)


def _tread(sole: SoleDrawing, bottom: list[Point]) -> Iterator[str]:
    edge = _shade(sole.colour, 0.55)
    under = [p for p in bottom if p[0] <= 250]
    if sole.tread == "studs":
        for x, y in under[1::1]:
            yield f'<circle cx="{_n(x)}" cy="{_n(y + 1)}" r="1.8" fill="{edge}"/>'
    elif sole.tread == "lugs":
        for x, y in under:
            yield f'<rect x="{_n(x - 3)}" y="{_n(y - 1)}" width="6" height="4" fill="{edge}"/>'
    elif sole.tread == "crepe":
        yield f'<path d="{_path(_offset(under, -2))}" fill="none" stroke="{_shade(sole.colour, 0.8)}" stroke-width="1.2" stroke-dasharray="1 2"/>'
    elif sole.tread == "cup":
        mid = [(x, y - sole.thickness / 2) for x, y in bottom]
        yield f'<path data-part="cupsole-stripe" d="{_path(mid)}" fill="none" stroke="{edge}" stroke-width="1.2"/>'
    elif sole.tread == "siped":
        for x, y in under[::2]:
            yield f'<path d="M{_n(x)} {_n(y - 2)}v3" stroke="{edge}" stroke-width=".8"/>'


def _construction(c: Choices, feather: list[Point]) -> Iterator[str]:
    """The construction's visible sign on the sole's edge."""
    forepart = [p for p in feather if p[0] <= 300]
    thread = _shade(c.sole.colour, 1.5)
    if c.construction == "welt_stitch":
        welt = _offset(forepart, 1.2)
        yield f'<path data-part="welt" d="{_path(welt)}" fill="none" stroke="{_shade(c.sole.colour, 0.75)}" stroke-width="2.6"/>'
        yield _stitches(welt, thread, 0.9)
    elif c.construction == "midsole_stitch":
        yield _stitches(_offset(forepart, c.sole.thickness * 0.5), thread, 0.9)
    elif c.construction == "close_trim":
        yield f'<path data-part="sole-edge" d="{_path(_offset(forepart, 0.6))}" fill="none" stroke="{_shade(c.sole.colour, 0.5)}" stroke-width=".7"/>'
    elif c.construction == "flared_stitch":
        flange = _offset(forepart, -1.5)
        yield f'<path data-part="flange" d="{_path(flange)}" fill="none" stroke="{_shade(c.upper, 0.7)}" stroke-width="3"/>'
        yield _stitches(flange, _shade(c.upper, 1.45), 0.9)


def _lacing_line(shape: Shape, pairs: int) -> list[Point]:
    """Where the eyelets sit: from the throat down toward the instep."""
    (x0, y0), (x1, y1) = shape.throat, shape.instep
    span = max(pairs - 1, 1)
    return [
        (x0 + (x1 - x0) * 0.8 * i / span, y0 + (y1 - y0) * 0.8 * i / span) for i in range(pairs)
    ]


def _closure(c: Choices, shape: Shape, catalog: Catalog) -> Iterator[str]:
    closure = c.style.closure
    seam = _shade(c.upper, 0.6)
    laces = c.elements.get("laces")
    lace = option_colour(catalog, laces, c.upper) if laces else _shade(c.upper, 0.5)
    if closure in ("closed_lacing", "open_lacing", "rawhide_lacing"):
        tongue = [
            shape.throat,
            (shape.throat[0] + 6, shape.throat[1] - 12),
            (shape.throat[0] + 20, shape.throat[1] - 10),
            (shape.throat[0] + 16, shape.throat[1] + 4),
        ]
        yield f'<path data-part="tongue" d="{_path(tongue, True)}" fill="{_shade(c.upper, 0.9)}" stroke="{seam}" stroke-width=".8"/>'
        eyelets = _lacing_line(shape, max(c.style.eyelets, 1))
        if closure == "open_lacing":
            facing = [*(_offset(eyelets, -4)), *reversed(_offset(eyelets, 6))]
            yield f'<path data-part="facing" d="{_path(facing, True)}" fill="{c.upper}" stroke="{seam}" stroke-width=".9"/>'
        for i, (x, y) in enumerate(eyelets):
            yield f'<circle data-part="eyelet" cx="{_n(x)}" cy="{_n(y)}" r="1.7" fill="{_shade(c.upper, 0.45)}" stroke="#d9d2c5" stroke-width=".5"/>'
            if i + 1 < len(eyelets):
                nx, ny = eyelets[i + 1]
                yield f'<path data-part="laces" d="M{_n(x)} {_n(y)}L{_n(nx - 6)} {_n(ny - 3)}" stroke="{lace}" stroke-width="1.6" stroke-linecap="round"/>'
        if closure == "rawhide_lacing":
            collar = _quad(
                shape.collar_back, (336, shape.collar_back[1] - 8), shape.collar_front, 6
            )
            yield f'<path data-part="laces" d="{_path(_offset(collar, 5))}" fill="none" stroke="{lace}" stroke-width="1.6"/>'
        x, y = shape.throat
        yield f'<path data-part="laces" d="M{_n(x)} {_n(y)}c-8 -6 -14 -2 -10 4M{_n(x)} {_n(y)}c6 -8 12 -4 8 3" fill="none" stroke="{lace}" stroke-width="1.6"/>'
    elif closure == "straps":
        buckles = c.elements.get("buckles")
        metal = option_colour(catalog, buckles, c.upper) if buckles else "#b8923a"
        for i, dy in enumerate((0, 16)):
            y = shape.throat[1] + 4 + dy
            yield f'<path data-part="strap" d="M{_n(shape.throat[0] - 30)} {_n(y + 10)}L{_n(shape.throat[0] + 34)} {_n(y - 4)}" stroke="{_shade(c.upper, 0.85)}" stroke-width="7" stroke-linecap="round"/>'
            bx = shape.throat[0] + 22 - i * 4
            yield f'<rect data-part="buckle" x="{_n(bx)}" y="{_n(y - 7)}" width="8" height="9" rx="1" fill="none" stroke="{metal}" stroke-width="1.8"/>'
    elif closure == "gusset":
        gussets = c.elements.get("elastic_gussets")
        elastic = option_colour(catalog, gussets, c.upper) if gussets else "#202020"
        top_left, top_right = (
            (shape.collar_front[0] + 6, shape.collar_front[1] + 2),
            (shape.collar_front[0] + 36, shape.collar_front[1] + 4),
        )
        point = (shape.collar_front[0] + 18, 100)
        yield f'<path data-part="gusset" d="{_path([top_left, top_right, point], True)}" fill="{elastic}" stroke="{seam}" stroke-width=".8"/>'
        for i in range(1, 6):
            x = top_left[0] + (top_right[0] - top_left[0]) * i / 6
            yield f'<path d="M{_n(x)} {_n(top_left[1] + 2)}L{_n(point[0] + (x - point[0]) * 0.3)} {_n(point[1] - 8)}" stroke="{_shade(elastic, 1.4)}" stroke-width=".5"/>'
        back = shape.collar_back
        yield f'<path data-part="pull-tab" d="M{_n(back[0] - 2)} {_n(back[1])}l4 -12l5 2l-4 12Z" fill="{_shade(c.upper, 0.8)}"/>'
    elif closure == "slip_on" and "tassels" not in c.elements:  # a penny loafer's strap
        x, y = shape.instep
        yield (
            f'<path data-part="penny-strap" d="M{_n(x + 10)} {_n(y - 6)}L{_n(x + 56)} '
            f'{_n(y - 14)}" stroke="{_shade(c.upper, 0.85)}" stroke-width="6"/>'
        )
        yield (
            f'<ellipse cx="{_n(x + 33)}" cy="{_n(y - 10)}" rx="5" ry="1.6" '
            f'fill="{_shade(c.upper, 0.45)}"/>'
        )


STRAIGHT_CAP = _quad((80, 98), (100, 126), (82, 160), 8)
WING_CAP = [
    *_quad((72, 100), (92, 126), (122, 134), 6),
    *_quad((122, 134), (152, 142), (152, 163), 6)[1:],
]
MEDALLION: Point = (54, 126)


def _side_elements(c: Choices, shape: Shape, catalog: Catalog) -> Iterator[str]:
    seam = _shade(c.upper, 0.6)
    holes = _shade(c.upper, 0.4)
    cap = c.elements.get("toe_cap")
    brogue = c.elements.get("brogueing")
    cap_line: list[Point] = []
    if cap is not None:
        if cap.option == "wingtip" or (brogue and brogue.option in ("full", "longwing")):
            cap_line = WING_CAP
        else:
            cap_line = STRAIGHT_CAP
        yield f'<path data-part="toe-cap" d="{_path(cap_line)}" fill="none" stroke="{seam}" stroke-width="1.1"/>'
        if cap.option == "medallion":
            yield from _medallion(MEDALLION, holes)
    if brogue is not None:
        line = cap_line or STRAIGHT_CAP
        yield from _perforations(_offset(line, -3), 4.5, 0.9, holes)
        if brogue.option in ("semi", "full", "longwing"):
            yield from _medallion(MEDALLION, holes)
        if brogue.option == "longwing":
            yield from _perforations(_quad((152, 148), (240, 128), (300, 112), 10), 4.5, 0.9, holes)
        x, y = shape.throat
        yield from _perforations(
            _quad((x + 4, y + 6), (x + 18, 122), (252, 150), 8), 4.5, 0.9, holes
        )
    tassels = c.elements.get("tassels")
    if tassels is not None:
        colour = option_colour(catalog, tassels, c.upper)
        x, y = shape.instep
        for dx in (0, 7):
            yield f'<path data-part="tassel" d="M{_n(x + 20 + dx)} {_n(y - 6)}l-3 14" stroke="{colour}" stroke-width="1.4"/>'
            yield f'<ellipse data-part="tassel" cx="{_n(x + 16 + dx)}" cy="{_n(y + 10)}" rx="3" ry="5" fill="{colour}"/>'
    hooks = c.elements.get("speed_hooks")
    if hooks is not None and c.style.closure == "open_lacing":
        metal = option_colour(catalog, hooks, c.upper)
        x0, y0 = shape.throat
        for i in range(3):
            yield f'<path data-part="speed-hook" d="M{_n(x0 + 2)} {_n(y0 - 6 - i * 9)}q-5 -2 -4 3" fill="none" stroke="{metal}" stroke-width="1.6"/>'
    monogram = c.elements.get("monogram")
    if monogram is not None and monogram.text:
        colour = option_colour(catalog, monogram, c.upper)
        yield (
            f'<text data-part="monogram" x="322" y="{_n(shape.collar_back[1] + 40)}" font-family="serif" '
            f'font-style="italic" font-size="11" fill={quoteattr(colour)} text-anchor="middle">'
            f"{escape(monogram.text)}</text>"
        )


def _medallion(centre: Point, colour: str) -> Iterator[str]:
    cx, cy = centre
    for dx, dy in ((0, 0), (-4, -3), (4, -3), (-4, 3), (4, 3), (0, -6), (0, 6), (-7, 0), (7, 0)):
        yield f'<circle data-part="medallion" cx="{_n(cx + dx)}" cy="{_n(cy + dy)}" r=".9" fill="{colour}"/>'


# -- the top view -----------------------------------------------------------------------


def _footprint(inset: float) -> list[Point]:
    """The sole's outline seen from above, toe to the left, ``inset`` inside it."""
    top = [
        *_quad((24 + inset, 80), (30 + inset, 34 + inset), (110, 30 + inset), 8),
        *_quad((110, 30 + inset), (220, 30 + inset), (300, 48 + inset), 8)[1:],
        *_quad((300, 48 + inset), (376 - inset, 48 + inset), (376 - inset, 80), 6)[1:],
    ]
    bottom = [(x, 160 - y) for x, y in reversed(top[:-1])]
    return [*top, *bottom]


def _top(c: Choices, catalog: Catalog) -> Iterator[str]:
    seam = _shade(c.upper, 0.6)
    yield f'<path data-part="sole" d="{_path(_footprint(0), True)}" fill="{c.sole.colour}" stroke="{_shade(c.sole.colour, 0.6)}" stroke-width="1"/>'
    upper = _path(_footprint(4 + (2 if c.construction == "welt_stitch" else 0)), True)
    yield f'<path data-part="upper" d="{upper}" fill="{c.upper}" stroke="{seam}" stroke-width="1"/>'
    if _TEXTURES[c.upper_texture]:
        yield f'<path data-part="texture" d="{upper}" fill="url(#tx)"/>'
    if c.construction == "welt_stitch":
        yield _stitches(_footprint(2.5), _shade(c.sole.colour, 1.5), 0.8)
    opening = (322, 80, 34, 18) if c.style.shaft == "low" else (330, 80, 30, 22)
    lining = c.lining or _shade(c.upper, 0.5)
    cx, cy, rx, ry = opening
    yield f'<ellipse data-part="lining" cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" fill="{lining}" stroke="{seam}" stroke-width="1.2"/>'
    closure = c.style.closure
    laces = c.elements.get("laces")
    lace = option_colour(catalog, laces, c.upper) if laces else _shade(c.upper, 0.5)
    if closure in ("closed_lacing", "open_lacing", "rawhide_lacing"):
        pairs = max(c.style.eyelets, 1)
        for i in range(pairs):
            x = 270 - i * (90 / max(pairs, 2))
            gap = 7 if closure == "closed_lacing" else 12
            yield f'<circle data-part="eyelet" cx="{_n(x)}" cy="{_n(80 - gap)}" r="1.8" fill="{seam}"/>'
            yield f'<circle data-part="eyelet" cx="{_n(x)}" cy="{_n(80 + gap)}" r="1.8" fill="{seam}"/>'
            yield f'<path data-part="laces" d="M{_n(x)} {_n(80 - gap)}L{_n(x)} {_n(80 + gap)}" stroke="{lace}" stroke-width="1.8"/>'
    elif closure == "straps":
        buckles = c.elements.get("buckles")
        metal = option_colour(catalog, buckles, c.upper) if buckles else "#b8923a"
        for x in (236, 258):
            yield f'<path data-part="strap" d="M{_n(x)} 56L{_n(x + 8)} 104" stroke="{_shade(c.upper, 0.85)}" stroke-width="8"/>'
            yield f'<rect data-part="buckle" x="{_n(x + 3)}" y="98" width="9" height="8" fill="none" stroke="{metal}" stroke-width="1.6"/>'
    elif c.style.vamp == "apron" or closure == "slip_on":
        yield f'<path data-part="apron" d="M270 58Q170 48 160 80Q170 112 270 102" fill="none" stroke="{seam}" stroke-width="1.2"/>'
        yield _stitches(
            [(268, 61), (200, 56), (166, 80), (200, 104), (268, 99)], _shade(c.upper, 1.4)
        )
    cap = c.elements.get("toe_cap")
    if cap is not None:
        wing = cap.option == "wingtip"
        d = "M100 40Q70 80 100 120" if not wing else "M130 38Q92 56 84 80Q92 104 130 122"
        yield f'<path data-part="toe-cap" d="{d}" fill="none" stroke="{seam}" stroke-width="1.1"/>'
    brogue = c.elements.get("brogueing")
    if brogue is not None:
        yield from _perforations(
            _quad((96, 42), (66, 80), (96, 118), 10), 5, 1, _shade(c.upper, 0.4)
        )
        if brogue.option != "quarter":
            yield from _medallion((52, 80), _shade(c.upper, 0.4))


def view_box(view: View) -> str:
    return "0 0 400 190" if view == "side" else "0 0 400 160"


def draw(c: Choices, catalog: Catalog, view: View, title: str) -> str:
    """The SVG document of one view."""
    body = _side(c, catalog) if view == "side" else _top(c, catalog)
    described = (
        f"{c.style_name} in {c.upper_name}, {c.construction_name.lower()}, on a "
        f"{c.sole_name.lower()} sole"
    )
    elements = ", ".join(sorted(e.replace("_", " ") for e in c.elements))
    if elements:
        described += f"; with {elements}"
    texture = _TEXTURES[c.upper_texture]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box(view)}" role="img" '
        f'aria-labelledby="preview-title preview-desc" data-view="{view}">'
        f'<title id="preview-title">{escape(title)}</title>'
        f'<desc id="preview-desc">{escape(described)}</desc>'
        + (f"<defs>{texture}</defs>" if texture else "")
        + "".join(body)
        + "</svg>\n"
    )


def etag(svg: str) -> str:
    """The preview's entity tag: a hash of its bytes."""
    return '"' + hashlib.sha256(svg.encode()).hexdigest()[:32] + '"'
