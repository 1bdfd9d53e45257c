"""The EU's VIES service, asked whether a buyer's VAT number is registered, when an
invoice is issued (never at checkout: VIES is often down, and a sale never waits for it).
Whatever it answers, or if it does not, the answer is written on the invoice."""

from __future__ import annotations

import httpx

from bespoke_payments.service_layer.ports import VatCheck


class ViesCheck(VatCheck):
    """VIES's REST API (`POST {url}` with `countryCode` and `vatNumber`)."""

    def __init__(
        self,
        url: str,
        timeout_seconds: float,
        proxy: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._client = httpx.AsyncClient(timeout=timeout_seconds, proxy=proxy, transport=transport)

    async def check(self, vat_id: str) -> str:
        country, number = vat_id[:2], vat_id[2:]
        try:
            answer = await self._client.post(
                self._url, json={"countryCode": country, "vatNumber": number}
            )
            answer.raise_for_status()
            body = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            return f"VIES check unavailable ({type(error).__name__}); number format and check digits valid"
        if body.get("valid") is True:
            return f"VIES: {vat_id} valid ({body.get('requestDate', '')[:10] or 'today'})"
        if body.get("valid") is False:
            return f"VIES: {vat_id} not registered (checked at issue; number format valid)"
        return f"VIES check unavailable ({body.get('userError') or 'no answer'})"
