"""`bespoke-orders` / `python -m bespoke_orders`: run the orders service."""

from __future__ import annotations

from bespoke_orders.bootstrap import bootstrap
from bespoke_orders.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    settings = runtime.settings
    serve(
        create_app(runtime),
        settings.http_host,
        settings.http_port,
        "orders",
        metrics_port=settings.metrics_port,
    )
