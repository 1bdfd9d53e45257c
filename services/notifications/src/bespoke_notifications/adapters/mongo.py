"""The send log in MongoDB: one document per notification (by dedup key), a claim
document while an attempt runs, and a small hint document per email still to settle.

Everything is read and written by ``_id`` (FerretDB pushes no other filter down to an
index, and the log grows with every email); exclusivity comes from the unique ``_id``
of the claim, not from a compare-and-set on the log document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import Binary
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_notifications.domain.emails import Email, InlineImage
from bespoke_notifications.service_layer.ports import Delivery, DeliveryStatus
from bespoke_platform.mongo import Document, insert_new
from bespoke_platform.outbox import upsert

_UNSETTLED = (DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value)
ERASED = "[erased: it carried a single-use link]"
"""What a sensitive email's words become in the log once it is settled."""


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    await db.sent_notifications.create_index([("status", ASCENDING)], name="status")


def _delivery(doc: Document) -> Delivery:
    return Delivery(
        email=Email(
            dedup_key=doc["_id"],
            to=doc["to"],
            subject=doc["subject"],
            text=doc.get("text", ""),
            html=doc.get("html", ""),
            sensitive=doc.get("sensitive", False),
            images=tuple(
                InlineImage(image["cid"], bytes(image["png"])) for image in doc.get("images", [])
            ),
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
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._log: AsyncCollection[Document] = db.sent_notifications
        self._claims: AsyncCollection[Document] = db.notification_claims
        self._waiting: AsyncCollection[Document] = db.notification_signals

    async def add(self, email: Email, now: datetime) -> bool:
        if not await insert_new(
            self._log,
            {
                "_id": email.dedup_key,
                "to": email.to,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "sensitive": email.sensitive,
                **(
                    {"images": [{"cid": i.cid, "png": Binary(i.png)} for i in email.images]}
                    if email.images
                    else {}
                ),
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            },
        ):
            return False
        # A crash before this hint is caught by the sweep.
        await upsert(self._waiting, email.dedup_key, {"$set": {"at": now}})
        return True

    async def get(self, dedup_key: str) -> Delivery | None:
        doc = await self._log.find_one({"_id": dedup_key})
        return None if doc is None else _delivery(doc)

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

    async def claim(self, dedup_key: str, now: datetime) -> bool:
        return await insert_new(self._claims, {"_id": dedup_key, "at": now})

    async def release(self, dedup_key: str) -> None:
        await self._claims.delete_one({"_id": dedup_key})

    async def waiting(self, limit: int) -> list[str]:
        docs = await self._waiting.find({}, {"_id": 1}).sort("at", ASCENDING).limit(limit).to_list()
        return [doc["_id"] for doc in docs]

    async def settled(self, dedup_key: str) -> None:
        await self._waiting.delete_one({"_id": dedup_key})

    async def sweep(self) -> int:
        cursor = self._log.find({"status": {"$in": list(_UNSETTLED)}}, {"created_at": 1})
        restored = 0
        async for doc in cursor:
            await upsert(self._waiting, doc["_id"], {"$set": {"at": doc.get("created_at")}})
            restored += 1
        return restored

    async def by_status(self, status: DeliveryStatus, limit: int) -> list[Delivery]:
        cursor = self._log.find({"status": status.value}).sort("created_at", ASCENDING)
        return [_delivery(doc) for doc in await cursor.limit(limit).to_list()]
