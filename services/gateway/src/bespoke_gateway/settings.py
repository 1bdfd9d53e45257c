"""Gateway configuration, from `BESPOKE_GATEWAY_*` environment variables."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bespoke_platform.addresses import SERVICE_PORTS, local_url, metrics_port
from bespoke_platform.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Defaults point at the local stack (`make up`)."""

    model_config = SettingsConfigDict(env_prefix="BESPOKE_GATEWAY_", extra="ignore")

    http_port: int = SERVICE_PORTS["gateway"]
    metrics_port: int = metrics_port("gateway")
    mongodb_database: str = "bespoke_gateway"
    design_url: str = local_url("design")
    orders_url: str = local_url("orders")
    payments_url: str = local_url("payments")
    shipping_url: str = local_url("shipping")
    notifications_url: str = local_url("notifications")
    """Where invitation and password-reset emails are queued."""
    upstream_timeout_seconds: float = 10.0
    token_remember_seconds: float = 60.0
    """How long a checked brand token is answered from memory (0: read it every time)."""
    token_notice_seconds: float = 1.0
    """How often the notices of replaced and revoked brand tokens, and of changed users and
    operators, are read: the longest a revoked token, or a deactivated user's session,
    still works on this gateway."""
    person_remember_seconds: float = 60.0
    """How long the user or operator behind a session or API token is answered from
    memory, unless a notice of a change to them is read (0: read them every time)."""
    rate_limit_per_second: float = 50.0
    """Requests a second each token may make on average (per gateway process)."""
    payment_simulation_secret: str | None = None
    """Local stacks only (stripe-mock): the payments service's webhook secret, which lets
    the web UI show "Simulate successful payment". Never set where real Stripe is used."""
    rate_limit_burst: int = 100
    """Requests a token may make at once before the average applies."""
    rate_limit_per_address_per_second: float = 200.0
    """Requests a second one client address may make on average, whatever it sends
    (checked before any credential, per gateway process)."""
    rate_limit_per_address_burst: int = 400
    """Requests one client address may make at once before the average applies."""
    trusted_proxies: str = "127.0.0.1"
    """Addresses whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (the client's
    address counts failed sign-ins; https makes the session cookie `Secure`). In a cluster:
    the ingress controller's, or `*` where only it can reach the gateway."""
    session_idle_seconds: float = 8 * 3600
    """A browser session unused this long ends (8 hours)."""
    session_absolute_seconds: float = 7 * 86400
    """A browser session ends this long after sign-in, however used (7 days)."""
    sign_in_free_failures_per_email: int = 5
    """Failed sign-ins for one email before each further one doubles the wait."""
    sign_in_free_failures_per_address: int = 50
    """Failed sign-ins from one client address before each further one doubles the wait."""
    sign_in_longest_wait_seconds: float = 900
    """The longest wait (a temporary lock); failures older than it count no more."""
    invitation_lasts_seconds: float = 72 * 3600
    """An invitation's link works this long (72 hours), once."""
    reset_link_lasts_seconds: float = 3600
    """A password-reset link works this long (1 hour), once."""
