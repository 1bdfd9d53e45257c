"""The send log in MongoDB: one document per notification (by dedup key), which is
also what serialises attempts at it (a compare-and-set on its status), and one document
per inline picture, by its content's hash, shared by every email that carries it.

Reads are by ``_id``, or by ``status`` with the time they are ordered by (indexed): what
is due and a page of one status cost the same whatever the size of the log, even when
an SMTP outage has left thousands of emails pending.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime
from typing import Any

from bson import Binary
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from bespoke_notifications.domain.emails import Email, InlineImage
from bespoke_notifications.service_layer.ports import Delivery, DeliveryStatus
from bespoke_platform.mongo import Document, insert_new

_UNSETTLED = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
ERASED = "[erased: it carried a single-use link]"
"""What a sensitive email's words become in the log once it is settled."""
INDEX_NOT_FOUND = 27
"""The error code of dropping an index that is not there (MongoDB's and FerretDB's)."""
KEPT_IMAGES = 64
"""Pictures kept in memory by hash (about 35 KB each): an order's drawing is written
once per design version and read back from here when its emails are sent."""


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    log = db.sent_notifications
    await log.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due")
    await log.create_index([("status", ASCENDING), ("created_at", ASCENDING)], name="by_status")
    # An index on `status` alone is served by either: one more write per change for nothing.
    try:
        await log.drop_index("status")
    except OperationFailure as error:
        if error.code != INDEX_NOT_FOUND:  # gone already, or dropped by another replica
            raise


def _delivery(doc: Document, images: tuple[InlineImage, ...] = ()) -> Delivery:
    return Delivery(
        email=Email(
            dedup_key=doc["_id"],
            to=doc["to"],
            subject=doc["subject"],
            text=doc.get("text", ""),
            html=doc.get("html", ""),
            sensitive=doc.get("sensitive", False),
            images=images,
        ),
        # Entries written before the log kept a status were sent.
        status=DeliveryStatus(doc.get("status", DeliveryStatus.SENT.value)),
        attempts=doc.get("attempts", 1),
        created_at=doc.get("created_at") or doc["sent_at"],
        next_attempt_at=doc.get("next_attempt_at") or doc.get("created_at") or doc["sent_at"],
        error=doc.get("error"),
        sent_at=doc.get("sent_at"),
        sending_since=doc.get("sending_since"),
    )


class MongoSendLog:
    def __init__(self, db: AsyncDatabase[Document], kept_images: int = KEPT_IMAGES) -> None:
        self._log: AsyncCollection[Document] = db.sent_notifications
        self._images: AsyncCollection[Document] = db.notification_images
        self._kept_images = kept_images
        self._known: OrderedDict[str, bytes] = OrderedDict()
        """Pictures stored (or read back), by hash: the latest few."""

    async def add(self, email: Email, now: datetime, claimed: bool = False) -> Delivery | None:
        refs = [{"cid": i.cid, "sha256": await self._store(i.png)} for i in email.images]
        delivery = Delivery(
            email,
            DeliveryStatus.SENDING if claimed else DeliveryStatus.PENDING,
            attempts=1 if claimed else 0,
            created_at=now,
            next_attempt_at=now,
            sending_since=now if claimed else None,
        )
        added = await insert_new(
            self._log,
            {
                "_id": email.dedup_key,
                "to": email.to,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "sensitive": email.sensitive,
                **({"images": refs} if refs else {}),
                "status": delivery.status.value,
                "attempts": delivery.attempts,
                "created_at": now,
                "next_attempt_at": now,
                **({"sending_since": now} if claimed else {}),
            },
        )
        return delivery if added else None

    async def get(self, dedup_key: str) -> Delivery | None:
        doc = await self._log.find_one({"_id": dedup_key})
        return None if doc is None else await self._read(doc)

    async def put(self, delivery: Delivery) -> None:
        fields: dict[str, Any] = {
            "status": delivery.status.value,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "error": delivery.error,
            "sent_at": delivery.sent_at,
            "sending_since": delivery.sending_since,
        }
        if delivery.email.sensitive and delivery.status.value not in _UNSETTLED:
            fields |= {"text": ERASED, "html": ERASED}
        await self._log.update_one({"_id": delivery.email.dedup_key}, {"$set": fields})

    async def due(self, now: datetime, limit: int) -> list[str]:
        cursor = (
            self._log.find(
                {"status": DeliveryStatus.PENDING.value, "next_attempt_at": {"$lte": now}},
                {"_id": 1},
            )
            .sort("next_attempt_at", ASCENDING)
            .limit(limit)
        )
        return [doc["_id"] async for doc in cursor]

    async def claim(self, dedup_key: str, now: datetime) -> Delivery | None:
        doc = await self._log.find_one_and_update(
            {
                "_id": dedup_key,
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": {"$lte": now},
            },
            {
                "$set": {"status": DeliveryStatus.SENDING.value, "sending_since": now},
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else await self._read(doc)

    async def stalled(self, sending_before: datetime, limit: int) -> list[Delivery]:
        cursor = self._log.find({"status": DeliveryStatus.SENDING.value})
        return [
            await self._read(doc)
            async for doc in cursor
            if (doc.get("sending_since") or doc["created_at"]) < sending_before
        ][:limit]

    async def by_status(self, status: DeliveryStatus, limit: int) -> list[Delivery]:
        cursor = self._log.find({"status": status.value}).sort("created_at", ASCENDING)
        return [await self._read(doc) for doc in await cursor.limit(limit).to_list()]

    async def _store(self, png: bytes) -> str:
        """The picture's hash, once it is stored (a write only the first time)."""
        sha = hashlib.sha256(png).hexdigest()
        if sha not in self._known:
            await insert_new(self._images, {"_id": sha, "png": Binary(png)})
        self._keep(sha, png)
        return sha

    async def _read(self, doc: Document) -> Delivery:
        images = []
        for ref in doc.get("images", []):
            if "png" in ref:  # logged with the picture inside
                images.append(InlineImage(ref["cid"], bytes(ref["png"])))
                continue
            png = self._known.get(ref["sha256"])
            if png is None:
                stored = await self._images.find_one({"_id": ref["sha256"]})
                if stored is None:
                    continue  # deleted since: the email goes without it
                png = bytes(stored["png"])
            self._keep(ref["sha256"], png)
            images.append(InlineImage(ref["cid"], png))
        return _delivery(doc, tuple(images))

    def _keep(self, sha: str, png: bytes) -> None:
        self._known[sha] = png
        self._known.move_to_end(sha)
        if len(self._known) > self._kept_images:
            self._known.popitem(last=False)
