"""Change notices: how every gateway learns, within a second, that what it remembers of
a credential check (a brand's token, the person behind a session or an API token) has
changed.

A change writes a notice naming its subject (a brand, a person) before the change and
one after it: the first so that gateways forget even if the writer stops right after,
the second for a gateway that read the old state between the first notice and the
change. Each gateway reads the notices every ``notice_seconds`` and forgets what it
remembers of each subject named; an answer whose read was under way when a notice about
its subject was read is not remembered (it may predate the change).
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from bespoke_platform.mongo import Document

NOTICES_KEPT = timedelta(minutes=10)
"""How far back each read of the notices looks (beyond any clock skew between the
process that writes them and the gateways), and how long they are kept."""


class MongoChangeNotices:
    """The notices in one collection, each naming its subject in the field ``subject``."""

    def __init__(
        self,
        notices: AsyncCollection[Document],
        subject: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notices, self._subject, self._monotonic = notices, subject, monotonic
        self._read: dict[str, float] = {}
        """Notices read (their ids), and when, so each is applied once."""
        self._changed_at: dict[str, float] = {}
        """subject -> when a notice about it was last read here."""

    async def ensure_indexes(self) -> None:
        await self._notices.create_index([("at", ASCENDING)], name="at")

    async def write(self, subject: str) -> None:
        await self._notices.insert_one(
            {"_id": uuid.uuid4().hex, self._subject: subject, "at": datetime.now(UTC)}
        )

    async def read(self) -> list[str]:
        """The subjects of the notices written since the last read (once per notice)."""
        notices = await self._notices.find(
            {"at": {"$gte": datetime.now(UTC) - NOTICES_KEPT}}, {self._subject: 1}
        ).to_list()
        read_at = self._monotonic()
        new = [n for n in notices if n["_id"] not in self._read]
        for notice in new:
            self._read[notice["_id"]] = read_at
            self._changed_at[notice[self._subject]] = read_at
        horizon = read_at - 2 * NOTICES_KEPT.total_seconds()
        self._read = {k: at for k, at in self._read.items() if at > horizon}
        self._changed_at = {k: at for k, at in self._changed_at.items() if at > horizon}
        return [str(n[self._subject]) for n in new]

    def changed_since(self, subject: str, since: float) -> bool:
        """Whether a notice about ``subject`` was read here at or after ``since``
        (``monotonic`` time)."""
        return self._changed_at.get(subject, -math.inf) >= since

    async def purge(self, now: datetime) -> int:
        gone = await self._notices.delete_many({"at": {"$lt": now - 2 * NOTICES_KEPT}})
        return gone.deleted_count
