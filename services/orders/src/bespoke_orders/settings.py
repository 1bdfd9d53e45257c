"""Orders service configuration, from `BESPOKE_ORDERS_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.settings import ServiceSettings


class OrdersSettings(ServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_ORDERS_", extra="ignore")

    http_port: int = 8102
    mongodb_database: str = "bespoke_orders"
    design_url: str = "http://127.0.0.1:8101"
    shipping_url: str = "http://127.0.0.1:8104"
    upstream_timeout_seconds: float = 10.0
    consumer_group: str = "orders"
    outbox_poll_seconds: float = 0.5
    """How often the relay looks for unpublished events when nobody wakes it."""
