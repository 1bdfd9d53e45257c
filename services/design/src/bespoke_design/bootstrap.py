"""Wiring: builds the design service (catalog, brands' designs, gallery and price quotes) from its settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from bespoke_design.settings import DesignSettings


@dataclass
class DesignRuntime:
    settings: DesignSettings
    mongo: AsyncMongoClient[dict[str, Any]]


def bootstrap(settings: DesignSettings | None = None) -> DesignRuntime:
    settings = settings or DesignSettings()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    return DesignRuntime(settings, mongo)
