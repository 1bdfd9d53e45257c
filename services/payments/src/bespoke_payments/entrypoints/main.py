"""`bespoke-payments` / `python -m bespoke_payments`: run the payments service."""

from __future__ import annotations

from bespoke_payments.bootstrap import bootstrap
from bespoke_payments.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    settings = runtime.settings
    serve(
        create_app(runtime),
        settings.http_host,
        settings.http_port,
        "payments",
        metrics_port=settings.metrics_port,
    )
