"""Wiring: builds the payments service (invoices, Stripe payment intents and webhooks) from its settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient

from bespoke_payments.settings import PaymentsSettings


@dataclass
class PaymentsRuntime:
    settings: PaymentsSettings
    mongo: AsyncMongoClient[dict[str, Any]]


def bootstrap(settings: PaymentsSettings | None = None) -> PaymentsRuntime:
    settings = settings or PaymentsSettings()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    return PaymentsRuntime(settings, mongo)
