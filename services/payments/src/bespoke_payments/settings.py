"""Payments service configuration, from `BESPOKE_PAYMENTS_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_PAYMENTS_", extra="ignore")

    http_port: int = 8103
    mongodb_database: str = "bespoke_payments"
