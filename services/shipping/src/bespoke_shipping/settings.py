"""Shipping service configuration, from `BESPOKE_SHIPPING_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.settings import ServiceSettings


class ShippingSettings(ServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_SHIPPING_", extra="ignore")

    http_port: int = 8104
    mongodb_database: str = "bespoke_shipping"
