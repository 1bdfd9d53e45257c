"""Wiring: builds the payments service (invoices, Stripe payment intents and webhooks) from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient

from bespoke_payments.settings import PaymentsSettings
from bespoke_platform.mongo import Document, connect


@dataclass
class PaymentsRuntime:
    settings: PaymentsSettings
    mongo: AsyncMongoClient[Document]


def bootstrap(settings: PaymentsSettings | None = None) -> PaymentsRuntime:
    settings = settings or PaymentsSettings()
    return PaymentsRuntime(settings, connect(settings.mongodb_url))
