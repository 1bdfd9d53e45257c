"""Payments configuration, from `BESPOKE_PAYMENTS_*` environment variables."""

from __future__ import annotations

from urllib.parse import urlparse

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from bespoke_platform.addresses import LOCAL_HOST, SERVICE_PORTS, STRIPE_MOCK_PORT, metrics_port
from bespoke_platform.settings import KafkaServiceSettings

LOCAL_API_KEY = "sk_test_51BespokeLocalStackOnly"
LOCAL_WEBHOOK_SECRET = "whsec_bespoke_local_only"  # noqa: S105 - public, stripe-mock only


class PaymentsSettings(KafkaServiceSettings):
    """Defaults point at the local stack (`make up`): stripe-mock and a local webhook secret."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_PAYMENTS_", extra="ignore")

    http_port: int = SERVICE_PORTS["payments"]
    metrics_port: int = metrics_port("payments")
    mongodb_database: str = "bespoke_payments"
    consumer_group: str = "payments"
    stripe_api_key: str = LOCAL_API_KEY
    stripe_api_base: str = f"http://{LOCAL_HOST}:{STRIPE_MOCK_PORT}"
    stripe_proxy: str | None = None
    """An HTTP proxy for Stripe's API (``http://host:port``): in Kubernetes, the egress
    proxy that lets out only Stripe's names, as Stripe's addresses change."""
    stripe_webhook_secret: str = LOCAL_WEBHOOK_SECRET
    """Signs webhooks; the local value is public, production reads its secret from the env."""
    stripe_webhook_tolerance_seconds: int = 300
    outbox_poll_seconds: float = 2.0
    vies_url: str = ""
    """VIES's VAT-number check (e.g.
    `https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number`); empty: none."""
    vies_timeout_seconds: float = 3.0
    refund_sweep_seconds: float = 60.0
    """How often refunds left owed (Stripe down, a crash between owing and making them)
    are made."""
    seller_name: str = "Bespoke Footwear Factory S.L."
    """The factory as its invoices name it."""
    seller_address: list[str] = [
        "Polígono Industrial Campo Alto, Calle Italia 12",
        "03600 Elda (Alicante)",
        "Spain",
    ]
    """Its address, one line per item (JSON in the environment)."""
    seller_country: str = "ES"
    seller_vat_id: str = "ESB12345674"
    """Its VAT number, printed on every invoice (the default is a well-formed example)."""

    @property
    def live(self) -> bool:
        """A live Stripe key: real money (test keys start `sk_test_`, `rk_test_`)."""
        return self.stripe_api_key.startswith(("sk_live_", "rk_live_"))

    @model_validator(mode="after")
    def _no_local_secrets_against_real_stripe(self) -> PaymentsSettings:
        """The public local key and webhook secret work only against stripe-mock on this
        machine: pointed at any other Stripe, the service refuses to start without real
        ones (a known webhook secret would let anyone forge a payment)."""
        host = urlparse(self.stripe_api_base).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            return self
        missing = [
            name
            for name, value, local in (
                ("STRIPE_WEBHOOK_SECRET", self.stripe_webhook_secret, LOCAL_WEBHOOK_SECRET),
                ("STRIPE_API_KEY", self.stripe_api_key, LOCAL_API_KEY),
            )
            if not value or value == local
        ]
        if missing:
            raise ValueError(
                f"payments against {self.stripe_api_base} needs its own "
                + " and ".join(f"BESPOKE_PAYMENTS_{m}" for m in missing)
                + " (the local defaults are public)"
            )
        return self
