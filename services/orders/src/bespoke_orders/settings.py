"""Orders service configuration, from `BESPOKE_ORDERS_*` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class OrdersSettings(BaseSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_ORDERS_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8102
    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = "bespoke_orders"
    kafka_bootstrap: str = "127.0.0.1:9092"
    outbox_poll_seconds: float = 0.5
    """How often the relay looks for unpublished events when nobody wakes it."""
