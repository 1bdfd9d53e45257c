"""Orders service configuration, from `BESPOKE_ORDERS_*` environment variables."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bespoke_orders.domain.stamps import HoldPolicy
from bespoke_platform.addresses import SERVICE_PORTS, local_url, metrics_port
from bespoke_platform.settings import KafkaServiceSettings


class OrdersSettings(KafkaServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_ORDERS_", extra="ignore")

    http_port: int = SERVICE_PORTS["orders"]
    metrics_port: int = metrics_port("orders")
    mongodb_database: str = "bespoke_orders"
    design_url: str = local_url("design")
    shipping_url: str = local_url("shipping")
    upstream_timeout_seconds: float = 10.0
    consumer_group: str = "orders"
    outbox_poll_seconds: float = 2.0
    """How often the relay reads the signal documents other processes (tools) leave."""
    late_check_seconds: float = 3600.0
    """How often orders in production are checked against their estimated ship date."""
    stamp_hold_days: float = Field(default=10.0, gt=0)
    """How long a paid order with custom stamps waits for the brand to approve them
    before it launches unlabeled (days after payment)."""
    stamp_reminder_days: float = Field(default=3.0, ge=0)
    """How long before that the brand is reminded (days)."""
    stamp_hold_check_seconds: float = Field(default=300.0, gt=0)
    """How often orders waiting for stamps are checked (released, reminded)."""

    @property
    def stamp_hold(self) -> HoldPolicy:
        return HoldPolicy(
            hold=timedelta(days=self.stamp_hold_days),
            reminder_before=timedelta(days=min(self.stamp_reminder_days, self.stamp_hold_days)),
        )
