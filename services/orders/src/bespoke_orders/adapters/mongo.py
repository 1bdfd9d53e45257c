"""MongoDB storage of orders (runs on FerretDB locally: single-document atomicity only)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

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
from bespoke_contracts.api.orders import PaymentStatus
from bespoke_orders.domain.checkout import BrandLabel
from bespoke_orders.domain.errors import ConcurrentChange, OrderNumberTaken
from bespoke_orders.domain.model import (
    LAUNCHED,
    Order,
    OrderSummary,
    OrderVersion,
    Refund,
    ShippingGroupMembership,
    StatusChange,
)
from bespoke_orders.service_layer.ports import OrderQuery
from bespoke_platform.mongo import Document
from bespoke_platform.outbox import OutboxPositions, Signals, new_outbox, save_with_events


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    """Indexes the orders service relies on for correctness and speed (idempotent)."""
    await db.orders.create_index(
        [("account_id", ASCENDING), ("idempotency_key", ASCENDING)],
        unique=True,
        name="one_order_per_idempotency_key",
    )
    await db.orders.create_index([("seq", DESCENDING)], name="seq")
    # The order pool: a brand's orders by number, newest or oldest first (cursor pages).
    await db.orders.create_index(
        [("account_id", ASCENDING), ("seq", DESCENDING)], name="brand_pool"
    )
    # The periodic checks read only the orders they concern (without these, each read
    # every order: 6 s at a few thousand on the local database): those in production past
    # their ship date, and those waiting for their brand's stamps.
    await db.orders.create_index(
        [("status", ASCENDING), ("estimated_ship_date", ASCENDING)], name="late_check"
    )
    await db.orders.create_index(
        [("hold_reason", ASCENDING), ("status", ASCENDING)], name="held_orders"
    )
    # The pool and the board read the orders' summaries, by the same keys: across brands
    # by each of the board's filters (status, stage, type, lateness), and a brand's, so a
    # page reads its own rows whatever the number of orders. The brand's index is made
    # last: SQLite, which plans the local database's reads without statistics, takes the
    # newest of two indexes that serve a query equally well, and a brand's page filtered
    # by status must walk that brand's orders, not every brand's orders of that status.
    summaries = db.order_summaries
    await summaries.create_index([("seq", DESCENDING)], name="seq")
    for field in ("status", "production_stage", "order_type"):
        await summaries.create_index([(field, ASCENDING), ("seq", DESCENDING)], name=f"by_{field}")
    await summaries.create_index(
        [("status", ASCENDING), ("estimated_ship_date", ASCENDING)], name="late"
    )
    await summaries.create_index(
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
        "shipping_group": _group_doc(order.shipping_group),
    }


def _group_doc(group: ShippingGroupMembership | None) -> Document | None:
    return {"group_id": group.group_id, "allocation": group.allocation} if group else None


def _group(doc: Document | None) -> ShippingGroupMembership | None:
    return ShippingGroupMembership(doc["group_id"], doc["allocation"]) if doc else None


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
        shipping_group=_group(doc.get("shipping_group")),
        revision=doc.get("revision", 0),
    )


DUPLICATE_KEY = 11000


def summary_document(summary: OrderSummary) -> Document:
    """A summary as stored: the filter fields the pool and board query, and the columns
    they show (about 1 KB, against an order's 8)."""
    estimate = summary.estimated_ship_date
    return {
        "_id": summary.order_number,
        "seq": order_sequence(summary.order_number),
        "account_id": summary.account_id,
        "revision": summary.revision,
        "version": summary.version,
        "status": summary.status.value,
        "order_type": summary.order_type.value,
        "design_id": summary.design_id,
        "design_version": summary.design_version,
        "design_name": summary.design_name,
        "sizes": [{"size": s, "pairs": p} for s, p in summary.sizes.items()],
        "labeling": summary.labeling.value,
        "costs": summary.costs.model_dump(mode="json"),
        "shipping_group": _group_doc(summary.shipping_group),
        "created_at": summary.created_at,
        "payment_status": summary.payment_status.value,
        "production_stage": summary.production_stage.value if summary.production_stage else None,
        "hold_reason": summary.hold_reason.value if summary.hold_reason else None,
        "wip_started_at": summary.wip_started_at,
        "shipped_at": summary.shipped_at,
        "estimated_ship_date": _day(estimate) if estimate else None,
        "late_flagged_at": summary.late_flagged_at,
        "tracking": summary.tracking.model_dump(mode="json") if summary.tracking else None,
        "refund": _refund_doc(summary.refund) if summary.refund else None,
        "balance_due": summary.balance_due,
        "invoice_number": summary.invoice_number,
        "credit_note_number": summary.credit_note_number,
    }


def summary_from_document(doc: Document) -> OrderSummary:
    estimate = doc["estimated_ship_date"]
    return OrderSummary(
        order_number=doc["_id"],
        account_id=doc["account_id"],
        revision=doc["revision"],
        version=doc["version"],
        status=OrderStatus(doc["status"]),
        order_type=OrderType(doc["order_type"]),
        design_id=doc["design_id"],
        design_version=doc["design_version"],
        design_name=doc["design_name"],
        sizes={s["size"]: s["pairs"] for s in doc["sizes"]},
        labeling=Labeling(doc["labeling"]),
        costs=OrderCosts.model_validate(doc["costs"]),
        shipping_group=_group(doc["shipping_group"]),
        created_at=doc["created_at"],
        payment_status=PaymentStatus(doc["payment_status"]),
        production_stage=(
            ProductionStage(doc["production_stage"]) if doc["production_stage"] else None
        ),
        hold_reason=HoldReason(doc["hold_reason"]) if doc["hold_reason"] else None,
        wip_started_at=doc["wip_started_at"],
        shipped_at=doc["shipped_at"],
        estimated_ship_date=estimate.date() if estimate else None,
        late_flagged_at=doc["late_flagged_at"],
        tracking=Tracking.model_validate(doc["tracking"]) if doc["tracking"] else None,
        refund=_refund(doc["refund"]) if doc["refund"] else None,
        balance_due=doc["balance_due"],
        invoice_number=doc["invoice_number"],
        credit_note_number=doc["credit_note_number"],
    )


async def _put_summary(summaries: AsyncCollection[Document], summary: OrderSummary) -> None:
    """Write a summary unless one from the same or a later revision of its order is
    there (writes of one order's changes can land out of order: the newer stays)."""
    doc = summary_document(summary)
    with contextlib.suppress(DuplicateKeyError):
        await summaries.update_one(
            {"_id": doc.pop("_id"), "revision": {"$lt": summary.revision}},
            {"$set": doc},
            upsert=True,
        )


async def _put_summaries(summaries: AsyncCollection[Document], batch: list[OrderSummary]) -> int:
    """Write a batch of summaries in one command, each unless a later revision's is
    there (one of the same revision is written again: the rebuild refreshes it)."""
    if not batch:
        return 0
    writes = []
    for summary in batch:
        doc = summary_document(summary)
        writes.append(
            UpdateOne(
                {"_id": doc.pop("_id"), "revision": {"$lte": summary.revision}},
                {"$set": doc},
                upsert=True,
            )
        )
    try:
        await summaries.bulk_write(writes, ordered=False)
    except BulkWriteError as error:
        others = [e for e in error.details["writeErrors"] if e["code"] != DUPLICATE_KEY]
        if others:
            raise
        return len(batch) - len(error.details["writeErrors"])
    return len(batch)


@dataclass(frozen=True)
class RebuildReport:
    orders: int
    written: int
    """Summaries written (those a later revision had already written are not)."""
    removed: int
    """Summaries whose order is gone."""


def _selector(query: OrderQuery) -> Document:
    """The filter for ``query``, on orders and on their summaries alike."""
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
    return selector


class MongoOrderRepository:
    """Orders collection; each order document carries its own outbox.

    Every hot-path read is one indexed lookup: an order by ``_id``, the highest number by
    ``seq`` (and only when this process does not know it already: it took the last one,
    or will learn otherwise from the unique ``_id`` refusing its proposal). A checkout
    reads nothing for its idempotency key: the unique ``one_order_per_idempotency_key``
    refuses a retry's insert, and only then is the order under the key looked up.
    """

    def __init__(self, db: AsyncDatabase[Document], signals: Signals | None = None) -> None:
        """``signals``: the relay's, in the process that runs it (default: documents)."""
        self._orders: AsyncCollection[Document] = db.orders
        self._last_seq: int | None = None
        """The highest order number this process knows is taken (None: ask the orders)."""
        self._summaries: AsyncCollection[Document] = db.order_summaries
        self._signals = signals or Signals(db.outbox_signals)
        # What each edited order was before each edit, apart, so an order's document does
        # not grow with its edits: `<order number>:<version>`, written once, never changed.
        self._versions: AsyncCollection[Document] = db.order_versions
        self._positions = OutboxPositions()
        """Where the outbox of each order read or written lately stood: a save needs no read."""

    async def next_sequence(self) -> int:
        if self._last_seq is None:
            last = await self._orders.find_one({}, {"seq": 1}, sort=[("seq", DESCENDING)])
            self._last_seq = 0 if last is None else int(last["seq"])
        return self._last_seq + 1

    async def add(self, order: Order) -> Order:
        doc = to_document(order)
        try:
            await self._orders.insert_one(doc)
        except DuplicateKeyError as error:
            holder = await self._orders.find_one(
                {"_id": order.order_number}, {"account_id": 1, "idempotency_key": 1}
            )
            if holder is not None and (holder["account_id"], holder["idempotency_key"]) != (
                order.account_id,
                order.idempotency_key,
            ):
                self._last_seq = None  # another process took it, and maybe more since
                raise OrderNumberTaken(order.order_number) from error
            winner = await self._find_by_key(order.account_id, order.idempotency_key)
            if winner is None:
                # Neither holder is visible yet (a concurrent insert still committing): try
                # the next number; the unique indexes keep both numbers and keys single.
                raise OrderNumberTaken(order.order_number) from error
            # A retry: the first attempt may have stopped between its insert and what
            # follows it (the summary, the relay's note), so this one does them again
            # (the summary guarded by its revision; a note of nothing unpublished is a
            # read): the order it acknowledges is in the pool and its event on its way.
            self._positions.note(winner)
            stored = from_document(winner)
            await self._summarise(stored)
            await self._signals.send(stored.order_number)
            return stored
        self._last_seq = max(self._last_seq or 0, order_sequence(order.order_number))
        self._positions.note(doc)
        await self._summarise(order)
        # Tell the relay (a hint; see ``OutboxRelay``), with the events it is to publish.
        await self._signals.send(order.order_number, doc)
        order.events.clear()
        return order

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
            self._positions,
        ):
            raise ConcurrentChange(f"order {order.order_number} changed meanwhile")
        order.revision += 1
        await self._summarise(order)
        order.events.clear()

    async def get_any(self, order_number: str) -> Order | None:
        doc = await self._orders.find_one({"_id": order_number})
        if doc is None:
            return None
        self._positions.note(doc)
        return from_document(doc)

    async def get(self, account_id: str, order_number: str) -> Order | None:
        # Filter by `_id` alone and check the brand here: FerretDB answers a single-key
        # `_id` filter from its primary key, anything more with a full scan.
        doc = await self._orders.find_one({"_id": order_number})
        if doc is None or doc["account_id"] != account_id:
            return None
        self._positions.note(doc)
        return from_document(doc)

    async def find(self, query: OrderQuery) -> list[Order]:
        cursor = (
            self._orders.find(_selector(query), {"outbox": 0})
            .sort("seq", DESCENDING if query.newest_first else ASCENDING)
            .limit(query.limit)
        )
        return [from_document(doc) async for doc in cursor]

    async def find_summaries(self, query: OrderQuery) -> list[OrderSummary]:
        cursor = (
            self._summaries.find(_selector(query))
            .sort("seq", DESCENDING if query.newest_first else ASCENDING)
            .limit(query.limit)
        )
        return [summary_from_document(doc) async for doc in cursor]

    async def _summarise(self, order: Order) -> None:
        """Write the order's summary unless a newer one (from a later revision) is there."""
        await _put_summary(self._summaries, order.summary())

    async def refresh_summaries(self, order_numbers: list[str]) -> None:
        """Write these orders' summaries again from the orders (after a crash may have
        stopped a write between the order and its summary)."""
        for number in order_numbers:
            order = await self.get_any(number)
            if order is not None:
                await self._summarise(order)

    async def summaries_behind(self, settle_seconds: float = 5.0) -> bool:
        """The newest order has no summary: a database from before the read model, or one
        restored without it. Two reads by index, where counting both collections read
        every document on the local database (5 s each at a few thousand orders). A
        checkout between its order and its summary (milliseconds) is not behind: the
        newest order's summary is looked for again ``settle_seconds`` later."""
        newest = await self._orders.find_one({}, {"_id": 1}, sort=[("seq", DESCENDING)])
        if newest is None:
            return False
        for wait in (0.0, settle_seconds):
            await asyncio.sleep(wait)
            if await self._summaries.find_one({"_id": newest["_id"]}, {"_id": 1}) is not None:
                return False
        return True

    async def rebuild_summaries(self, batch: int = 500) -> RebuildReport:
        """Write every order's summary from the order itself and remove summaries whose
        order is gone: the read model made again from the truth. Safe while the service
        runs (a summary newer than the order read here is kept)."""
        counted = written = removed = 0
        after = 0
        while True:
            page = await _page_after(self._orders, after, batch, _WITHOUT_HISTORY)
            if not page:
                break
            after = page[-1]["seq"]
            orders = [from_document(doc) for doc in page]
            counted += len(orders)
            written += await _put_summaries(self._summaries, [o.summary() for o in orders])
        # Then the summaries, a page at a time, each page's order numbers looked up (so
        # memory stays one page, whatever the pool's size).
        after = 0
        while True:
            summaries = await _page_after(self._summaries, after, batch, {"_id": 1, "seq": 1})
            if not summaries:
                break
            after = summaries[-1]["seq"]
            numbers = [doc["_id"] for doc in summaries]
            present = await self._orders.find({"_id": {"$in": numbers}}, {"_id": 1}).to_list()
            stale = set(numbers) - {doc["_id"] for doc in present}
            if stale:
                deleted = await self._summaries.delete_many({"_id": {"$in": sorted(stale)}})
                removed += deleted.deleted_count
        return RebuildReport(orders=counted, written=written, removed=removed)

    async def summaries_differing(self, batch: int = 500) -> list[str]:
        """Order numbers whose summary is missing, extra or not what the order says
        (compared a page of order numbers at a time)."""
        differing: list[str] = []
        after = 0
        while True:
            page = await _page_after(self._orders, after, batch, _WITHOUT_HISTORY)
            last = page[-1]["seq"] if page else None
            seqs: Document = {"$gt": after} if last is None else {"$gt": after, "$lte": last}
            found = await self._summaries.find({"seq": seqs}).to_list()
            summaries = {doc["_id"]: doc for doc in found}
            for doc in page:
                expected = summary_document(from_document(doc).summary())
                if summaries.pop(doc["_id"], None) != expected:
                    differing.append(doc["_id"])
            differing.extend(summaries)  # summaries of no order
            if last is None:
                return sorted(differing)
            after = last

    async def _find_by_key(self, account_id: str, key: str) -> Document | None:
        return await self._orders.find_one({"account_id": account_id, "idempotency_key": key})


_WITHOUT_HISTORY: Document = {"outbox": 0, "previous_versions": 0}
"""An order's fields without its published events and replaced versions."""


async def _page_after(
    documents: AsyncCollection[Document], seq: int, limit: int, projection: Document
) -> list[Document]:
    """Up to ``limit`` documents numbered after ``seq``, in order, read to the end (a
    cursor left open across other commands can hold the store's connection)."""
    cursor = documents.find({"seq": {"$gt": seq}}, projection)
    return await cursor.sort("seq", ASCENDING).limit(limit).to_list()


KEPT_LABELS = 10_000
"""Brands whose labeling choice a process keeps in memory (a few dozen bytes each)."""


class MongoBrandLabels:
    """Each brand's labeling choice; the first insert wins (unique ``_id``). A choice,
    once made, never changes, so each is read from the database once per process."""

    def __init__(self, db: AsyncDatabase[Document], kept: int = KEPT_LABELS) -> None:
        self._brands: AsyncCollection[Document] = db.brands
        self._known: OrderedDict[str, BrandLabel] = OrderedDict()
        self._kept = kept

    async def get(self, account_id: str) -> BrandLabel | None:
        if account_id in self._known:
            self._known.move_to_end(account_id)
            return self._known[account_id]
        doc = await self._brands.find_one({"_id": account_id})
        return None if doc is None else self._keep(doc)

    async def claim(self, account_id: str, labeling: Labeling, order_key: str) -> BrandLabel:
        with contextlib.suppress(DuplicateKeyError):
            await self._brands.insert_one(
                {"_id": account_id, "labeling": labeling.value, "first_order_key": order_key}
            )
        doc = await self._brands.find_one({"_id": account_id})
        assert doc is not None
        return self._keep(doc)

    def _keep(self, doc: Document) -> BrandLabel:
        label = self._label(doc)
        self._known[label.account_id] = label
        if len(self._known) > self._kept:
            self._known.popitem(last=False)
        return label

    @staticmethod
    def _label(doc: Document) -> BrandLabel:
        return BrandLabel(doc["_id"], Labeling(doc["labeling"]), doc["first_order_key"])
