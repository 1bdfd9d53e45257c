"""Where each part of the system listens by default: the one table that the local stack
(``bespoke stack``), every service's settings defaults and the Kubernetes manifests are
made from. Each value can still be overridden where it is used (``BESPOKE_*`` variables)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

LOCAL_HOST: Final = "127.0.0.1"
"""The local stack binds every server to loopback only."""

SERVICE_PORTS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "gateway": 8000,
        "design": 8101,
        "orders": 8102,
        "payments": 8103,
        "shipping": 8104,
        "notifications": 8105,
    }
)
"""Each service's HTTP port, locally and in its container."""

CALLERS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "design": ("gateway", "orders", "notifications"),
        "orders": ("gateway",),
        "payments": ("gateway",),
        "shipping": ("gateway", "orders"),
        "notifications": ("gateway",),
    }
)
"""Which services call which: each service trusts credentials signed by these callers
only (``bespoke_platform.credentials``), and its NetworkPolicy lets only them in."""

CALLS_LIMITED: Final[Mapping[tuple[str, str], tuple[tuple[str, str], ...]]] = MappingProxyType(
    {
        # Notifications reads one thing of design: the drawing an order email shows.
        ("design", "notifications"): (("GET", r"/internal/designs/[^/]+/preview\.svg"),),
    }
)
"""(service, caller) → the only (method, path pattern) calls ``service`` answers from that
caller, whatever its credential says; a pair not listed may call every route."""

SIGNERS: Final[tuple[str, ...]] = tuple(
    sorted({caller for callers in CALLERS.values() for caller in callers})
)
"""The services that call others, so sign their calls with a key of their own."""

KAFKA_PORT: Final = 9092
KAFKA_CONTROLLER_PORT: Final = 9093
KAFKA_TLS_PORT: Final = 9094
MONGODB_PORT: Final = 27017
STRIPE_MOCK_PORT: Final = 12111
STRIPE_MOCK_HTTPS_PORT: Final = 12112
MAILPIT_SMTP_PORT: Final = 1025
MAILPIT_HTTP_PORT: Final = 8025


METRICS_PORT_OFFSET: Final = 1000
"""Each service serves its Prometheus metrics on a port of its own, this far above its
HTTP port (8102 -> 9102), so scrapers reach the metrics and nothing else."""


def metrics_port(service: str) -> int:
    return SERVICE_PORTS[service] + METRICS_PORT_OFFSET


def local_url(service: str) -> str:
    """A service's internal API on the local stack, e.g. ``http://127.0.0.1:8101``."""
    return f"http://{LOCAL_HOST}:{SERVICE_PORTS[service]}"
