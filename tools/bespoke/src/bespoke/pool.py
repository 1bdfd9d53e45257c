"""`bespoke orders rebuild-pool|check-pool`: the order pool's read model (each order's
summary), made again from the orders, or compared with them, in the orders service's
database."""

from __future__ import annotations

import dataclasses
import os

from bespoke.stack.config import StackConfig
from bespoke_orders.adapters.mongo import MongoOrderRepository, ensure_indexes
from bespoke_orders.settings import OrdersSettings
from bespoke_platform.mongo import connect


def orders_settings() -> OrdersSettings:
    """The orders service's settings as it has them: the local stack's database unless
    `BESPOKE_ORDERS_MONGODB_URL` names another."""
    if "BESPOKE_ORDERS_MONGODB_URL" in os.environ:
        return OrdersSettings()
    return OrdersSettings(mongodb_url=StackConfig().mongodb_url)


async def rebuild() -> dict[str, int]:
    """Every order's summary written from the order; summaries without an order removed."""
    settings = orders_settings()
    mongo = connect(settings.mongodb_url)
    try:
        db = mongo[settings.mongodb_database]
        await ensure_indexes(db)
        report = await MongoOrderRepository(db).rebuild_summaries()
        return dataclasses.asdict(report)
    finally:
        await mongo.close()


async def check() -> dict[str, object]:
    """The order numbers whose summary is missing, extra or not what the order says."""
    settings = orders_settings()
    mongo = connect(settings.mongodb_url)
    try:
        differing = await MongoOrderRepository(
            mongo[settings.mongodb_database]
        ).summaries_differing()
        return {"differing": len(differing), "order_numbers": differing[:100]}
    finally:
        await mongo.close()
