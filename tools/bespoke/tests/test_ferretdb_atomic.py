"""The local MongoDB-wire server makes single-document writes atomic, as MongoDB does
(our FerretDB build serialises them), and answers finds on indexed fields from the
indexes without changing what they return (the patches in ``deploy/local/ferretdb/_patch``)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bespoke.stack import ferretdb_patch
from bespoke.stack.components.go import GO_ENV
from bespoke.stack.config import DEPLOY_LOCAL
from bespoke.stack.containers import Infrastructure
from bespoke.stack.query_plans import plans, recording_client
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
        await orders.create_index([("pending", 1)], name="pending")
        await orders.create_index([("status", 1), ("at", 1)], name="status_at")
        at = datetime(2026, 1, 1, tzinfo=UTC)
        docs = [
            {
                "_id": f"o{i:03d}",
                "brand": f"b{i % 3}",
                "seq": i,
                "at": at + timedelta(hours=i),
                "status": "paid" if i % 4 == 0 else "new",
                "tags": ["x", f"t{i % 2}"],
                **({} if i % 5 == 0 else {"pending": i % 5 == 1}),
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
        # A date range on an indexed date (orders past their ship date).
        cut = at + timedelta(hours=33, minutes=30)
        await check(
            {"status": "paid", "at": {"$lt": cut}},
            1,
            50,
            lambda d: d["status"] == "paid" and d["at"] < cut,
        )
        # Booleans (an outbox's flag), where some documents have none.
        await check({"pending": True}, 1, 50, lambda d: d.get("pending") is True)
        await check({"pending": False}, -1, 5, lambda d: d.get("pending") is False)
        await check(
            {"brand": "b1", "pending": {"$eq": True}},
            1,
            50,
            lambda d: d["brand"] == "b1" and d.get("pending") is True,
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
        # Lists of ids and of indexed values (a batch of orders by number).
        ids = ["o003", "o010", "o011", "o058", "missing"]
        await check({"_id": {"$in": ids}}, 1, 50, lambda d: d["_id"] in ids)
        await check({"_id": {"$in": ids, "$gt": "o010"}}, 1, 2, lambda d: d["_id"] in ids[2:4])
        await check(
            {"seq": {"$in": [4, 8, 15, 16]}, "brand": "b0"},
            -1,
            1,
            lambda d: d["seq"] in (4, 8, 15, 16) and d["brand"] == "b0",
        )
        # A range of ids, highest first (the last invoice number of a year), alone and
        # with other conditions.
        last = await orders.find_one({"_id": {"$gte": "o010", "$lt": "o020"}}, sort=[("_id", -1)])
        assert last is not None
        assert last["_id"] == "o019"
        await check(
            {"_id": {"$gt": "o050"}, "brand": "b1"},
            -1,
            2,
            lambda d: d["_id"] > "o050" and d["brand"] == "b1",
        )
        await check({"_id": {"$lte": "o011", "$in": ids}}, 1, 50, lambda d: d["_id"] in ids[:3])
        await check({"_id": {"$lt": 7}}, 1, 50, lambda d: False)  # no string is below a number
        # find_one (limit 1) and a sort by a field no index names.
        one = await orders.find_one({"brand": "b2"}, sort=[("at", -1)])
        assert one is not None
        assert one["_id"] == "o059"
    finally:
        await client.drop_database(name)
        await client.close()


async def test_explain_shows_the_plan_a_find_gets(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    """What tests of the services rely on to tell a find answered from an index from one
    that reads the whole collection (``bespoke.stack.query_plans``)."""
    client, recorder = recording_client(stack_infrastructure.mongodb_url)
    name = f"test_plans_{unique}"
    orders = client[name].orders
    try:
        await orders.create_index([("brand", 1), ("seq", -1)], name="brand_seq")
        await orders.insert_many(
            [{"_id": f"o{i:03d}", "brand": f"b{i % 3}", "seq": i} for i in range(30)]
        )
        await orders.find({"brand": "b1"}).sort("seq", -1).limit(5).to_list()
        await orders.find({"brand": "b1"}).to_list()
        await orders.find({}).sort("seq", -1).limit(5).to_list()  # no index starts with seq
        await orders.find_one({"_id": {"$gte": "o010", "$lt": "o020"}}, sort=[("_id", -1)])
        await orders.find({"seq": {"$gt": 3}}).to_list()  # no index starts with seq
        await orders.find({"brand": "b1", "seq": 4, "colour": "red"}).limit(1).to_list()
        await orders.find({}).sort("colour", 1).limit(5).to_list()
        found = await plans(client, recorder)
        assert [p.reads_whole_collection for p in found] == [0, 0, 1, 0, 1, 0, 1]
        # The limit is SQLite's only when every condition was pushed down.
        assert [p.reads_every_match for p in found] == [0, 0, 1, 0, 0, 1, 1]
    finally:
        await client.drop_database(name)
        await client.close()


def _pinned_ferretdb_source() -> Path:
    found = subprocess.run(
        ["go", "list", "-m", "-f", "{{.Dir}}", ferretdb_patch.MODULE],
        cwd=DEPLOY_LOCAL / "ferretdb",
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GO_ENV},
    )
    return Path(found.stdout.strip())


def test_the_patches_apply_to_the_pinned_ferretdb_and_pass_gofmt_and_vet(tmp_path: Path) -> None:
    patched = ferretdb_patch.patched_copy(_pinned_ferretdb_source(), tmp_path / "src")
    handler = (patched / "internal/handler/msg_update.go").read_text()
    assert "lockCollection(params.DB, params.Collection)" in handler
    added = ferretdb_patch.new_go_files()
    assert Path("internal/backends/sqlite/bespoke_pushdown.go") in added
    for relative in added:
        assert (patched / relative).read_bytes() == (
            ferretdb_patch.PATCH_DIR / relative
        ).read_bytes()
    packages = sorted({str(relative.parent) for relative in added} | {"internal/util/resource"})
    unformatted = subprocess.run(
        ["gofmt", "-l", *packages], cwd=patched, capture_output=True, text=True, check=True
    )
    assert unformatted.stdout == ""
    vet = subprocess.run(
        ["go", "vet", *(f"./{p}" for p in packages)],
        cwd=patched,
        capture_output=True,
        text=True,
        env={**os.environ, **GO_ENV},
    )
    assert vet.returncode == 0, vet.stderr


def test_a_ferretdb_other_than_the_pinned_one_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "internal/handler").mkdir(parents=True)
    (other / "internal/handler/msg_update.go").write_text("package handler\n")
    with pytest.raises(ferretdb_patch.PatchDoesNotApply):
        ferretdb_patch.patched_copy(other, tmp_path / "out")
