"""MongoDB storage of orders (runs on FerretDB locally: single-document atomicity only)."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_contracts import Address, BillingInfo, Labeling, OrderStatus, OrderType
from bespoke_orders.domain.errors import OrderNumberTaken
from bespoke_orders.domain.model import Order, StatusChange, order_sequence
from bespoke_platform.mongo import Document


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Indexes the orders service relies on for correctness and speed (idempotent)."""
    await db.orders.create_index(
        [("account_id", ASCENDING), ("idempotency_key", ASCENDING)],
        unique=True,
        name="one_order_per_idempotency_key",
    )
    await db.orders.create_index([("outbox_pending", ASCENDING)], name="outbox_pending")
    await db.orders.create_index([("seq", DESCENDING)], name="seq")


def _outbox_entries(order: Order, start_seq: int) -> list[Document]:
    return [
        {
            "seq": start_seq + i,
            "event_id": str(event.event_id),
            "event_type": event.event_type,
            "topic": event.TOPIC,
            "key": event.key().decode(),
            "value": event.to_json().decode(),
            "created_at": event.occurred_at,
        }
        for i, event in enumerate(order.events, start=1)
    ]


def to_document(order: Order) -> Document:
    outbox = _outbox_entries(order, 0)
    return {
        "_id": order.order_number,
        "seq": order_sequence(order.order_number),
        "account_id": order.account_id,
        "status": order.status.value,
        "order_type": order.order_type.value,
        "design_id": order.design_id,
        "design_version": order.design_version,
        "bom_hash": order.bom_hash,
        # A list, not a map: EU sizes like "42.5" would be dotted field names.
        "sizes": [{"size": s, "pairs": p} for s, p in order.sizes.items()],
        "labeling": order.labeling.value,
        "shipping_address": order.shipping_address.model_dump(mode="json"),
        "billing": order.billing.model_dump(mode="json"),
        "created_at": order.created_at,
        "idempotency_key": order.idempotency_key,
        "request_fingerprint": order.request_fingerprint,
        "history": [
            {"status": h.status.value, "at": h.at, "cause": h.cause} for h in order.history
        ],
        "outbox": outbox,
        "outbox_seq": len(outbox),
        "outbox_sent_seq": 0,
        "outbox_pending": bool(outbox),
    }


def from_document(doc: Document) -> Order:
    return Order(
        order_number=doc["_id"],
        account_id=doc["account_id"],
        status=OrderStatus(doc["status"]),
        order_type=OrderType(doc["order_type"]),
        design_id=doc["design_id"],
        design_version=doc["design_version"],
        bom_hash=doc["bom_hash"],
        sizes={s["size"]: s["pairs"] for s in doc["sizes"]},
        labeling=Labeling(doc["labeling"]),
        shipping_address=Address.model_validate(doc["shipping_address"]),
        billing=BillingInfo.model_validate(doc["billing"]),
        created_at=doc["created_at"],
        idempotency_key=doc["idempotency_key"],
        request_fingerprint=doc["request_fingerprint"],
        history=[
            StatusChange(OrderStatus(h["status"]), h["at"], h["cause"]) for h in doc["history"]
        ],
    )


class MongoOrderRepository:
    """Orders collection; each order document carries its own outbox."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._orders: AsyncCollection[Document] = db.orders

    async def next_sequence(self) -> int:
        last = await self._orders.find_one({}, {"seq": 1}, sort=[("seq", DESCENDING)])
        return 1 if last is None else int(last["seq"]) + 1

    async def add(self, order: Order) -> Order:
        try:
            await self._orders.insert_one(to_document(order))
        except DuplicateKeyError as error:
            winner = await self.get_by_idempotency_key(order.account_id, order.idempotency_key)
            if winner is not None:
                return winner
            raise OrderNumberTaken(order.order_number) from error
        order.events.clear()
        return order

    async def get(self, account_id: str, order_number: str) -> Order | None:
        doc = await self._orders.find_one({"_id": order_number, "account_id": account_id})
        return None if doc is None else from_document(doc)

    async def get_by_idempotency_key(self, account_id: str, key: str) -> Order | None:
        doc = await self._orders.find_one({"account_id": account_id, "idempotency_key": key})
        return None if doc is None else from_document(doc)


class SystemClock:
    def now(self) -> datetime:
        """UTC now, to the millisecond: what MongoDB stores, so a read equals the write."""
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
