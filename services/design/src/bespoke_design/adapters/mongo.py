"""Designs in MongoDB: one document per design, holding its latest version, and each
version in ``design_versions`` by ``<design id>:<number>``, so a design's document does
not grow with its history and lists read only the latest versions.

A change is one guarded write of the design's document (FerretDB has no multi-document
transactions; ``revision`` guards against lost updates); the versions at hand are then
written apart, idempotently (they never change). The latest version is in the design's
own document, so a crash between the two loses nothing: the next change writes it.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from bespoke_contracts.api.design import BomLine, DesignSpec, DesignStatus
from bespoke_design.domain.errors import StaleDesignVersion
from bespoke_design.domain.model import Design, DesignVersion, Origin
from bespoke_design.domain.sharing import Share
from bespoke_platform.mongo import Document


async def ensure_indexes(db: AsyncDatabase[Document]) -> None:
    await db.designs.create_index(
        [("account_id", ASCENDING), ("idempotency_key", ASCENDING)],
        unique=True,
        name="one_design_per_idempotency_key",
    )
    await db.designs.create_index(
        [("account_id", ASCENDING), ("_id", DESCENDING)], name="brand_designs"
    )
    await db.designs.create_index([("published", ASCENDING), ("_id", DESCENDING)], name="gallery")
    await db.design_shares.create_index([("share_id", ASCENDING)], unique=True, name="share_id")


def _version_doc(v: DesignVersion) -> Document:
    return {
        "version": v.version,
        "name": v.name,
        "spec": v.spec.model_dump(mode="json"),
        "shoe_last": v.shoe_last,
        "bill_of_materials": [line.model_dump(mode="json") for line in v.bill_of_materials],
        "bom_hash": v.bom_hash,
        "price_per_pair": v.price_per_pair,
        "currency": v.currency,
        "catalog_version": v.catalog_version,
        "created_at": v.created_at,
        "created_by": v.created_by,
    }


def _version(v: Document) -> DesignVersion:
    return DesignVersion(
        version=v["version"],
        name=v["name"],
        spec=DesignSpec.model_validate(v["spec"]),
        shoe_last=v["shoe_last"],
        bill_of_materials=[BomLine.model_validate(b) for b in v["bill_of_materials"]],
        bom_hash=v["bom_hash"],
        price_per_pair=v["price_per_pair"],
        currency=v["currency"],
        catalog_version=v["catalog_version"],
        created_at=v["created_at"],
        created_by=v.get("created_by"),
    )


def to_document(design: Design) -> Document:
    latest = design.latest
    return {
        "_id": design.id,
        "account_id": design.account_id,
        "status": design.status.value,
        "published": design.published,
        # Denormalised from the latest version, for filtering lists and the gallery.
        "style": latest.spec.style,
        "construction": latest.spec.construction,
        "latest": _version_doc(latest),
        "version_count": design.version_count,
        "created_at": design.created_at,
        "idempotency_key": design.idempotency_key,
        "request_fingerprint": design.request_fingerprint,
        "cloned_from": (
            {"design_id": design.cloned_from.design_id, "version": design.cloned_from.version}
            if design.cloned_from
            else None
        ),
        "revision": design.revision,
    }


def from_document(doc: Document, older: DesignVersion | None = None) -> Design:
    """The design of ``doc`` with its latest version (and ``older``, when given). A
    document stored before versions were kept apart holds them all in ``versions``."""
    origin = doc.get("cloned_from")
    if "latest" in doc:
        versions = [_version(doc["latest"])]
        if older is not None and older.version != versions[0].version:
            versions.insert(0, older)
        count = doc["version_count"]
    else:
        versions = [_version(v) for v in doc["versions"]]
        count = len(versions)
    return Design(
        id=doc["_id"],
        account_id=doc["account_id"],
        status=DesignStatus(doc["status"]),
        published=doc["published"],
        versions=versions,
        created_at=doc["created_at"],
        idempotency_key=doc["idempotency_key"],
        request_fingerprint=doc.get("request_fingerprint", ""),
        cloned_from=Origin(origin["design_id"], origin["version"]) if origin else None,
        revision=doc["revision"],
        version_count=count,
    )


class MongoDesignRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._designs: AsyncCollection[Document] = db.designs
        self._versions: AsyncCollection[Document] = db.design_versions

    async def add(self, design: Design) -> Design:
        try:
            await self._designs.insert_one(to_document(design))
        except DuplicateKeyError:
            existing = await self._designs.find_one(
                {"account_id": design.account_id, "idempotency_key": design.idempotency_key}
            )
            if existing is None:
                raise
            return from_document(existing)
        await self._keep_versions(design)
        return design

    async def get(self, design_id: str, version: int | None = None) -> Design | None:
        doc = await self._designs.find_one({"_id": design_id})
        if doc is None:
            return None
        older = None
        latest = doc.get("latest", {}).get("version")
        if version is not None and latest is not None and version != latest:
            found = await self._versions.find_one({"_id": f"{design_id}:{version}"})
            older = None if found is None else _version(found)
        return from_document(doc, older)

    async def save(self, design: Design) -> None:
        doc = to_document(design)
        doc["revision"] = design.revision + 1
        result = await self._designs.replace_one(
            {"_id": design.id, "revision": design.revision}, doc
        )
        if result.matched_count == 0:
            raise StaleDesignVersion(
                f"design {design.id} was changed by another request meanwhile; reload it and retry"
            )
        design.revision += 1
        await self._keep_versions(design)

    async def _keep_versions(self, design: Design) -> None:
        """Every version at hand, in ``design_versions`` (they never change, so writing
        one again is harmless: the latest before a change is kept with the change)."""
        for version in design.versions:
            await self._versions.replace_one(
                {"_id": f"{design.id}:{version.version}"},
                {"design_id": design.id, **_version_doc(version)},
                upsert=True,
            )

    async def list_for_brand(
        self, account_id: str, status: str | None, style: str | None, limit: int, after: str | None
    ) -> list[Design]:
        query: dict[str, Any] = {"account_id": account_id}
        if status:
            query["status"] = status
        if style:
            query["style"] = style
        return await self._list(query, limit, after)

    async def list_published(
        self, style: str | None, construction: str | None, limit: int, after: str | None
    ) -> list[Design]:
        query: dict[str, Any] = {"published": True, "status": DesignStatus.ACTIVE.value}
        if style:
            query["style"] = style
        if construction:
            query["construction"] = construction
        return await self._list(query, limit, after)

    async def _list(self, query: dict[str, Any], limit: int, after: str | None) -> list[Design]:
        if after is not None:
            query["_id"] = {"$lt": after}
        cursor = self._designs.find(query).sort("_id", DESCENDING).limit(limit)
        return [from_document(doc) async for doc in cursor]


class TimeOrderedIds:
    """``des_<16 hex: time in ns><8 hex: random>``: unique, and newer ids sort later."""

    def design_id(self) -> str:
        return f"des_{time.time_ns():016x}{os.urandom(4).hex()}"


def _share(doc: Document) -> Share:
    return Share(
        doc["share_id"],
        doc["_id"],
        doc["account_id"],
        doc["design_id"],
        doc["version"],
        doc["created_at"],
        doc.get("created_by"),
        doc["expires_at"],
        doc.get("revoked_at"),
    )


class MongoShares:
    """Share links by the SHA-256 of their secret (``_id``): opening one is a read by id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._shares: AsyncCollection[Document] = db.design_shares

    async def add(self, share: Share) -> None:
        await self._shares.insert_one(
            {
                "_id": share.secret_digest,
                "share_id": share.share_id,
                "account_id": share.account_id,
                "design_id": share.design_id,
                "version": share.version,
                "created_at": share.created_at,
                "created_by": share.created_by,
                "expires_at": share.expires_at,
                "revoked_at": None,
            }
        )

    async def by_digest(self, secret_digest: str) -> Share | None:
        doc = await self._shares.find_one({"_id": secret_digest})
        return None if doc is None else _share(doc)

    async def of_design(self, account_id: str, design_id: str) -> list[Share]:
        cursor = self._shares.find({"account_id": account_id, "design_id": design_id})
        return sorted([_share(d) async for d in cursor], key=lambda s: s.created_at, reverse=True)

    async def revoke(self, account_id: str, share_id: str, now: datetime) -> Share | None:
        await self._shares.update_one(
            {"share_id": share_id, "account_id": account_id, "revoked_at": None},
            {"$set": {"revoked_at": now}},
        )
        doc = await self._shares.find_one({"share_id": share_id, "account_id": account_id})
        return None if doc is None else _share(doc)
