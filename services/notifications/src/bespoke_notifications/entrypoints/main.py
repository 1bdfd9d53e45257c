"""`bespoke-notifications` / `python -m bespoke_notifications`: run the notifications service."""

from __future__ import annotations

from bespoke_notifications.bootstrap import bootstrap
from bespoke_notifications.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    settings = runtime.settings
    serve(
        create_app(runtime),
        settings.http_host,
        settings.http_port,
        "notifications",
        metrics_port=settings.metrics_port,
    )
