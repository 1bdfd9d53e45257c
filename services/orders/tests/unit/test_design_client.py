"""Orders' clients of the design and shipping services: a design version, which never
changes, is asked once and kept, per brand; a shipping quote is reused for a minute."""

from __future__ import annotations

import httpx
import pytest

from bespoke_orders.adapters.services import HttpDesignCatalog, HttpShippingRates
from bespoke_orders.domain.errors import InvalidOrder

from .fakes import design_version


class Design:
    """The design service's internal API: counts the versions asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.archived = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append((request.url.path, request.url.params["version"]))
        if request.url.path.endswith("/des_missing"):
            return httpx.Response(404, json={"detail": "no design des_missing"})
        answer = design_version(int(request.url.params["version"]), archived=self.archived)
        return httpx.Response(200, content=answer.model_dump_json())


def client(design: Design, kept: int = 1024) -> HttpDesignCatalog:
    transport = httpx.MockTransport(design)
    return HttpDesignCatalog(
        httpx.AsyncClient(transport=transport, base_url="http://design"), None, kept
    )


async def test_a_design_version_is_asked_once_and_kept() -> None:
    design = Design()
    catalog = client(design)
    first = await catalog.design_version("acc_1", "des_1", 2)
    again = await catalog.design_version("acc_1", "des_1", 2)
    assert again == first
    assert len(design.asked) == 1
    await catalog.design_version("acc_1", "des_1", 3)
    assert len(design.asked) == 2, "another version is another thing"


async def test_a_version_kept_for_one_brand_is_asked_again_for_another() -> None:
    """Each call carries its brand; the design service decides whether that brand owns
    the design, so another brand's request never reads the first brand's copy."""
    design = Design()
    catalog = client(design)
    await catalog.design_version("acc_1", "des_1", 2)
    await catalog.design_version("acc_2", "des_1", 2)
    assert len(design.asked) == 2


async def test_archived_and_missing_versions_are_not_kept() -> None:
    design = Design()
    design.archived = True
    catalog = client(design)
    await catalog.design_version("acc_1", "des_1", 2)
    design.archived = False
    assert (await catalog.design_version("acc_1", "des_1", 2)).status.value == "active"
    for _ in range(2):
        with pytest.raises(InvalidOrder):
            await catalog.design_version("acc_1", "des_missing", 1)
    assert len(design.asked) == 4


async def test_only_the_latest_versions_asked_are_kept() -> None:
    design = Design()
    catalog = client(design, kept=2)
    for version in (1, 2, 1, 3):  # 1 is used again, so 2 is the oldest when 3 comes
        await catalog.design_version("acc_1", "des_1", version)
    assert len(design.asked) == 3
    await catalog.design_version("acc_1", "des_1", 1)
    assert len(design.asked) == 3
    await catalog.design_version("acc_1", "des_1", 2)
    assert len(design.asked) == 4


class Shipping:
    """The shipping service's internal API: counts the quotes asked."""

    def __init__(self) -> None:
        self.asked: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.content)
        return httpx.Response(200, json={"cost": 1800, "currency": "EUR"})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_shipping_quote_is_reused_for_a_minute() -> None:
    """The rate card changes only with a release of the shipping service."""
    shipping, clock = Shipping(), Clock()
    transport = httpx.MockTransport(shipping)
    rates = HttpShippingRates(
        httpx.AsyncClient(transport=transport, base_url="http://shipping"), None, monotonic=clock
    )
    first = await rates.quote("ES", 4)
    assert await rates.quote("ES", 4) == first
    assert len(shipping.asked) == 1
    await rates.quote("ES", 5)
    await rates.quote("PT", 4)
    assert len(shipping.asked) == 3, "another destination or size is another quote"
    clock.now += 60
    await rates.quote("ES", 4)
    assert len(shipping.asked) == 4, "asked again after a minute"
