"""In-memory stand-ins for the design service's ports, each a subclass of the port it
replaces, so mypy checks that it keeps the port's shape."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bespoke_design.domain.catalog import Catalog
from bespoke_design.domain.errors import StaleDesignVersion
from bespoke_design.domain.model import Design
from bespoke_design.domain.sharing import Share
from bespoke_design.service_layer.handlers import DesignDeps
from bespoke_design.service_layer.ports import Clock, DesignRepository, IdGenerator, ShareRepository


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


class FakeShares(ShareRepository):
    def __init__(self) -> None:
        self.by_digest_: dict[str, Share] = {}

    async def add(self, share: Share) -> None:
        self.by_digest_[share.secret_digest] = dataclasses.replace(share)

    async def by_digest(self, secret_digest: str) -> Share | None:
        found = self.by_digest_.get(secret_digest)
        return dataclasses.replace(found) if found else None

    async def of_design(self, account_id: str, design_id: str) -> list[Share]:
        mine = [
            s
            for s in self.by_digest_.values()
            if (s.account_id, s.design_id) == (account_id, design_id)
        ]
        return sorted(mine, key=lambda s: s.created_at, reverse=True)

    async def revoke(self, account_id: str, share_id: str, now: datetime) -> Share | None:
        for share in self.by_digest_.values():
            if (share.account_id, share.share_id) == (account_id, share_id):
                share.revoked_at = share.revoked_at or now
                return dataclasses.replace(share)
        return None


@dataclass
class Fakes:
    catalog: Catalog
    designs: FakeDesigns = field(default_factory=FakeDesigns)
    clock: FakeClock = field(default_factory=FakeClock)
    ids: SequentialIds = field(default_factory=SequentialIds)
    shares: FakeShares = field(default_factory=FakeShares)

    @property
    def deps(self) -> DesignDeps:
        return DesignDeps(self.catalog, self.designs, self.clock, self.ids, self.shares)
