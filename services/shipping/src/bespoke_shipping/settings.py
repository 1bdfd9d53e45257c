"""Shipping service configuration, from `BESPOKE_SHIPPING_*` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ShippingSettings(BaseSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_SHIPPING_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8104
    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = "bespoke_shipping"
    kafka_bootstrap: str = "127.0.0.1:9092"
