"""MongoDB storage of orders (runs on FerretDB locally: single-document atomicity only)."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, time

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_contracts import (
    Address,
    BillingInfo,
    CancellationFee,
    HoldReason,
    Labeling,
    OrderCosts,
    OrderSpecification,
    OrderStatus,
    OrderType,
    ProductionStage,
    RefundStatus,
    Tracking,
    order_sequence,
)
from bespoke_orders.domain.checkout import BrandLabel
from bespoke_orders.domain.errors import ConcurrentChange, OrderNumberTaken
from bespoke_orders.domain.model import (
    LAUNCHED,
    Order,
    OrderVersion,
    Refund,
    ShippingGroupMembership,
    StatusChange,
)
from bespoke_orders.service_layer.ports import OrderQuery
from bespoke_platform.mongo import Document
from bespoke_platform.outbox import new_outbox, save_with_events, signal, upsert


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Indexes the orders service relies on for correctness and speed (idempotent)."""
    await db.orders.create_index(
        [("account_id", ASCENDING), ("idempotency_key", ASCENDING)],
        unique=True,
        name="one_order_per_idempotency_key",
    )
    await db.orders.create_index([("outbox_pending", ASCENDING)], name="outbox_pending")
    await db.orders.create_index([("seq", DESCENDING)], name="seq")
    # The order pool: a brand's orders by number, newest or oldest first (cursor pages).
    await db.orders.create_index(
        [("account_id", ASCENDING), ("seq", DESCENDING)], name="brand_pool"
    )


def _mutable_fields(order: Order) -> Document:
    """What a change to an existing order may rewrite."""
    return {
        "status": order.status.value,
        "sizes": [{"size": s, "pairs": p} for s, p in order.sizes.items()],
        "labeling": order.labeling.value,  # unlabeled, when its stamps' hold ran out
        "shipping_address": order.shipping_address.model_dump(mode="json"),
        "billing": order.billing.model_dump(mode="json"),
        "costs": order.costs.model_dump(mode="json"),
        "history": [_history_doc(h) for h in order.history],
        "applied_events": list(order.applied_events),
        "payment_flags": list(order.payment_flags),
        "version": order.version,
        **_production_fields(order),
        "shipping_group": (
            {
                "group_id": order.shipping_group.group_id,
                "allocation": order.shipping_group.allocation,
            }
            if order.shipping_group
            else None
        ),
    }


def _history_doc(h: StatusChange) -> Document:
    doc: Document = {"status": h.status.value, "at": h.at, "cause": h.cause, "actor": h.actor}
    if h.stage is not None:
        doc |= {"stage": h.stage.value, "station": h.station, "rework": h.rework}
    if h.note is not None:
        doc["note"] = h.note
    return doc


def _history(doc: Document) -> StatusChange:
    stage = doc.get("stage")
    return StatusChange(
        OrderStatus(doc["status"]),
        doc["at"],
        doc["cause"],
        doc.get("actor"),
        ProductionStage(stage) if stage else None,
        doc.get("note"),
        doc.get("station"),
        doc.get("rework", False),
    )


def _day(day: date) -> datetime:
    """A calendar day as the database compares it: its midnight, UTC."""
    return datetime.combine(day, time(), UTC)


def _production_fields(order: Order) -> Document:
    estimate = order.estimated_ship_date
    return {
        # Stored beside what it derives from, for the board's "late" filter.
        "estimated_ship_date": _day(estimate) if estimate else None,
        "production_stage": order.production_stage.value if order.production_stage else None,
        "hold_reason": order.hold_reason.value if order.hold_reason else None,
        "wip_started_at": order.wip_started_at,
        "shipped_at": order.shipped_at,
        "tracking": order.tracking.model_dump(mode="json") if order.tracking else None,
        "late_flagged_at": order.late_flagged_at,
        "hold_reminded_at": order.hold_reminded_at,
        "stamps_credit": order.stamps_credit,
        "paid": order.paid,
        "balance_due": order.balance_due,
        "invoice_number": order.invoice_number,
        "credit_note_number": order.credit_note_number,
        # Stored beside what it derives from, for the pool's payment filter.
        "payment_status": order.payment_status.value,
        "refund": _refund_doc(order.refund) if order.refund else None,
        "refund_parts": [{"id": k, **_refund_doc(r)} for k, r in order.refund_parts.items()],
    }


def _refund_doc(refund: Refund) -> Document:
    return {
        "amount": refund.amount,
        "fee": refund.fee,
        "currency": refund.currency,
        "status": refund.status.value,
    }


def _refund(doc: Document) -> Refund:
    return Refund(doc["amount"], doc["fee"], doc["currency"], RefundStatus(doc["status"]))


def _version_doc(v: OrderVersion) -> Document:
    return {
        "version": v.version,
        "sizes": [{"size": s, "pairs": p} for s, p in v.sizes.items()],
        "shipping_address": v.shipping_address.model_dump(mode="json"),
        "billing": v.billing.model_dump(mode="json"),
        "costs": v.costs.model_dump(mode="json"),
        "replaced_at": v.replaced_at,
        "replaced_by": v.replaced_by,
        "actor": v.actor,
    }


def to_document(order: Order) -> Document:
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
        "specification": order.specification.model_dump(mode="json"),
        "costs": order.costs.model_dump(mode="json"),
        "history": [_history_doc(h) for h in order.history],
        "applied_events": list(order.applied_events),
        "version": order.version,
        "lead_time_days": order.lead_time_days,
        "cancellation_fees": [f.model_dump(mode="json") for f in order.cancellation_fees],
        **_production_fields(order),
        "previous_versions": [],
        "revision": 0,
        **new_outbox(order.events),
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
        specification=OrderSpecification.model_validate(doc["specification"]),
        costs=OrderCosts.model_validate(doc["costs"]),
        history=[_history(h) for h in doc["history"]],
        applied_events=list(doc.get("applied_events", [])),
        payment_flags=list(doc.get("payment_flags", [])),
        version=doc.get("version", 1),
        lead_time_days=doc.get("lead_time_days"),
        production_stage=(
            ProductionStage(doc["production_stage"]) if doc.get("production_stage") else None
        ),
        hold_reason=HoldReason(doc["hold_reason"]) if doc.get("hold_reason") else None,
        wip_started_at=doc.get("wip_started_at"),
        shipped_at=doc.get("shipped_at"),
        tracking=Tracking.model_validate(doc["tracking"]) if doc.get("tracking") else None,
        late_flagged_at=doc.get("late_flagged_at"),
        hold_reminded_at=doc.get("hold_reminded_at"),
        stamps_credit=doc.get("stamps_credit", 0),
        cancellation_fees=tuple(
            CancellationFee.model_validate(f) for f in doc.get("cancellation_fees", [])
        ),
        paid=doc.get("paid", doc["status"] in {s.value for s in LAUNCHED}),
        balance_due=doc.get("balance_due", 0),
        invoice_number=doc.get("invoice_number"),
        credit_note_number=doc.get("credit_note_number"),
        refund=_refund(doc["refund"]) if doc.get("refund") else None,
        refund_parts={p["id"]: _refund(p) for p in doc.get("refund_parts", [])},
        previous_versions=[
            OrderVersion(
                version=v["version"],
                sizes={s["size"]: s["pairs"] for s in v["sizes"]},
                shipping_address=Address.model_validate(v["shipping_address"]),
                billing=BillingInfo.model_validate(v["billing"]),
                costs=OrderCosts.model_validate(v["costs"]),
                replaced_at=v["replaced_at"],
                replaced_by=v["replaced_by"],
                actor=v.get("actor"),
            )
            for v in doc.get("previous_versions", [])
        ],
        shipping_group=(
            ShippingGroupMembership(
                doc["shipping_group"]["group_id"], doc["shipping_group"]["allocation"]
            )
            if doc.get("shipping_group")
            else None
        ),
        revision=doc.get("revision", 0),
    )


class MongoOrderRepository:
    """Orders collection; each order document carries its own outbox.

    Every hot-path read is by ``_id`` (the only lookup FerretDB's SQLite backend does not
    answer with a full scan): the highest order number and each brand's idempotency keys
    have small lookup documents of their own. They are hints written after the order;
    the unique indexes on ``orders`` stay the source of truth.
    """

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._orders: AsyncCollection[Document] = db.orders
        self._counters: AsyncCollection[Document] = db.counters
        self._keys: AsyncCollection[Document] = db.idempotency_keys
        self._signals: AsyncCollection[Document] = db.outbox_signals
        # What each edited order was before each edit, apart, so an order's document does
        # not grow with its edits: `<order number>:<version>`, written once, never changed.
        self._versions: AsyncCollection[Document] = db.order_versions

    async def next_sequence(self) -> int:
        hint = await self._counters.find_one({"_id": "order_number"})
        if hint is not None:
            return int(hint["last"]) + 1
        # No hint yet (first order, or data from before hints): ask the orders themselves.
        last = await self._orders.find_one({}, {"seq": 1}, sort=[("seq", DESCENDING)])
        return 1 if last is None else int(last["seq"]) + 1

    async def add(self, order: Order) -> Order:
        try:
            await self._orders.insert_one(to_document(order))
        except DuplicateKeyError as error:
            holder = await self._orders.find_one(
                {"_id": order.order_number}, {"account_id": 1, "idempotency_key": 1}
            )
            if holder is not None and (holder["account_id"], holder["idempotency_key"]) != (
                order.account_id,
                order.idempotency_key,
            ):
                await self._record_number(order.order_number)
                raise OrderNumberTaken(order.order_number) from error
            winner = await self._find_by_key(order.account_id, order.idempotency_key)
            if winner is None:
                # Neither holder is visible yet (a concurrent insert still committing): try
                # the next number; the unique indexes keep both numbers and keys single.
                raise OrderNumberTaken(order.order_number) from error
            return from_document(winner)
        await self._record_number(order.order_number)
        await upsert(
            self._keys,
            _key_id(order.account_id, order.idempotency_key),
            {"$set": {"order_number": order.order_number}},
        )
        await self.signal(order.order_number)
        order.events.clear()
        return order

    async def _record_number(self, order_number: str) -> None:
        await upsert(
            self._counters, "order_number", {"$max": {"last": order_sequence(order_number)}}
        )

    async def signal(self, order_number: str) -> None:
        """Tell the relay this order has events to publish (a hint; see ``OutboxRelay``)."""
        await signal(self._signals, order_number)

    async def save(self, order: Order) -> None:
        # The versions an edit replaced, first: each is what the stored order was, so
        # writing one again (a retry, a concurrent edit of the same version) is harmless.
        for replaced in order.previous_versions:
            await self._versions.replace_one(
                {"_id": f"{order.order_number}:{replaced.version}"},
                {"order_number": order.order_number, **_version_doc(replaced)},
                upsert=True,
            )
        # Then one single-document update: the change and its events, or nothing.
        if not await save_with_events(
            self._orders,
            self._signals,
            order.order_number,
            order.revision,
            _mutable_fields(order),
            order.events,
        ):
            raise ConcurrentChange(f"order {order.order_number} changed meanwhile")
        order.revision += 1
        order.events.clear()

    async def get_any(self, order_number: str) -> Order | None:
        doc = await self._orders.find_one({"_id": order_number})
        return None if doc is None else from_document(doc)

    async def get(self, account_id: str, order_number: str) -> Order | None:
        # Filter by `_id` alone and check the brand here: FerretDB answers a single-key
        # `_id` filter from its primary key, anything more with a full scan.
        doc = await self._orders.find_one({"_id": order_number})
        if doc is None or doc["account_id"] != account_id:
            return None
        return from_document(doc)

    async def get_by_idempotency_key(self, account_id: str, key: str) -> Order | None:
        hint = await self._keys.find_one({"_id": _key_id(account_id, key)})
        if hint is None:
            # Unknown key: a new order. (If a crash lost the hint, the unique index on the
            # orders still refuses the duplicate in ``add``, which then finds the first.)
            return None
        return await self.get(account_id, hint["order_number"])

    async def find(self, query: OrderQuery) -> list[Order]:
        selector: Document = {}
        if query.account_id is not None:
            selector["account_id"] = query.account_id
        if query.status:
            selector["status"] = query.status
        if query.payment_status is not None:
            # Orders stored before their payment status was: by the statuses it implies.
            selector["$or"] = [
                {"payment_status": query.payment_status},
                {
                    "payment_status": {"$exists": False},
                    "status": {"$in": sorted(query.statuses or ())},
                },
            ]
        if query.production_stage:
            selector["production_stage"] = query.production_stage
        if query.hold_reason:
            selector["hold_reason"] = query.hold_reason
        if query.late_on is not None:
            selector["status"] = OrderStatus.WORK_IN_PROCESS.value
            selector["estimated_ship_date"] = {"$lt": _day(query.late_on)}
        if query.unflagged:
            selector["late_flagged_at"] = None
        if query.order_type:
            selector["order_type"] = query.order_type
        if query.design_id:
            selector["design_id"] = query.design_id
        created: Document = {}
        if query.created_from:
            created["$gte"] = query.created_from
        if query.created_to:
            created["$lt"] = query.created_to
        if created:
            selector["created_at"] = created
        if query.search:
            selector["_id"] = {"$regex": re.escape(query.search.strip().upper())}
        if query.after_seq is not None:
            selector["seq"] = {"$lt" if query.newest_first else "$gt": query.after_seq}
        cursor = (
            self._orders.find(selector, {"outbox": 0})
            .sort("seq", DESCENDING if query.newest_first else ASCENDING)
            .limit(query.limit)
        )
        return [from_document(doc) async for doc in cursor]

    async def _find_by_key(self, account_id: str, key: str) -> Document | None:
        return await self._orders.find_one({"account_id": account_id, "idempotency_key": key})


def _key_id(account_id: str, key: str) -> str:
    return f"{account_id}\x1f{key}"


class MongoBrandLabels:
    """Each brand's labeling choice; the first insert wins (unique ``_id``)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._brands: AsyncCollection[Document] = db.brands

    async def get(self, account_id: str) -> BrandLabel | None:
        doc = await self._brands.find_one({"_id": account_id})
        return None if doc is None else self._label(doc)

    async def claim(self, account_id: str, labeling: Labeling, order_key: str) -> BrandLabel:
        with contextlib.suppress(DuplicateKeyError):
            await self._brands.insert_one(
                {"_id": account_id, "labeling": labeling.value, "first_order_key": order_key}
            )
        doc = await self._brands.find_one({"_id": account_id})
        assert doc is not None
        return self._label(doc)

    @staticmethod
    def _label(doc: Document) -> BrandLabel:
        return BrandLabel(doc["_id"], Labeling(doc["labeling"]), doc["first_order_key"])
