"""Notifications configuration, from `BESPOKE_NOTIFICATIONS_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Defaults point at the local stack (`make up`): Mailpit takes the SMTP traffic."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_NOTIFICATIONS_", extra="ignore")

    http_port: int = 8105
    mongodb_database: str = "bespoke_notifications"
    consumer_group: str = "notifications"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Bespoke Factory <orders@bespokefactory.local>"
    backoffice_url: str = "http://127.0.0.1:8000"
