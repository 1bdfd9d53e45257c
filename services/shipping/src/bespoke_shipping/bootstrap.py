"""Wiring: builds the shipping service (shipping rates, shipping groups and shipments) from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient

from bespoke_platform.mongo import Document, connect
from bespoke_shipping.adapters.rates_file import load_rates
from bespoke_shipping.domain.rates import RateCard
from bespoke_shipping.settings import ShippingSettings


@dataclass
class ShippingRuntime:
    settings: ShippingSettings
    mongo: AsyncMongoClient[Document]
    rates: RateCard


def bootstrap(settings: ShippingSettings | None = None) -> ShippingRuntime:
    settings = settings or ShippingSettings()
    return ShippingRuntime(settings, connect(settings.mongodb_url), load_rates())
