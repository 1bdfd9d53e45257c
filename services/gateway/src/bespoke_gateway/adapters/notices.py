"""Change notices: how every gateway learns, within a second, that what it remembers of
a credential check (a brand's token, the person behind a session or an API token) has
changed.

A change writes a notice naming its subject (a brand, a person) before the change and
one after it: the first so that gateways forget even if the writer stops right after,
the second for a gateway that read the old state between the first notice and the
change (``around``). Each gateway reads the notices every ``notice_seconds``; what it
remembers (``Remembered``) from before a notice about its subject was read, or from a
read under way when it was (that answer may predate the change), is read again.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from bespoke_platform.memo import Recent
from bespoke_platform.mongo import Document

K = TypeVar("K")
V = TypeVar("V")

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

    @asynccontextmanager
    async def around(self, subject: str) -> AsyncIterator[None]:
        """A notice about ``subject`` before the change made inside, and one after it."""
        await self.write(subject)
        yield
        await self.write(subject)

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


class Remembered(Generic[K, V]):
    """Values read lately, by key, each answered from memory for ``seconds`` unless a
    notice about its subject (``subject(key, value)``) has been read since its read
    began. The latest ``size``; a missing value (None) is never remembered."""

    def __init__(
        self,
        notices: MongoChangeNotices,
        seconds: float,
        subject: Callable[[K, V], str],
        size: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._notices, self._seconds, self._subject = notices, seconds, subject
        self._monotonic = monotonic
        self._read: Recent[K, tuple[V, str, float]] = Recent(size, seconds, monotonic)
        """key -> (value, its subject, when its read began)."""

    async def get(self, key: K, read: Callable[[], Awaitable[V | None]]) -> V | None:
        """The value as remembered, or as ``read`` now (remembered if found)."""
        remembered = self._read.get(key)
        if remembered is not None and not self._notices.changed_since(*remembered[1:]):
            return remembered[0]
        started = self._monotonic()
        found = await read()
        if found is not None and self._seconds > 0:
            self._read.put(key, (found, self._subject(key, found), started))
        else:
            self._read.pop(key)
        return found
