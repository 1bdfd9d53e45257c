"""Stamps in MongoDB (each document carries its own outbox) and their files in GridFS.

Files are streamed into GridFS in its chunks (255 KB), hashed as they go; a file is
written before the stamp that names it, so a crash in between leaves a file no stamp
names (never a stamp without its file).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import AsyncGridFSBucket, NoFile
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_contracts import StampKind, StampStatus
from bespoke_orders.domain.errors import ConcurrentChange, StampExists
from bespoke_orders.domain.stamps import Stamp, StampChange, StoredFile
from bespoke_platform.mongo import Document
from bespoke_platform.outbox import OutboxPositions, Signals, new_outbox, save_with_events

BUCKET = "stamp_files"
READ_CHUNK = 255 * 1024


async def ensure_stamp_indexes(db: AsyncDatabase[Document]) -> None:
    """One stamp per brand and kind (a retried upload cannot make a second one); the
    relay's hint; GridFS's own index on its chunks."""
    await db.stamps.create_index(
        [("account_id", ASCENDING), ("kind", ASCENDING)], unique=True, name="one_per_kind"
    )
    await db[f"{BUCKET}.chunks"].create_index(
        [("files_id", ASCENDING), ("n", ASCENDING)], unique=True, name="files_id_n"
    )
    await db[f"{BUCKET}.files"].create_index(
        [("filename", ASCENDING), ("uploadDate", ASCENDING)], name="filename_uploadDate"
    )


@dataclass(frozen=True)
class Blob:
    """A file as stored: its id, size and SHA-256."""

    file_id: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Download:
    """A stored file, read in chunks."""

    filename: str
    content_type: str
    size: int
    chunks: AsyncIterator[bytes]


class GridFsFiles:
    """Stamp files in the ``stamp_files`` GridFS bucket."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)
        self._files: AsyncCollection[Document] = db[f"{BUCKET}.files"]

    async def put(
        self, source: BinaryIO, filename: str, content_type: str, metadata: Document
    ) -> Blob:
        """Stream ``source`` (from its start) into a new file."""
        digest, size = hashlib.sha256(), 0
        source.seek(0)
        stream = self._bucket.open_upload_stream(
            filename, metadata={**metadata, "content_type": content_type}
        )
        try:
            while chunk := source.read(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                await stream.write(chunk)
        except BaseException:
            await stream.abort()
            raise
        await stream.close()
        file_id = str(stream._id)
        # Recorded on the file too, so the store alone says what each file is.
        await self._files.update_one(
            {"_id": stream._id}, {"$set": {"metadata.sha256": digest.hexdigest()}}
        )
        return Blob(file_id, size, digest.hexdigest())

    async def open(self, file_id: str) -> Download | None:
        try:
            grid_out = await self._bucket.open_download_stream(ObjectId(file_id))
        except (NoFile, InvalidId):
            return None

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await grid_out.readchunk():
                    yield chunk
            finally:
                await grid_out.close()

        metadata = grid_out.metadata or {}
        return Download(
            grid_out.filename or "file",
            str(metadata.get("content_type", "application/octet-stream")),
            grid_out.length,
            chunks(),
        )

    async def read(self, file_id: str) -> bytes | None:
        """A whole file (thumbnails are rendered from it)."""
        download = await self.open(file_id)
        if download is None:
            return None
        return b"".join([chunk async for chunk in download.chunks])

    async def delete(self, file_id: str) -> None:
        with contextlib.suppress(NoFile, InvalidId):
            await self._bucket.delete(ObjectId(file_id))

    async def count(self) -> int:
        """How many files the bucket holds (what tests check nothing was stored)."""
        return await self._files.count_documents({})


def _file_doc(f: StoredFile) -> Document:
    return {
        "file_id": f.file_id,
        "filename": f.filename,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "uploaded_at": f.uploaded_at,
        "uploaded_by": f.uploaded_by,
        "warnings": list(f.warnings),
        "thumbnail_id": f.thumbnail_id,
        "note": f.note,
    }


def _file(doc: Document) -> StoredFile:
    return StoredFile(
        doc["file_id"],
        doc["filename"],
        doc["content_type"],
        doc["size"],
        doc["sha256"],
        doc["uploaded_at"],
        doc.get("uploaded_by"),
        tuple(doc.get("warnings", ())),
        doc.get("thumbnail_id"),
        doc.get("note"),
    )


def _mutable(stamp: Stamp) -> Document:
    return {
        "status": stamp.status.value,
        "artwork": _file_doc(stamp.artwork),
        "proof": _file_doc(stamp.proof) if stamp.proof else None,
        "comment": stamp.comment,
        "history": [
            {"status": h.status.value, "at": h.at, "actor": h.actor, "comment": h.comment}
            for h in stamp.history
        ],
        "replaced_files": list(stamp.replaced_files),
        "updated_at": stamp.updated_at,
    }


def _stamp(doc: Document) -> Stamp:
    return Stamp(
        stamp_id=doc["_id"],
        account_id=doc["account_id"],
        kind=StampKind(doc["kind"]),
        status=StampStatus(doc["status"]),
        artwork=_file(doc["artwork"]),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        proof=_file(doc["proof"]) if doc.get("proof") else None,
        comment=doc.get("comment"),
        history=[
            StampChange(StampStatus(h["status"]), h["at"], h.get("actor"), h.get("comment"))
            for h in doc.get("history", [])
        ],
        replaced_files=list(doc.get("replaced_files", [])),
        revision=doc.get("revision", 0),
    )


class MongoStamps:
    """The ``stamps`` collection; each stamp document carries its own outbox."""

    def __init__(self, db: AsyncDatabase[Document], signals: Signals | None = None) -> None:
        """``signals``: the relay's, in the process that runs it (default: documents)."""
        self._stamps: AsyncCollection[Document] = db.stamps
        self._signals = signals or Signals(db.stamp_signals)
        self._positions = OutboxPositions()

    async def add(self, stamp: Stamp) -> None:
        """Insert; ``StampExists`` if the brand has a stamp of that kind already."""
        doc: dict[str, Any] = {
            "_id": stamp.stamp_id,
            "account_id": stamp.account_id,
            "kind": stamp.kind.value,
            "created_at": stamp.created_at,
            "revision": 0,
            **_mutable(stamp),
            **new_outbox(stamp.events),
        }
        try:
            await self._stamps.insert_one(doc)
        except DuplicateKeyError:
            holder = await self.of_kind(stamp.account_id, stamp.kind)
            raise StampExists(
                f"your brand has a {stamp.kind.value} stamp already; send new artwork to it",
                stamp_id=holder.stamp_id if holder else "",
            ) from None
        self._positions.note(doc)
        await self._signals.send(stamp.stamp_id, doc)
        stamp.events.clear()

    async def save(self, stamp: Stamp) -> None:
        if not await save_with_events(
            self._stamps,
            self._signals,
            stamp.stamp_id,
            stamp.revision,
            _mutable(stamp),
            stamp.events,
            self._positions,
        ):
            raise ConcurrentChange(f"stamp {stamp.stamp_id} changed meanwhile")
        stamp.revision += 1
        stamp.events.clear()

    async def get_any(self, stamp_id: str) -> Stamp | None:
        doc = await self._stamps.find_one({"_id": stamp_id}, {"outbox": 0})
        if doc is None:
            return None
        self._positions.note(doc)
        return _stamp(doc)

    async def of_kind(self, account_id: str, kind: StampKind) -> Stamp | None:
        doc = await self._stamps.find_one(
            {"account_id": account_id, "kind": kind.value}, {"outbox": 0}
        )
        return None if doc is None else _stamp(doc)

    async def for_brand(self, account_id: str) -> list[Stamp]:
        cursor = self._stamps.find({"account_id": account_id}, {"outbox": 0}).sort(
            "_id", DESCENDING
        )
        return [_stamp(doc) async for doc in cursor]

    async def find(
        self, status: str | None, account_id: str | None, limit: int, before: str | None
    ) -> list[Stamp]:
        """Every brand's stamps, newest first (the factory's queue)."""
        selector: Document = {}
        if status:
            selector["status"] = status
        if account_id:
            selector["account_id"] = account_id
        if before:
            selector["_id"] = {"$lt": before}
        cursor = self._stamps.find(selector, {"outbox": 0}).sort("_id", DESCENDING).limit(limit)
        return [_stamp(doc) async for doc in cursor]
