"""The local MongoDB-wire server makes single-document writes atomic, as MongoDB does
(our FerretDB build serialises them: see ``bespoke.stack.ferretdb_patch``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

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


def test_the_patch_applies_to_the_pinned_ferretdb(tmp_path: Path) -> None:
    fake = tmp_path / "src"
    for relative, anchor in ferretdb_patch.ENTRY_POINTS.items():
        (fake / relative).parent.mkdir(parents=True, exist_ok=True)
        (fake / relative).write_text(
            f"package handler\n\nfunc f() {{\n{anchor}\treturn nil, nil\n}}\n"
        )
    patched = ferretdb_patch.patched_copy(fake, tmp_path / "out")
    for relative in ferretdb_patch.ENTRY_POINTS:
        assert "lockCollection(params.DB, params.Collection)" in (patched / relative).read_text()
    (fake / "internal/handler/msg_delete.go").write_text("package handler\n")
    with pytest.raises(ferretdb_patch.PatchDoesNotApply):
        ferretdb_patch.patched_copy(fake, tmp_path / "again")
