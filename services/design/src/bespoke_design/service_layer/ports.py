"""What the design handlers need from the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bespoke_design.domain.model import Design
from bespoke_design.domain.sharing import Share


class DesignRepository(Protocol):
    async def add(self, design: Design) -> Design:
        """Insert; if the brand already used the design's idempotency key, return that one."""
        ...

    async def get(self, design_id: str, version: int | None = None) -> Design | None:
        """The design with its latest version, and version ``version`` too when asked
        (absent from ``versions`` when it has no such version)."""
        ...

    async def save(self, design: Design) -> None:
        """Store a changed design; raises ``StaleDesignVersion`` if it changed meanwhile."""
        ...

    async def list_for_brand(
        self, account_id: str, status: str | None, style: str | None, limit: int, after: str | None
    ) -> list[Design]: ...

    async def list_published(
        self, style: str | None, construction: str | None, limit: int, after: str | None
    ) -> list[Design]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    def design_id(self) -> str:
        """A new design id; later ids sort after earlier ones."""
        ...


class ShareRepository(Protocol):
    async def add(self, share: Share) -> None: ...

    async def by_digest(self, secret_digest: str) -> Share | None: ...

    async def of_design(self, account_id: str, design_id: str) -> list[Share]:
        """The design's links, newest first."""
        ...

    async def revoke(self, account_id: str, share_id: str, now: datetime) -> Share | None:
        """Revoke one of the brand's links (revoked again: as it was); None if none."""
        ...
