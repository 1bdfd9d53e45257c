"""Idempotency records: what a creating POST answered, by brand, route and key, so a retry
gets the same answer (status, body, Location).

One document per (brand, method, path, key), by ``_id`` (a hash of those), written once
with the answer: the first answer kept wins. The request's fingerprint (a hash of its
canonical JSON body) tells a retry from a different request that reused the key. Only
successful answers are kept: a refused or failed request created nothing. Records older
than ``ttl`` are forgotten.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.domain.errors import IdempotencyKeyReused
from bespoke_gateway.service_layer.ports import StoredResponse
from bespoke_platform.mongo import Document, insert_new

ATTEMPTS = 3


class MongoIdempotency:
    """The idempotency store in MongoDB (the gateway's ``idempotency`` collection)."""

    def __init__(self, db: AsyncDatabase[Document], ttl: timedelta = timedelta(hours=24)) -> None:
        self._records: AsyncCollection[Document] = db.idempotency
        self._ttl = ttl

    async def ensure_indexes(self) -> None:
        """The purge's index: answers by age (without it each purge read every answer)."""
        await self._records.create_index("created_at", name="created_at")

    async def keep(
        self, rid: str, account_id: str, print_: str, now: datetime, response: StoredResponse
    ) -> StoredResponse | None:
        """Keep ``response`` as the answer under ``rid`` in one insert (None), or return
        the answer kept first by an identical request."""
        record = {
            "_id": rid,
            "account_id": account_id,
            "fingerprint": print_,
            "created_at": now,
            "status_code": response.status_code,
            "media_type": response.media_type,
            "headers": response.headers,
            "content": base64.b64encode(response.content).decode(),
        }
        for _ in range(ATTEMPTS):
            if await insert_new(self._records, record):
                return None
            first = await self.first(rid, print_, now)
            if first is not None:
                return first
        raise RuntimeError(f"idempotency record {rid} could not be kept")

    async def first(self, rid: str, print_: str, now: datetime) -> StoredResponse | None:
        """The answer kept under ``rid`` (None: none, or expired and now forgotten).
        Raises ``IdempotencyKeyReused`` if it answered a different request."""
        doc = await self._records.find_one({"_id": rid})
        if doc is None:
            return None
        if now - doc["created_at"] > self._ttl or "status_code" not in doc:
            # Past its time, or a claim without an answer (as an older gateway wrote them).
            await self._records.delete_one({"_id": rid, "created_at": doc["created_at"]})
            return None
        if doc["fingerprint"] != print_:
            raise IdempotencyKeyReused()
        return StoredResponse(
            status_code=doc["status_code"],
            media_type=doc["media_type"],
            headers=dict(doc.get("headers", {})),
            content=base64.b64decode(doc["content"]),
        )

    async def purge(self, now: datetime) -> int:
        gone = await self._records.delete_many({"created_at": {"$lt": now - self._ttl}})
        return gone.deleted_count
