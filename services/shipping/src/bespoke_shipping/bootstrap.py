"""Wiring: builds the shipping service (shipping rates, shipping groups and shipments) from its settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from bespoke_shipping.settings import ShippingSettings


@dataclass
class ShippingRuntime:
    settings: ShippingSettings
    mongo: AsyncMongoClient[dict[str, Any]]


def bootstrap(settings: ShippingSettings | None = None) -> ShippingRuntime:
    settings = settings or ShippingSettings()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    return ShippingRuntime(settings, mongo)
