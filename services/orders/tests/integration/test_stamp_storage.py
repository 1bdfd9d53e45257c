"""Stamps and their files on the real MongoDB-wire server (FerretDB): files stream into
GridFS in chunks and back byte for byte with their hash; one stamp per brand and kind;
a stamp changed meanwhile is not overwritten; its events wait in its own document."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_contracts import StampKind, StampStatus
from bespoke_orders.adapters.stamps import (
    BUCKET,
    READ_CHUNK,
    GridFsFiles,
    MongoStamps,
    ensure_stamp_indexes,
)
from bespoke_orders.domain.errors import ConcurrentChange, StampExists
from bespoke_orders.domain.stamps import StoredFile, new_stamp_id, receive

pytestmark = pytest.mark.stack

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
async def db(fresh_database: AsyncDatabase[dict[str, Any]]) -> AsyncDatabase[dict[str, Any]]:
    await ensure_stamp_indexes(fresh_database)
    return fresh_database


def artwork(file_id: str = "f1") -> StoredFile:
    return StoredFile(file_id, "logo.svg", "image/svg+xml", 10, "ab" * 32, NOW, "user:usr_1")


async def test_a_file_streams_in_over_many_chunks_and_back_byte_for_byte(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    files = GridFsFiles(db)
    data = os.urandom(3 * READ_CHUNK + 1234)  # four chunks, the last one short
    blob = await files.put(io.BytesIO(data), "logo.pdf", "application/pdf", {"account_id": "a"})
    assert (blob.size, blob.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert await db[f"{BUCKET}.chunks"].count_documents({}) == 4
    stored = await db[f"{BUCKET}.files"].find_one({})
    assert stored is not None
    assert stored["metadata"] == {
        "account_id": "a",
        "content_type": "application/pdf",
        "sha256": blob.sha256,
    }

    download = await files.open(blob.file_id)
    assert download is not None
    assert (download.filename, download.content_type, download.size) == (
        "logo.pdf",
        "application/pdf",
        len(data),
    )
    chunks = [chunk async for chunk in download.chunks]
    assert len(chunks) == 4  # streamed a chunk at a time, never read whole
    assert b"".join(chunks) == data

    await files.delete(blob.file_id)
    assert await files.open(blob.file_id) is None
    assert await db[f"{BUCKET}.chunks"].count_documents({}) == 0
    assert await files.open("not-an-object-id") is None


async def test_one_stamp_per_brand_and_kind_and_no_lost_updates(
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    stamps = MongoStamps(db)
    first = receive(new_stamp_id(), "acc_1", StampKind.INSOLE, artwork(), "u", NOW, "r", None)
    await stamps.add(first)
    assert first.events == []  # stored with the stamp, for the relay
    doc = await db.stamps.find_one({"_id": first.stamp_id})
    assert doc is not None
    assert (doc["outbox_seq"], doc["outbox"][0]["event_type"]) == (1, "stamp.status_changed")
    assert await db.stamp_signals.find_one({"_id": first.stamp_id}) is not None

    again = receive(new_stamp_id(), "acc_1", StampKind.INSOLE, artwork("f2"), "u", NOW, "r", None)
    with pytest.raises(StampExists) as exists:
        await stamps.add(again)
    assert exists.value.stamp_id == first.stamp_id
    other_kind = receive(
        new_stamp_id(), "acc_1", StampKind.SOLE, artwork("f3"), "u", NOW, "r", None
    )
    await stamps.add(other_kind)
    assert [s.kind for s in await stamps.for_brand("acc_1")] == [StampKind.SOLE, StampKind.INSOLE]

    mine = await stamps.get_any(first.stamp_id)
    theirs = await stamps.get_any(first.stamp_id)
    assert mine is not None
    assert theirs is not None
    mine.send_proof(artwork("p1"), "operator:op_1", NOW, "r2", "a@b.example")
    await stamps.save(mine)
    theirs.send_proof(artwork("p2"), "operator:op_2", NOW, "r3", "a@b.example")
    with pytest.raises(ConcurrentChange):
        await stamps.save(theirs)
    stored = await stamps.get_any(first.stamp_id)
    assert stored is not None
    assert (stored.status, stored.proof and stored.proof.file_id) == (StampStatus.PROOF_SENT, "p1")
    assert [s.stamp_id for s in await stamps.find("proof_sent", None, 10, None)] == [first.stamp_id]
    assert await stamps.find("proof_sent", "acc_2", 10, None) == []
