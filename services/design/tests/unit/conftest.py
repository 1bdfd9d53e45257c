from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bespoke_contracts.api.design import DesignRequest, DesignSpec
from bespoke_design.adapters.catalog_file import load_catalog
from bespoke_design.domain.catalog import Catalog
from bespoke_design.domain.errors import StaleDesignVersion
from bespoke_design.domain.model import Design
from bespoke_design.service_layer.handlers import DesignDeps


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def oxford(**changes: Any) -> dict[str, Any]:
    """A buildable design as a request body; ``changes`` override fields."""
    body: dict[str, Any] = {
        "name": "Office oxford",
        "style": "oxford",
        "construction": "goodyear_welted",
        "last": "LC-101",
        "sole_unit": "leather_single",
        "materials": {
            "upper": {"material": "box_calf", "colour": "black"},
            "lining": {"material": "nappa_lining", "colour": "natural"},
        },
        "elements": [{"element": "laces", "option": "waxed_cotton_black"}],
    }
    body.update(changes)
    return body


def spec(**changes: Any) -> DesignSpec:
    body = oxford(**changes)
    body.pop("name")
    return DesignSpec.model_validate(body)


def request(**changes: Any) -> DesignRequest:
    return DesignRequest.model_validate(oxford(**changes))


class FakeDesigns:
    def __init__(self) -> None:
        self.stored: dict[str, Design] = {}
        self.revisions: dict[str, int] = {}

    async def add(self, design: Design) -> Design:
        for existing in self.stored.values():
            if (existing.account_id, existing.idempotency_key) == (
                design.account_id,
                design.idempotency_key,
            ):
                return existing
        self.stored[design.id] = design
        self.revisions[design.id] = design.revision
        return design

    async def get(self, design_id: str) -> Design | None:
        return self.stored.get(design_id)

    async def save(self, design: Design) -> None:
        if self.revisions[design.id] != design.revision:
            raise StaleDesignVersion("changed meanwhile")
        design.revision += 1
        self.revisions[design.id] = design.revision
        self.stored[design.id] = design

    async def list_for_brand(
        self, account_id: str, status: str | None, style: str | None, limit: int, after: str | None
    ) -> list[Design]:
        found = [
            d
            for d in self.stored.values()
            if d.account_id == account_id
            and (status is None or d.status.value == status)
            and (style is None or d.latest.spec.style == style)
            and (after is None or d.id < after)
        ]
        return sorted(found, key=lambda d: d.id, reverse=True)[:limit]

    async def list_published(
        self, style: str | None, construction: str | None, limit: int, after: str | None
    ) -> list[Design]:
        found = [
            d
            for d in self.stored.values()
            if d.published
            and d.status.value == "active"
            and (style is None or d.latest.spec.style == style)
            and (construction is None or d.latest.spec.construction == construction)
            and (after is None or d.id < after)
        ]
        return sorted(found, key=lambda d: d.id, reverse=True)[:limit]


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 5, 1, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(minutes=1)
        return self.current


class SequentialIds:
    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def design_id(self) -> str:
        return f"des_{next(self.counter):06d}"


@dataclass
class Fakes:
    catalog: Catalog
    designs: FakeDesigns = field(default_factory=FakeDesigns)
    clock: FakeClock = field(default_factory=FakeClock)
    ids: SequentialIds = field(default_factory=SequentialIds)

    @property
    def deps(self) -> DesignDeps:
        return DesignDeps(self.catalog, self.designs, self.clock, self.ids)


@pytest.fixture
def fakes(catalog: Catalog) -> Fakes:
    return Fakes(catalog)


@pytest.fixture
def make_spec() -> Any:
    """``make_spec(**changes)``: a buildable oxford's specification, changed."""
    return spec


@pytest.fixture
def make_request() -> Any:
    """``make_request(**changes)``: a buildable oxford as a create/update body, changed."""
    return request
