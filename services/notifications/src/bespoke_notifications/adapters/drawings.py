"""The design version's drawing for an order email: the design service's SVG (asked
with notifications' own credential, for the order's brand), rasterised by CairoSVG,
which loads nothing the SVG points to."""

from __future__ import annotations

import asyncio
import io
import logging

import httpx

from bespoke_platform.credentials import CredentialSigner, signed
from bespoke_platform.memo import Memo

log = logging.getLogger(__name__)

PIXELS = 800
"""The PNG's width: the email shows it 400 px wide, sharp on a high-density screen."""
KEPT = 256
"""Drawings kept in memory (about 35 KB each): a design version never changes, and its
orders come in runs, so most emails reuse one instead of a call and a raster (~70 ms of
CPU)."""


COLOURS = 256
"""The PNG's palette: a drawing of flat colours loses nothing to the eye at 256, and its
PNG is under half the bytes (35 KB -> 14 KB at 800 px), which every email then carries,
encodes, hands to SMTP, and the mail server parses."""


def svg_png(svg: bytes) -> bytes:
    import cairosvg
    from PIL import Image

    png = cairosvg.svg2png(bytestring=svg, output_width=PIXELS, background_color="white")
    assert isinstance(png, bytes)
    with Image.open(io.BytesIO(png)) as drawn:
        palette = drawn.convert("RGB").quantize(COLOURS, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


class HttpDrawings:
    """``Drawings`` from the design service's internal API."""

    def __init__(
        self, client: httpx.AsyncClient, signer: CredentialSigner | None, kept: int = KEPT
    ) -> None:
        self._client, self._signer = client, signer
        self._drawn: Memo[tuple[str, str, int], bytes | None] = Memo(kept)
        """The latest drawings, by brand, design and version (the brand in the key: one
        brand's drawing is never another's answer); emails of one version asking at
        once share one call and one raster."""

    async def png(self, account_id: str, design_id: str, version: int) -> bytes | None:
        return await self._drawn.get(
            (account_id, design_id, version),
            lambda: self._fetch(account_id, design_id, version),
            keep=lambda png: png is not None,
        )

    async def _fetch(self, account_id: str, design_id: str, version: int) -> bytes | None:
        try:
            response = await self._client.get(
                f"/internal/designs/{design_id}/preview.svg",
                params={"version": version},
                headers=signed(self._signer, "design", account_id),
            )
        except httpx.HTTPError:
            log.warning("no drawing of %s v%s: design not answering", design_id, version)
            return None
        if response.status_code != 200:
            log.warning(
                "no drawing of %s v%s: design answered %s",
                design_id,
                version,
                response.status_code,
            )
            return None
        return await asyncio.to_thread(svg_png, response.content)

    async def aclose(self) -> None:
        await self._client.aclose()
