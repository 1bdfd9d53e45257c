"""`bespoke-shipping` / `python -m bespoke_shipping`: run the shipping service."""

from __future__ import annotations

from bespoke_platform.serving import serve
from bespoke_shipping.bootstrap import bootstrap
from bespoke_shipping.entrypoints.http import create_app


def run() -> None:
    runtime = bootstrap()
    settings = runtime.settings
    serve(
        create_app(runtime),
        settings.http_host,
        settings.http_port,
        "shipping",
        metrics_port=settings.metrics_port,
    )
