"""The sent-notification log in MongoDB."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_notifications.domain.emails import Email
from bespoke_platform.mongo import Document


class MongoSentLog:
    """One document per sent notification, keyed by its dedup key."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sent: AsyncCollection[Document] = db.sent_notifications

    async def was_sent(self, dedup_key: str) -> bool:
        return await self._sent.find_one({"_id": dedup_key}, {"_id": 1}) is not None

    async def record(self, email: Email) -> None:
        # A concurrent redelivery may have recorded it already: same outcome.
        with contextlib.suppress(DuplicateKeyError):
            await self._sent.insert_one(
                {
                    "_id": email.dedup_key,
                    "to": email.to,
                    "subject": email.subject,
                    "sent_at": datetime.now(UTC),
                }
            )
