"""Idempotency records: what a creating POST answered, by brand, route and key, so a retry
gets the same answer (status, body, Location) without doing it again.

One document per (brand, method, path, key), by ``_id`` (a hash of those); the request's
fingerprint (a hash of its canonical JSON body) tells a retry from a different request
that reused the key. Only successful answers are kept: a refused or failed request
created nothing, so it may simply run again. Records older than ``ttl`` are forgotten.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.domain.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from bespoke_gateway.service_layer.ports import StoredResponse
from bespoke_platform.mongo import Document, insert_new


class MongoIdempotency:
    """The idempotency store in MongoDB (the gateway's ``idempotency`` collection)."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        ttl: timedelta = timedelta(hours=24),
        stale: timedelta = timedelta(seconds=60),
    ) -> None:
        self._records: AsyncCollection[Document] = db.idempotency
        self._ttl = ttl
        self._stale = stale

    async def begin(
        self, rid: str, account_id: str, print_: str, now: datetime
    ) -> StoredResponse | None:
        """Claim the key for this request (None: go ahead), or the answer a previous
        identical request got. Raises if the key is taken by a different request or by
        one still running."""
        for _ in range(3):
            claimed = {
                "_id": rid,
                "account_id": account_id,
                "fingerprint": print_,
                "state": "running",
                "created_at": now,
            }
            if await insert_new(self._records, claimed):
                return None
            doc = await self._records.find_one({"_id": rid})
            if doc is None:
                continue  # finished as a failure meanwhile: claim it again
            age = now - doc["created_at"]
            if age > self._ttl or (doc["state"] == "running" and age > self._stale):
                await self._records.delete_one({"_id": rid, "created_at": doc["created_at"]})
                continue
            if doc["fingerprint"] != print_:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used for a different request; use a new key "
                    "for a new request"
                )
            if doc["state"] == "running":
                raise IdempotencyKeyInProgress(
                    "a request with this Idempotency-Key is still being handled; retry shortly"
                )
            return StoredResponse(
                status_code=doc["status_code"],
                media_type=doc["media_type"],
                headers=dict(doc.get("headers", {})),
                content=base64.b64decode(doc["content"]),
            )
        raise IdempotencyKeyInProgress("this Idempotency-Key is contended; retry shortly")

    async def finish(self, rid: str, response: StoredResponse) -> None:
        """Keep a successful answer for retries; forget a refused or failed one."""
        if not 200 <= response.status_code < 300:
            await self._records.delete_one({"_id": rid})
            return
        await self._records.update_one(
            {"_id": rid},
            {
                "$set": {
                    "state": "done",
                    "status_code": response.status_code,
                    "media_type": response.media_type,
                    "headers": response.headers,
                    "content": base64.b64encode(response.content).decode(),
                }
            },
        )

    async def abandon(self, rid: str) -> None:
        await self._records.delete_one({"_id": rid})

    async def purge(self, now: datetime) -> int:
        gone = await self._records.delete_many({"created_at": {"$lt": now - self._ttl}})
        return gone.deleted_count
