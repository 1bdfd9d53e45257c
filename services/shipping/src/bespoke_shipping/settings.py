"""Shipping service configuration, from `BESPOKE_SHIPPING_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.addresses import SERVICE_PORTS, metrics_port
from bespoke_platform.settings import KafkaServiceSettings


class ShippingSettings(KafkaServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_SHIPPING_", extra="ignore")

    http_port: int = SERVICE_PORTS["shipping"]
    metrics_port: int = metrics_port("shipping")
    mongodb_database: str = "bespoke_shipping"
    consumer_group: str = "shipping"
    outbox_poll_seconds: float = 2.0
    recovery_seconds: float = 30.0
    """How often groups left forming by a crash are looked for."""
    order_wait_seconds: float = 3.0
    """How long grouping waits for an order checked out a moment ago to reach shipping."""
