"""The order email's drawing: asked of design once per brand's design version, kept,
and never handed to another brand."""

from __future__ import annotations

import io

import httpx

from bespoke_notifications.adapters.drawings import COLOURS, PIXELS, HttpDrawings, svg_png

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="190">'
    b'<rect width="400" height="190" fill="#6b3e1f"/></svg>'
)


def design_service(asked: list[str], status: int = 200) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.path}?{request.url.query.decode()}")
        return httpx.Response(status, content=SVG if status == 200 else b"{}")

    return httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://design")


async def test_a_design_version_is_drawn_once_and_kept() -> None:
    asked: list[str] = []
    drawings = HttpDrawings(design_service(asked), signer=None, kept=2)
    first = await drawings.png("acc_1", "des_1", 2)
    assert first is not None
    assert first.startswith(b"\x89PNG")
    assert await drawings.png("acc_1", "des_1", 2) == first
    assert asked == ["/internal/designs/des_1/preview.svg?version=2"]

    await drawings.png("acc_2", "des_1", 2)  # another brand asks for itself
    await drawings.png("acc_1", "des_1", 3)  # another version; the oldest kept goes
    await drawings.png("acc_1", "des_1", 2)
    assert len(asked) == 4


async def test_no_drawing_when_design_refuses_and_nothing_kept() -> None:
    asked: list[str] = []
    drawings = HttpDrawings(design_service(asked, status=503), signer=None)
    assert await drawings.png("acc_1", "des_1", 2) is None
    assert await drawings.png("acc_1", "des_1", 2) is None
    assert len(asked) == 2, "a refusal is asked again next time"


def test_the_drawing_is_a_palette_png_of_the_email_s_width() -> None:
    from PIL import Image

    svg = SVG.replace(b'fill="#6b3e1f"/>', b'fill="#6b3e1f"/><circle cx="200" cy="95" r="60"/>')
    with Image.open(io.BytesIO(svg_png(svg))) as png:
        assert png.format == "PNG"
        assert png.size == (PIXELS, PIXELS * 190 // 400)
        assert png.mode == "P", "a palette: a fraction of the bytes"
        assert 2 <= len(png.getcolors(COLOURS) or []) <= COLOURS
