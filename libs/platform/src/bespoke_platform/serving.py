"""Run a service's ASGI app as a process: JSON logs to stdout, traces (exported over OTLP
when configured), graceful stop on SIGTERM."""

from __future__ import annotations

import uvicorn
from litestar import Litestar
from prometheus_client import start_http_server

from bespoke_platform.observability import configure_logging
from bespoke_platform.process import freeze_startup
from bespoke_platform.tracing import configure_tracing


def serve(
    app: Litestar,
    host: str,
    port: int,
    service: str = "bespoke",
    trusted_proxies: str = "127.0.0.1",
    metrics_port: int = 0,
) -> None:
    """Serve until SIGTERM/SIGINT; in-flight requests and the app's lifespan finish first.
    ``trusted_proxies``: the addresses whose `X-Forwarded-For`/`-Proto` say who the client
    is and whether it came over https (comma-separated, or `*`). ``metrics_port``: where
    Prometheus reads ``GET /metrics``, apart from the API (0: nowhere)."""
    configure_logging(service)
    configure_tracing(service)
    if metrics_port:
        start_http_server(metrics_port, addr=host)
    freeze_startup()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        log_config=None,  # keep our JSON logging
        access_log=False,
        timeout_graceful_shutdown=10,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
    )
