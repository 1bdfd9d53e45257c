"""The local MongoDB-wire server makes single-document writes atomic, as MongoDB does
(our FerretDB build serialises them), and answers finds on indexed fields from the
indexes without changing what they return (see ``bespoke.stack.ferretdb_patch``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bespoke.stack import ferretdb_patch
from bespoke.stack.containers import Infrastructure
from bespoke_platform.mongo import connect

pytestmark = pytest.mark.stack


async def test_concurrent_updates_of_one_document_lose_nothing(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    client = connect(stack_infrastructure.mongodb_url)
    name = f"test_atomic_{unique}"
    counters = client[name].counters
    try:
        await counters.insert_one({"_id": "c", "n": 0, "revision": 0, "taken": []})

        async def increment() -> None:
            await counters.update_one({"_id": "c"}, {"$inc": {"n": 1}})

        async def take(i: int) -> bool:
            """Compare-and-set: read the revision, write only if it is unchanged."""
            doc = await counters.find_one({"_id": "c"})
            assert doc is not None
            result = await counters.update_one(
                {"_id": "c", "revision": doc["revision"]},
                {"$set": {"revision": doc["revision"] + 1}, "$push": {"taken": i}},
            )
            return result.modified_count == 1

        await asyncio.gather(*(increment() for _ in range(60)))
        wins = await asyncio.gather(*(take(i) for i in range(30)))
        doc = await counters.find_one({"_id": "c"})
        assert doc is not None
        assert doc["n"] == 60
        assert len(doc["taken"]) == sum(wins) == doc["revision"], "a CAS win was overwritten"
    finally:
        await client.drop_database(name)
        await client.close()


async def test_finds_on_indexed_fields_return_what_mongodb_would(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    """The pushdown (filters, sorts and limits on indexed fields answered by SQLite) must
    not change a result: each find below is checked against the same query in Python."""
    client = connect(stack_infrastructure.mongodb_url)
    name = f"test_pushdown_{unique}"
    orders = client[name].orders
    try:
        await orders.create_index([("brand", 1), ("seq", -1)], name="brand_seq")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        docs = [
            {
                "_id": f"o{i:03d}",
                "brand": f"b{i % 3}",
                "seq": i,
                "at": at + timedelta(hours=i),
                "status": "paid" if i % 4 == 0 else "new",
                "tags": ["x", f"t{i % 2}"],
            }
            for i in range(60)
        ]
        await orders.insert_many(docs)

        async def check(query: dict[str, Any], sort: int, limit: int, expected: Any) -> None:
            wanted = sorted(filter(expected, docs), key=lambda d: d["seq"] * sort)[:limit]
            cursor = orders.find(query).sort("seq", sort).limit(limit)
            found = [d["_id"] async for d in cursor]
            assert found == [d["_id"] for d in wanted], query

        # Indexed fields only: pushed down whole, limit included.
        await check({"brand": "b1"}, -1, 5, lambda d: d["brand"] == "b1")
        await check(
            {"brand": "b2", "seq": {"$lt": 40, "$gte": 10}},
            1,
            4,
            lambda d: d["brand"] == "b2" and 10 <= d["seq"] < 40,
        )
        # A condition on a field no index names: the limit must not cut the candidates.
        await check(
            {"brand": "b0", "status": "paid"},
            -1,
            3,
            lambda d: d["brand"] == "b0" and d["status"] == "paid",
        )
        # Dates, arrays and operators the pushdown leaves to FerretDB.
        await check(
            {"brand": "b1", "at": {"$gte": at + timedelta(hours=30)}},
            1,
            50,
            lambda d: d["brand"] == "b1" and d["at"] >= at + timedelta(hours=30),
        )
        await check(
            {"tags": "t1", "seq": {"$gt": 50}}, 1, 3, lambda d: "t1" in d["tags"] and d["seq"] > 50
        )
        await check({"brand": {"$in": ["b0", "b2"]}}, -1, 4, lambda d: d["brand"] in ("b0", "b2"))
        await check({"_id": "o007", "brand": "b1"}, 1, 1, lambda d: d["_id"] == "o007")
        # find_one (limit 1) and a sort by a field no index names.
        one = await orders.find_one({"brand": "b2"}, sort=[("at", -1)])
        assert one is not None
        assert one["_id"] == "o059"
    finally:
        await client.drop_database(name)
        await client.close()


def test_the_patch_applies_to_the_pinned_ferretdb(tmp_path: Path) -> None:
    fake = tmp_path / "src"
    for relative, anchor in ferretdb_patch.ENTRY_POINTS.items():
        (fake / relative).parent.mkdir(parents=True, exist_ok=True)
        (fake / relative).write_text(
            f"package handler\n\nfunc f() {{\n{anchor}\treturn nil, nil\n}}\n"
        )
    for relative, before, _ in ferretdb_patch.PUSHDOWN_EDITS:
        file = fake / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        text = file.read_text() if file.exists() else "package x\n"
        file.write_text(text + before)
    patched = ferretdb_patch.patched_copy(fake, tmp_path / "out")
    for relative in ferretdb_patch.ENTRY_POINTS:
        assert "lockCollection(params.DB, params.Collection)" in (patched / relative).read_text()
    for relative, _, after in ferretdb_patch.PUSHDOWN_EDITS:
        assert after in (patched / relative).read_text()
    assert (patched / "internal/backends/sqlite/bespoke_pushdown.go").exists()
    (fake / "internal/handler/msg_delete.go").write_text("package handler\n")
    with pytest.raises(ferretdb_patch.PatchDoesNotApply):
        ferretdb_patch.patched_copy(fake, tmp_path / "again")
