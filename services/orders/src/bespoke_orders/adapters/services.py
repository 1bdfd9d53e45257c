"""HTTP clients for the design and shipping services' internal APIs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from bespoke_contracts.api.design import DesignResponse, DesignStatus, Estimate, EstimateRequest
from bespoke_orders.domain.checkout import Money
from bespoke_orders.domain.errors import Conflict, InvalidOrder, UpstreamUnavailable
from bespoke_platform.credentials import CredentialSigner, signed
from bespoke_platform.memo import Memo


async def _call(
    client: httpx.AsyncClient, name: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    try:
        return await client.request(method, path, **kwargs)
    except httpx.HTTPError as error:
        raise UpstreamUnavailable(
            f"the {name} service is not answering ({type(error).__name__}); try again shortly"
        ) from error


def _refusal(response: httpx.Response, pointer_prefix: str = "") -> InvalidOrder:
    problem = response.json()
    conflicts = [
        Conflict(pointer_prefix + e["pointer"], e["detail"]) for e in problem.get("errors", [])
    ]
    return InvalidOrder(problem.get("detail", "refused by the design service"), conflicts)


KEPT_VERSIONS = 1024
"""Design versions kept in memory (the latest asked): each ~5 KB."""


class HttpDesignCatalog:
    """The design service, called with orders' own credential (for the order's brand).

    A design version never changes once made, so each is asked once and kept (the latest
    ``kept`` by brand, design and version): a repeat order of it costs no call. Only what
    can change about it (the design archived since) is stale in the copy, and the
    estimate, asked on every checkout, refuses an archived design with the same words."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        signer: CredentialSigner | None,
        kept: int = KEPT_VERSIONS,
    ) -> None:
        self._client, self._signer = client, signer
        self._versions: Memo[tuple[str, str, int], DesignResponse] = Memo(kept)

    async def design_version(self, account_id: str, design_id: str, version: int) -> DesignResponse:
        return await self._versions.get(
            (account_id, design_id, version),
            lambda: self._ask_version(account_id, design_id, version),
            keep=lambda found: found.status is not DesignStatus.ARCHIVED,
        )

    async def _ask_version(self, account_id: str, design_id: str, version: int) -> DesignResponse:
        response = await _call(
            self._client,
            "design",
            "GET",
            f"/internal/designs/{design_id}",
            params={"version": version},
            headers=signed(self._signer, "design", account_id),
        )
        if response.status_code == 404:
            raise InvalidOrder(
                f"your brand has no design {design_id} version {version}",
                [Conflict("#/design_id", response.json().get("detail", "no such design"))],
            )
        if response.status_code != 200:
            raise UpstreamUnavailable(f"the design service answered {response.status_code}")
        return DesignResponse.model_validate_json(response.content)

    async def estimate(self, account_id: str, request: EstimateRequest) -> Estimate:
        response = await _call(
            self._client,
            "design",
            "POST",
            "/internal/estimates",
            json=request.model_dump(mode="json", exclude_none=True),
            headers=signed(self._signer, "design", account_id),
        )
        if response.status_code in (404, 409, 422):
            raise _refusal(response)
        if response.status_code != 200:
            raise UpstreamUnavailable(f"the design service answered {response.status_code}")
        return Estimate.model_validate_json(response.content)

    async def customization_price(self, customization: str) -> Money:
        response = await _call(
            self._client,
            "design",
            "GET",
            "/internal/catalog",
            headers=signed(self._signer, "design"),
        )
        if response.status_code != 200:
            raise UpstreamUnavailable(f"the design service answered {response.status_code}")
        catalog = response.json()
        for offered in catalog.get("customizations", []):
            if offered["id"] == customization:
                return Money(amount=offered["price"], currency=catalog["currency"])
        raise UpstreamUnavailable(f"the design service's catalog has no {customization!r} price")

    async def drawing(self, account_id: str, design_id: str, version: int) -> bytes:
        response = await _call(
            self._client,
            "design",
            "GET",
            f"/internal/designs/{design_id}/preview.svg",
            params={"version": version},
            headers=signed(self._signer, "design", account_id),
        )
        if response.status_code != 200:
            raise UpstreamUnavailable(f"the design service answered {response.status_code}")
        return response.content

    async def aclose(self) -> None:
        await self._client.aclose()


QUOTES_KEPT = 1024
"""Shipping quotes kept in memory (the latest asked), by country and pairs."""
QUOTE_SECONDS = 60.0
"""How long a quote is reused. The rate card is the shipping service's data, changed only
by a release of it: after one, orders quotes at the old rates for a minute at most."""


class HttpShippingRates:
    """The shipping service's rates, called with orders' own credential; each quote is
    reused for ``seconds`` (the latest ``kept``)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        signer: CredentialSigner | None,
        seconds: float = QUOTE_SECONDS,
        kept: int = QUOTES_KEPT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client, self._signer = client, signer
        self._quotes: Memo[tuple[str, int], Money] = Memo(kept, seconds, monotonic)

    async def quote(self, country: str, pairs: int) -> Money:
        return await self._quotes.get(
            (country, pairs), lambda: self._ask(country, pairs), keep=lambda _: True
        )

    async def _ask(self, country: str, pairs: int) -> Money:
        response = await _call(
            self._client,
            "shipping",
            "POST",
            "/internal/quotes",
            json={"country": country, "pairs": pairs},
            headers=signed(self._signer, "shipping"),
        )
        if response.status_code != 200:
            raise UpstreamUnavailable(f"the shipping service answered {response.status_code}")
        body = response.json()
        return Money(amount=body["cost"], currency=body["currency"])

    async def aclose(self) -> None:
        await self._client.aclose()
