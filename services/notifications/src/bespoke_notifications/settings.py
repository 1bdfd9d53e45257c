"""Notifications configuration, from `BESPOKE_NOTIFICATIONS_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.addresses import (
    LOCAL_HOST,
    MAILPIT_SMTP_PORT,
    SERVICE_PORTS,
    local_url,
    metrics_port,
)
from bespoke_platform.settings import KafkaServiceSettings


class NotificationsSettings(KafkaServiceSettings):
    """Defaults point at the local stack (`make up`): Mailpit takes the SMTP traffic."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_NOTIFICATIONS_", extra="ignore")

    http_port: int = SERVICE_PORTS["notifications"]
    metrics_port: int = metrics_port("notifications")
    mongodb_database: str = "bespoke_notifications"
    consumer_group: str = "notifications"
    smtp_host: str = LOCAL_HOST
    smtp_port: int = MAILPIT_SMTP_PORT
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    """Upgrade the connection with STARTTLS (submission port 587)."""
    smtp_tls: bool = False
    """Connect with implicit TLS (port 465)."""
    smtp_timeout_seconds: float = 15.0
    mail_from: str = "Bespoke Factory <orders@bespokefactory.local>"
    backoffice_url: str = local_url("gateway")
    """Links in emails point here."""
    design_url: str = local_url("design")
    """The design service, which draws the shoe an order email shows."""
    upstream_timeout_seconds: float = 5.0
    """How long the drawing may take before the email goes without it."""
    retry_first_delay_seconds: float = 1.0
    retry_max_delay_seconds: float = 60.0
    give_up_after_seconds: float = 3600.0
    """An email SMTP has not accepted after this long is recorded as failed."""
    sending_lease_seconds: float = 120.0
    courier_poll_seconds: float = 1.0
