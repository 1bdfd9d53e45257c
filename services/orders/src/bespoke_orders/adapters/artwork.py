"""What a file is, told from its content alone (never its name or the client's content
type), and whether the factory can make a stamp from it.

Artwork is vector: SVG, PDF or EPS. An SVG is parsed with ``defusedxml`` (no DTDs, no
entities, nothing external) and refused if it could run or fetch anything when shown:
scripts, event-handler attributes, references outside the file, embedded raster images,
``foreignObject``. What only breaks the factory's artwork rules (plain black on white,
no gradients) is a warning the brand sees, not a refusal. A PDF must parse (pypdf) with
at least one page; an EPS needs its DSC header and a bounding box. Proofs (the
factory's) may also be PNG.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, parse

from bespoke_orders.domain.errors import ArtworkRefused

SVG = "image/svg+xml"
PDF = "application/pdf"
EPS = "application/postscript"
PNG = "image/png"

ARTWORK_TYPES = frozenset({SVG, PDF, EPS})
PROOF_TYPES = frozenset({SVG, PDF, PNG})

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_HEAD_BYTES = 64 * 1024
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DOS_EPS_MAGIC = b"\xc5\xd0\xd3\xc6"
_EPS_FIRST_LINE = re.compile(rb"^%!PS-Adobe-\d\.\d+ EPSF-\d\.\d+\s*$")
_BOUNDING_BOX = re.compile(rb"^%%BoundingBox:\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*$", re.M)

_PLAIN = frozenset(
    {
        "black",
        "white",
        "#000",
        "#000000",
        "#fff",
        "#ffffff",
        "none",
        "transparent",
        "currentcolor",
        "inherit",
        "rgb(0,0,0)",
        "rgb(255,255,255)",
    }
)
"""Colour values the factory's rules allow (black on white), lower case, no spaces."""
_COLOUR_PROPERTIES = ("fill", "stroke", "color", "stop-color", "flood-color", "lighting-color")
_STYLE_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)


@dataclass(frozen=True)
class Recognised:
    """A file the factory accepts: its real type and what it breaks of the rules."""

    content_type: str
    warnings: list[str] = field(default_factory=list)


def recognise_artwork(file: BinaryIO) -> Recognised:
    """The brand's artwork: SVG, PDF or EPS; raises ``ArtworkRefused`` with each reason."""
    return _recognise(file, ARTWORK_TYPES, "#/artwork")


def recognise_proof(file: BinaryIO) -> Recognised:
    """The factory's proof: PDF, PNG or SVG (held to the artwork's SVG rules, since the
    brand's browser shows it)."""
    return _recognise(file, PROOF_TYPES, "#/proof")


def _recognise(file: BinaryIO, accepted: frozenset[str], pointer: str) -> Recognised:
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(0)
    wanted = " or ".join(sorted(_NAMES[t] for t in accepted))
    if not head:
        raise ArtworkRefused(["the file is empty"], pointer)
    if head.startswith(_PNG_MAGIC):
        if PNG not in accepted:
            raise ArtworkRefused(
                [f"a PNG is a raster image: send vector artwork ({wanted})"], pointer
            )
        return Recognised(PNG, _check_png(file, pointer))
    if head.startswith(b"%PDF-"):
        return Recognised(PDF, _check_pdf(file, pointer))
    if (head.startswith(b"%!PS-Adobe-") or head.startswith(_DOS_EPS_MAGIC)) and EPS in accepted:
        return Recognised(EPS, _check_eps(head, pointer))
    if _looks_like_xml(head):
        return Recognised(SVG, check_svg(file, pointer))
    raise ArtworkRefused([f"the content is not {wanted}"], pointer)


_NAMES = {SVG: "SVG", PDF: "PDF", EPS: "EPS", PNG: "PNG"}


def _looks_like_xml(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<")


def _check_pdf(file: BinaryIO, pointer: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(file)
        if reader.is_encrypted:
            raise ArtworkRefused(["the PDF is encrypted: send it without a password"], pointer)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, struct.error) as error:
        raise ArtworkRefused([f"the PDF cannot be read ({error})"], pointer) from None
    finally:
        file.seek(0)
    if pages < 1:
        raise ArtworkRefused(["the PDF has no page"], pointer)
    return []


def _check_eps(head: bytes, pointer: str) -> list[str]:
    """An EPS file's DSC header: its first line names EPSF, and a bounding box with an
    area follows among its header comments. A DOS EPS (binary header) is checked at the
    PostScript section its header points to."""
    if head.startswith(_DOS_EPS_MAGIC):
        if len(head) < 12:
            raise ArtworkRefused(["the EPS binary header is cut short"], pointer)
        start, length = struct.unpack_from("<II", head, 4)
        head = head[start : start + min(length, _HEAD_BYTES)]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not _EPS_FIRST_LINE.match(first):
        raise ArtworkRefused(
            ["the PostScript file is not EPS (its first line must name EPSF)"], pointer
        )
    box = _BOUNDING_BOX.search(head.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    if box is None:
        raise ArtworkRefused(["the EPS file has no %%BoundingBox"], pointer)
    llx, lly, urx, ury = (int(v) for v in box.groups())
    if urx <= llx or ury <= lly:
        raise ArtworkRefused(["the EPS bounding box is empty"], pointer)
    return []


def _check_png(file: BinaryIO, pointer: str) -> list[str]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ArtworkRefused([f"the PNG cannot be read ({error})"], pointer) from None
    finally:
        file.seek(0)
    return []


def check_svg(file: BinaryIO, pointer: str = "#/artwork") -> list[str]:
    """Refuse an SVG that could run script, load anything or hide a raster image; return
    the factory's artwork rules it breaks (warnings)."""
    try:
        root = parse(file, forbid_dtd=True, forbid_entities=True, forbid_external=True).getroot()
    except DefusedXmlException:
        raise ArtworkRefused(
            ["the SVG declares a DTD or entities, which are not allowed"], pointer
        ) from None
    except ParseError as error:
        raise ArtworkRefused([f"the SVG is not well-formed XML ({error})"], pointer) from None
    finally:
        file.seek(0)
    if root is None or root.tag != f"{_SVG_NS}svg":
        raise ArtworkRefused(["the XML is not an SVG (its root must be <svg>)"], pointer)
    refusals: dict[str, None] = {}
    warnings: dict[str, None] = {}
    for element in root.iter():
        tag = element.tag.removeprefix(_SVG_NS) if isinstance(element.tag, str) else ""
        if tag == "script":
            refusals["it contains a <script>"] = None
        elif tag == "foreignObject":
            refusals["it contains a <foreignObject> (HTML inside the SVG)"] = None
        elif tag == "image":
            refusals["it embeds an image (<image>): the artwork must be vector only"] = None
        elif tag in ("linearGradient", "radialGradient", "meshgradient"):
            warnings["it uses gradients: stamps are one flat colour"] = None
        if tag == "style" and element.text:
            _check_css(element.text, refusals, warnings)
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                refusals[f"it has an event-handler attribute ({local})"] = None
            if "javascript:" in value.replace(" ", "").lower():
                refusals["it has a javascript: link"] = None
            elif name in ("href", _XLINK_HREF) and not value.strip().startswith("#"):
                refusals[
                    f"it refers to something outside the file ({local}={value[:60]!r}); "
                    "only links to its own #ids are allowed"
                ] = None
            if local == "style":
                _check_css(value, refusals, warnings)
            elif local in _COLOUR_PROPERTIES:
                _check_colour(value, warnings)
    if refusals:
        raise ArtworkRefused(list(refusals), pointer)
    return list(warnings)


def _check_css(css: str, refusals: dict[str, None], warnings: dict[str, None]) -> None:
    if "@import" in css.lower():
        refusals["its styles @import something from outside the file"] = None
    for target in _CSS_URL.findall(css):
        if not target.startswith("#"):
            refusals[f"its styles load something from outside the file (url({target[:60]}))"] = None
    for prop, value in _STYLE_DECLARATION.findall(css.lower()):
        if prop in _COLOUR_PROPERTIES:
            _check_colour(value, warnings)


def _check_colour(value: str, warnings: dict[str, None]) -> None:
    colour = value.strip().lower().replace(" ", "").removesuffix("!important")
    if colour.startswith("url(#"):
        return  # a gradient or pattern of its own: warned about as a gradient
    if colour not in _PLAIN and not any(w.startswith("it uses colours") for w in warnings):
        warnings[f"it uses colours other than black on white (e.g. {colour[:30]})"] = None


THUMBNAIL_WIDTH = 320


def svg_png(svg: bytes, width: int) -> bytes:
    """An SVG drawn as a PNG ``width`` pixels wide on white by CairoSVG, which resolves
    no external resources unless told to."""
    import cairosvg

    png = cairosvg.svg2png(bytestring=svg, output_width=width, background_color="white")
    assert isinstance(png, bytes)
    return png


def svg_thumbnail(svg: bytes) -> bytes:
    """A PNG preview of SVG artwork (already checked: nothing in it loads or runs)."""
    return svg_png(svg, THUMBNAIL_WIDTH)


class Inspector:
    """``ArtworkInspector`` of the service: the checks above, and CairoSVG."""

    def artwork(self, file: BinaryIO) -> Recognised:
        return recognise_artwork(file)

    def proof(self, file: BinaryIO) -> Recognised:
        return recognise_proof(file)

    def thumbnail(self, svg: bytes) -> bytes:
        return svg_thumbnail(svg)
