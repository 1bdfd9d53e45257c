"""Payments configuration, from `BESPOKE_PAYMENTS_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.addresses import LOCAL_HOST, SERVICE_PORTS, STRIPE_MOCK_PORT
from bespoke_platform.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """Defaults point at the local stack (`make up`): stripe-mock and a local webhook secret."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_PAYMENTS_", extra="ignore")

    http_port: int = SERVICE_PORTS["payments"]
    mongodb_database: str = "bespoke_payments"
    consumer_group: str = "payments"
    stripe_api_key: str = "sk_test_51BespokeLocalStackOnly"
    stripe_api_base: str = f"http://{LOCAL_HOST}:{STRIPE_MOCK_PORT}"
    stripe_webhook_secret: str = "whsec_bespoke_local_only"  # noqa: S105 - local-only default
    """Signs webhooks; the local value is public, production reads its secret from the env."""
    stripe_webhook_tolerance_seconds: int = 300
    outbox_poll_seconds: float = 0.5
