"""Wiring: builds the gateway from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from pymongo import AsyncMongoClient

from bespoke_gateway.adapters.accounts import MongoAccountRepository
from bespoke_gateway.adapters.idempotency import MongoIdempotency
from bespoke_gateway.adapters.upstream import ServiceClient
from bespoke_gateway.domain.ratelimit import RateLimiter
from bespoke_gateway.service_layer.ports import AccountRepository, Clock, IdempotencyStore
from bespoke_gateway.settings import GatewaySettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.mongo import Document, connect
from bespoke_platform.tracing import service_client


@dataclass
class GatewayRuntime:
    settings: GatewaySettings
    mongo: AsyncMongoClient[Document]
    accounts: AccountRepository
    orders: ServiceClient
    design: ServiceClient
    payments: ServiceClient
    shipping: ServiceClient
    idempotency: IdempotencyStore
    limiter: RateLimiter
    clock: Clock = field(default_factory=SystemClock)

    async def close(self) -> None:
        await self.orders.aclose()
        await self.design.aclose()
        await self.payments.aclose()
        await self.shipping.aclose()


def bootstrap(settings: GatewaySettings | None = None) -> GatewayRuntime:
    settings = settings or GatewaySettings()
    mongo = connect(settings.mongodb_url)
    timeout = httpx.Timeout(settings.upstream_timeout_seconds)
    return GatewayRuntime(
        settings=settings,
        mongo=mongo,
        accounts=MongoAccountRepository(mongo[settings.mongodb_database]),
        orders=ServiceClient("orders", service_client(settings.orders_url, timeout)),
        design=ServiceClient("design", service_client(settings.design_url, timeout)),
        payments=ServiceClient("payments", service_client(settings.payments_url, timeout)),
        shipping=ServiceClient("shipping", service_client(settings.shipping_url, timeout)),
        idempotency=MongoIdempotency(mongo[settings.mongodb_database]),
        limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
    )
