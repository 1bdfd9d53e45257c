"""The time services record."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """UTC now, to the millisecond: what MongoDB stores, so a read equals the write."""

    def now(self) -> datetime:
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
