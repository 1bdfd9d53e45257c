"""`bespoke-orders` / `python -m bespoke_orders`: run the orders service."""

from __future__ import annotations

from bespoke_orders.bootstrap import bootstrap
from bespoke_orders.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    serve(create_app(runtime), runtime.settings.http_host, runtime.settings.http_port, "orders")
