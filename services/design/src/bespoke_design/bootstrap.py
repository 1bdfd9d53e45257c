"""Wiring: builds the design service (catalog, brands' designs, gallery, quotes)."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient

from bespoke_design.adapters.catalog_file import load_catalog, load_gallery_seeds
from bespoke_design.adapters.mongo import (
    MongoDesignRepository,
    MongoShares,
    TimeOrderedIds,
    ensure_indexes,
)
from bespoke_design.service_layer import handlers
from bespoke_design.service_layer.handlers import DesignDeps
from bespoke_design.settings import DesignSettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.mongo import Document, connect


@dataclass
class DesignRuntime:
    settings: DesignSettings
    mongo: AsyncMongoClient[Document]
    deps: DesignDeps

    async def start(self) -> None:
        """Indexes, then the factory's gallery designs (added once)."""
        await ensure_indexes(self.mongo[self.settings.mongodb_database])
        await handlers.seed_gallery(load_gallery_seeds(), self.deps)


def bootstrap(settings: DesignSettings | None = None) -> DesignRuntime:
    settings = settings or DesignSettings()
    mongo = connect(settings.mongodb_url)
    deps = DesignDeps(
        catalog=load_catalog(),
        designs=MongoDesignRepository(mongo[settings.mongodb_database]),
        clock=SystemClock(),
        ids=TimeOrderedIds(),
        shares=MongoShares(mongo[settings.mongodb_database]),
    )
    return DesignRuntime(settings, mongo, deps)
