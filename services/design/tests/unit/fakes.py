"""In-memory stand-ins for the design service's ports, each a subclass of the port it
replaces, so mypy checks that it keeps the port's shape."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bespoke_design.domain.catalog import Catalog
from bespoke_design.domain.errors import StaleDesignVersion
from bespoke_design.domain.model import Design
from bespoke_design.service_layer.handlers import DesignDeps
from bespoke_design.service_layer.ports import Clock, DesignRepository, IdGenerator


class FakeDesigns(DesignRepository):
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

    async def get(self, design_id: str, version: int | None = None) -> Design | None:
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


class FakeClock(Clock):
    def __init__(self) -> None:
        self.current = datetime(2026, 5, 1, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(minutes=1)
        return self.current


class SequentialIds(IdGenerator):
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
