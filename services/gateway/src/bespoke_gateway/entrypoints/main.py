"""`bespoke-gateway` / `python -m bespoke_gateway`: run the public API."""

from __future__ import annotations

from bespoke_gateway.bootstrap import bootstrap
from bespoke_gateway.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    settings = runtime.settings
    serve(
        create_app(runtime),
        settings.http_host,
        settings.http_port,
        "gateway",
        trusted_proxies=settings.trusted_proxies,
        metrics_port=settings.metrics_port,
    )
