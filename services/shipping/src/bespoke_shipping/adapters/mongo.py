"""Shipping's order records, shipping groups and shipments in MongoDB (groups and
shipments carry their own outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_contracts import Address, OrderStatus, ShipmentStatus, Tracking
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_platform.mongo import Document, insert_new
from bespoke_platform.outbox import OutboxPositions, Signals, new_outbox, save_with_events
from bespoke_shipping.domain.errors import ConcurrentChange
from bespoke_shipping.domain.grouping import GroupQuote
from bespoke_shipping.domain.model import OrderRecord, Shipment, ShippingGroup, Stage


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Idempotent; a brand's groups newest first, and interrupted groups for recovery."""
    await db.groups.create_index(
        [("account_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
        name="brand_newest",
    )
    await db.groups.create_index([("status", ASCENDING)], name="status")


class MongoOrderRecords:
    """One document per order, by order number; a claim document per grouped order.

    A claim is its own document whose ``_id`` is the order number, so "in no other group"
    is the store's unique ``_id`` (FerretDB has no multi-document transactions, and pushes
    no other filter down to an index). Claims exist only while a group holds the order,
    so that collection stays small.
    """

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._orders: AsyncCollection[Document] = db.orders
        self._claims: AsyncCollection[Document] = db.claims

    async def add(self, record: OrderRecord) -> bool:
        return await insert_new(
            self._orders,
            {
                "_id": record.order_number,
                "account_id": record.account_id,
                "status": record.status.value,
                **self._details(record),
            },
        )

    @staticmethod
    def _details(record: OrderRecord) -> Document:
        return {
            "version": record.version,
            "pairs": record.pairs,
            "shipping_address": record.shipping_address.model_dump(mode="json"),
            "shipping_cost": record.shipping_cost,
            "currency": record.currency,
            "contact_email": record.contact_email,
            "vat_rate_bp": record.vat_rate_bp,
        }

    async def get(self, order_number: str) -> OrderRecord | None:
        return (await self.get_many([order_number])).get(order_number)

    async def get_many(self, order_numbers: list[str]) -> dict[str, OrderRecord]:
        wanted = {"_id": {"$in": list(order_numbers)}}
        docs = await self._orders.find(wanted).to_list()
        claims = {c["_id"]: c["group_id"] for c in await self._claims.find(wanted).to_list()}
        return {
            doc["_id"]: OrderRecord(
                order_number=doc["_id"],
                account_id=doc["account_id"],
                status=OrderStatus(doc["status"]),
                pairs=doc["pairs"],
                shipping_address=Address.model_validate(doc["shipping_address"]),
                shipping_cost=doc["shipping_cost"],
                currency=doc["currency"],
                contact_email=doc["contact_email"],
                vat_rate_bp=doc.get("vat_rate_bp", 0),
                version=doc["version"],
                group_id=claims.get(doc["_id"]),
                ready=doc.get("ready", False),
            )
            for doc in docs
        }

    async def revise(self, record: OrderRecord) -> bool:
        # One order's revisions arrive in order on one partition, and nothing else writes
        # these fields: read, compare, write by `_id` (no scan on FerretDB).
        doc = await self._orders.find_one({"_id": record.order_number}, {"version": 1})
        if doc is None or doc["version"] >= record.version:
            return False
        await self._orders.update_one({"_id": record.order_number}, {"$set": self._details(record)})
        return True

    async def set_status(self, order_number: str, status: OrderStatus) -> bool:
        result = await self._orders.update_one(
            {"_id": order_number}, {"$set": {"status": status.value}}
        )
        return result.matched_count == 1

    async def set_ready(self, order_number: str) -> None:
        await self._orders.update_one({"_id": order_number}, {"$set": {"ready": True}})

    async def ready_among(self, order_numbers: list[str]) -> set[str]:
        wanted = {"_id": {"$in": list(order_numbers)}, "ready": True}
        return {doc["_id"] async for doc in self._orders.find(wanted, {"_id": 1})}

    async def claim(self, order_number: str, account_id: str, group_id: str) -> bool:
        if not await insert_new(
            self._claims, {"_id": order_number, "group_id": group_id, "account_id": account_id}
        ):
            held = await self._claims.find_one({"_id": order_number})
            return held is not None and held["group_id"] == group_id
        # Checked after claiming: a status change written before this read is seen here,
        # one written after it sees the claim (and dissolves the group).
        doc = await self._orders.find_one({"_id": order_number}, {"account_id": 1, "status": 1})
        if (
            doc is None
            or doc["account_id"] != account_id
            or doc["status"] != OrderStatus.PENDING_PAYMENT.value
        ):
            await self.release(order_number, group_id)
            return False
        return True

    async def release(self, order_number: str, group_id: str) -> None:
        await self._claims.delete_one({"_id": order_number, "group_id": group_id})


def _group_fields(group: ShippingGroup) -> Document:
    q = group.quote
    return {
        "account_id": group.account_id,
        "status": group.status.value,
        "order_numbers": list(group.order_numbers),
        "destination": group.destination.model_dump(mode="json"),
        "pairs": q.pairs,
        "shipping_cost": q.shipping_cost,
        "individual_shipping_cost": q.individual_shipping_cost,
        "saving": q.saving,
        "allocations": dict(q.allocations),
        "individual_costs": dict(group.individual_costs),
        "currency": q.currency,
        "contact_email": group.contact_email,
        "created_at": group.created_at,
        "fingerprint": group.fingerprint,
        "paid_at": group.paid_at,
        "dissolved_at": group.dissolved_at,
        "dissolved_reason": group.dissolved_reason,
        "shipment_id": group.shipment_id,
        "formed_by": group.formed_by,
        "dissolved_by": group.dissolved_by,
        "applied_events": list(group.applied_events),
    }


def _group(doc: Document) -> ShippingGroup:
    return ShippingGroup(
        id=doc["_id"],
        account_id=doc["account_id"],
        order_numbers=list(doc["order_numbers"]),
        destination=Address.model_validate(doc["destination"]),
        quote=GroupQuote(
            pairs=doc["pairs"],
            shipping_cost=doc["shipping_cost"],
            individual_shipping_cost=doc["individual_shipping_cost"],
            saving=doc["saving"],
            allocations=dict(doc["allocations"]),
            currency=doc["currency"],
        ),
        individual_costs=dict(doc["individual_costs"]),
        contact_email=doc["contact_email"],
        created_at=doc["created_at"],
        fingerprint=doc["fingerprint"],
        status=GroupStatus(doc["status"]),
        paid_at=doc.get("paid_at"),
        dissolved_at=doc.get("dissolved_at"),
        dissolved_reason=doc.get("dissolved_reason"),
        shipment_id=doc.get("shipment_id"),
        formed_by=doc.get("formed_by"),
        dissolved_by=doc.get("dissolved_by"),
        applied_events=list(doc.get("applied_events", [])),
        revision=doc.get("revision", 0),
    )


class _WithOutbox:
    """A collection whose documents carry their events (see ``bespoke_platform.outbox``)."""

    def __init__(self, documents: AsyncCollection[Document], signals: Signals) -> None:
        self._docs = documents
        self._signals = signals
        self._positions = OutboxPositions()
        """Where the outbox of each document read or written lately stood: a save needs no
        read."""

    async def _get(self, key: str) -> Document | None:
        doc = await self._docs.find_one({"_id": key})
        if doc is not None:
            self._positions.note(doc)
        return doc

    async def _add(self, key: str, fields: Document, item: Any) -> bool:
        doc = {"_id": key, **fields, "revision": 0, **new_outbox(item.events)}
        added = await insert_new(self._docs, doc)
        if added:
            self._positions.note(doc)
        if added and item.events:
            await self._signals.send(key, doc)  # lost in a crash? the relay's sweep finds it
        if added:
            item.events.clear()
        return added

    async def _save(self, key: str, fields: Document, item: Any) -> None:
        if not await save_with_events(
            self._docs, self._signals, key, item.revision, fields, item.events, self._positions
        ):
            raise ConcurrentChange(f"{key} changed meanwhile")
        item.revision += 1
        item.events.clear()


class MongoGroups(_WithOutbox):
    def __init__(self, db: AsyncDatabase[Document], signals: Signals | None = None) -> None:
        """``signals``: the relay's, in the process that runs it (default: documents)."""
        super().__init__(db.groups, signals or Signals(db.group_signals))

    async def add(self, group: ShippingGroup) -> bool:
        return await self._add(group.id, _group_fields(group), group)

    async def get(self, group_id: str) -> ShippingGroup | None:
        doc = await self._get(group_id)
        return None if doc is None else _group(doc)

    async def save(self, group: ShippingGroup) -> None:
        await self._save(group.id, _group_fields(group), group)

    async def delete_forming(self, group_id: str) -> None:
        await self._docs.delete_one({"_id": group_id, "status": GroupStatus.FORMING.value})

    async def page(
        self, account_id: str, limit: int, after: tuple[datetime, str] | None
    ) -> list[ShippingGroup]:
        query: Document = {"account_id": account_id}
        if after is not None:
            at, last_id = after
            query["$or"] = [
                {"created_at": {"$lt": at}},
                {"created_at": at, "_id": {"$lt": last_id}},
            ]
        cursor = self._docs.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return [_group(doc) for doc in await cursor.limit(limit).to_list()]

    async def forming_since(self, before: datetime) -> list[ShippingGroup]:
        cursor = self._docs.find(
            {"status": GroupStatus.FORMING.value, "created_at": {"$lt": before}}
        )
        return [_group(doc) for doc in await cursor.to_list()]


def _shipment_fields(shipment: Shipment) -> Document:
    return {
        "account_id": shipment.account_id,
        "group_id": shipment.group_id,
        "order_numbers": list(shipment.order_numbers),
        "pairs": shipment.pairs,
        "destination": shipment.destination.model_dump(mode="json"),
        "contact_email": shipment.contact_email,
        "status": shipment.status.value,
        "history": [{"status": s.status.value, "at": s.at} for s in shipment.history],
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "tracking": shipment.tracking.model_dump(mode="json") if shipment.tracking else None,
        "ready_orders": list(shipment.ready_orders),
        "cancelled_orders": list(shipment.cancelled_orders),
    }


class MongoShipments(_WithOutbox):
    def __init__(self, db: AsyncDatabase[Document], signals: Signals | None = None) -> None:
        """``signals``: the relay's, in the process that runs it (default: documents)."""
        super().__init__(db.shipments, signals or Signals(db.shipment_signals))

    async def add(self, shipment: Shipment) -> bool:
        return await self._add(shipment.id, _shipment_fields(shipment), shipment)

    async def get(self, shipment_id: str) -> Shipment | None:
        doc = await self._get(shipment_id)
        if doc is None:
            return None
        return Shipment(
            id=doc["_id"],
            account_id=doc["account_id"],
            group_id=doc.get("group_id"),
            order_numbers=list(doc["order_numbers"]),
            pairs=doc["pairs"],
            destination=Address.model_validate(doc["destination"]),
            contact_email=doc["contact_email"],
            status=ShipmentStatus(doc["status"]),
            history=[Stage(ShipmentStatus(s["status"]), s["at"]) for s in doc["history"]],
            tracking_number=doc.get("tracking_number"),
            carrier=doc.get("carrier"),
            tracking=Tracking.model_validate(doc["tracking"]) if doc.get("tracking") else None,
            ready_orders=list(doc.get("ready_orders", [])),
            cancelled_orders=list(doc.get("cancelled_orders", [])),
            revision=doc.get("revision", 0),
        )

    async def save(self, shipment: Shipment) -> None:
        await self._save(shipment.id, _shipment_fields(shipment), shipment)
