"""Wiring: builds the design service (catalog, brands' designs, gallery and price quotes) from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient

from bespoke_design.settings import DesignSettings
from bespoke_platform.mongo import Document, connect


@dataclass
class DesignRuntime:
    settings: DesignSettings
    mongo: AsyncMongoClient[Document]


def bootstrap(settings: DesignSettings | None = None) -> DesignRuntime:
    settings = settings or DesignSettings()
    return DesignRuntime(settings, connect(settings.mongodb_url))
