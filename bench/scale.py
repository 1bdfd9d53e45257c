"""Order pool at scale: the first page and a deep (cursor) page as the collection grows.

Runs the orders service's own query (``MongoOrderRepository.find_summaries``, the pool's
read model) against the stack's MongoDB-wire server, in a database of its own
(``bench_scale_orders``, dropped at the end unless ``--keep``), and beside it the same
query sent with raw PyMongo (its floor: no conversion to summaries). Orders are copies of
a real order document (taken from the running system) spread over ``--brands`` brands,
each brand's orders interleaved with every other brand's (the worst case for a scan),
each with its summary.

    uv run python -m bench.scale [--sizes 10000,100000,1000000] [--brands 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from bench.reporting import machine, percentiles, progress
from bespoke.stack.config import StackConfig
from bespoke_contracts import order_sequence
from bespoke_orders.adapters.mongo import (
    MongoOrderRepository,
    ensure_indexes,
    from_document,
    summary_document,
)
from bespoke_orders.service_layer.ports import OrderQuery

DATABASE = "bench_scale_orders"
QUERIES = 1000
"""Pool queries per size (each a first page and a deep page, ours and raw): a p99 of
200 is the third slowest, moved by one stall of the machine; of 1,000, the eleventh."""
PAGE = 20
STATUSES = ["pending_payment", "work_in_process", "pending_payment", "cancelled"]


async def template(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, Any]:
    doc = await client.bespoke_orders.orders.find_one({})
    if doc is None:
        raise SystemExit("no order in bespoke_orders.orders to copy: run `make up` first")
    return doc  # its outbox, already sent, stays: stored orders carry theirs


def order(base: dict[str, Any], seq: int, brands: int, epoch: datetime) -> dict[str, Any]:
    doc = copy.copy(base)
    doc["_id"] = f"BF-{seq:06d}"
    doc["seq"] = seq
    doc["account_id"] = f"acc_bench{seq % brands:05d}"
    doc["idempotency_key"] = f"bench-{seq}"
    doc["status"] = STATUSES[seq % len(STATUSES)]
    doc["created_at"] = epoch + timedelta(seconds=seq)
    return doc


def summary(base: dict[str, Any], seq: int, brands: int, epoch: datetime) -> dict[str, Any]:
    doc = copy.copy(base)
    doc["_id"] = f"BF-{seq:06d}"
    doc["seq"] = seq
    doc["account_id"] = f"acc_bench{seq % brands:05d}"
    doc["status"] = STATUSES[seq % len(STATUSES)]
    doc["created_at"] = epoch + timedelta(seconds=seq)
    return doc


async def grow(
    db: Any, base: dict[str, Any], start: int, stop: int, brands: int, epoch: datetime
) -> float:
    began = time.perf_counter()
    batch = 1000
    summary_base = summary_document(from_document(base | {"_id": "BF-000001"}).summary())
    for first in range(start, stop, batch):
        seqs = range(first, min(stop, first + batch))
        await db.orders.insert_many([order(base, s, brands, epoch) for s in seqs], ordered=False)
        await db.order_summaries.insert_many(
            [summary(summary_base, s, brands, epoch) for s in seqs], ordered=False
        )
        if (first // batch) % 20 == 19:
            progress(f"scale: {min(stop, first + batch) - 1:,} orders stored")
    return time.perf_counter() - began


async def timed_pages(
    repo: MongoOrderRepository, db: Any, size: int, brands: int, rng: random.Random
) -> dict[str, Any]:
    first: list[float] = []
    deep: list[float] = []
    raw_first: list[float] = []
    raw_deep: list[float] = []
    per_brand = size // brands

    def deep_cursor(brand: int) -> int:
        """A cursor deep into the brand's history: after its newest ~90% of orders."""
        return (per_brand // 10) * brands + brand

    for _ in range(QUERIES):
        # Ours and raw PyMongo each page through a brand drawn for it: given the same
        # brand, the second would find in memory the pages the first just read, where a
        # page deep in a brand's history at 1M orders is often read from the disk.
        brand, raw_brand = rng.randrange(brands), rng.randrange(brands)
        account, after = f"acc_bench{brand:05d}", deep_cursor(brand)
        began = time.perf_counter()
        first_page = await repo.find_summaries(OrderQuery(account_id=account, limit=PAGE + 1))
        first.append((time.perf_counter() - began) * 1000)
        if not first_page or any(o.account_id != account for o in first_page):
            raise RuntimeError(f"wrong first page for {account}")
        began = time.perf_counter()
        deep_page = await repo.find_summaries(
            OrderQuery(account_id=account, after_seq=after, limit=PAGE + 1)
        )
        deep.append((time.perf_counter() - began) * 1000)
        if any(order_sequence(o.order_number) >= after for o in deep_page):
            raise RuntimeError(f"wrong deep page for {account}")
        account, after = f"acc_bench{raw_brand:05d}", deep_cursor(raw_brand)
        began = time.perf_counter()
        await raw_page(db, {"account_id": account})
        raw_first.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        await raw_page(db, {"account_id": account, "seq": {"$lt": after}})
        raw_deep.append((time.perf_counter() - began) * 1000)
    return {
        "orders": size,
        "orders_per_brand": per_brand,
        # The last query's pages (a page reads one more than it shows, for the cursor).
        "documents_per_page": {"first": len(first_page), "deep": len(deep_page)},
        "first_page": percentiles(first),
        "deep_page": percentiles(deep),
        "floor_raw_pymongo": {
            "first_page": percentiles(raw_first),
            "deep_page": percentiles(raw_deep),
        },
    }


async def raw_page(db: Any, selector: dict[str, Any]) -> list[dict[str, Any]]:
    """The pool's query as one raw PyMongo command, its documents left as BSON decodes them."""
    cursor = db.order_summaries.find(selector).sort("seq", -1).limit(PAGE + 1)
    page: list[dict[str, Any]] = await cursor.to_list()
    return page


async def run(
    config: StackConfig, sizes: list[int], brands: int, keep: bool = False
) -> dict[str, Any]:
    """Grow the bench collection to each size in turn and time both pages at each."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(config.mongodb_url, tz_aware=True)
    base = await template(client)
    await client.drop_database(DATABASE)
    db = client[DATABASE]
    await ensure_indexes(db)
    repo = MongoOrderRepository(db)
    rng = random.Random(11)  # noqa: S311 (which brands to ask for, not secrets)
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    steps = []
    stored = 1
    try:
        for size in sizes:
            load = await grow(db, base, stored, size + 1, brands, epoch)
            stored = size + 1
            step = await timed_pages(repo, db, size, brands, rng)
            step["load_seconds"] = round(load, 1)
            steps.append(step)
            progress(f"scale: {size:,} orders: {json.dumps(step)}")
    finally:
        if not keep:
            await client.drop_database(DATABASE)
        await client.aclose()
    return {
        "brands": brands,
        "page_size": PAGE,
        "queries_per_step": QUERIES,
        "steps": steps,
        "targets": {"p99_ms_at_most": 15},
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--brands", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result = await run(StackConfig(), sizes, args.brands, args.keep)
    print(json.dumps({"benchmark": "order_pool_scale", "machine": machine(), **result}))


if __name__ == "__main__":
    asyncio.run(main())
