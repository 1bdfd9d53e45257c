"""`bespoke-notifications` / `python -m bespoke_notifications`: run the notifications service."""

from __future__ import annotations

from bespoke_notifications.bootstrap import bootstrap
from bespoke_notifications.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    serve(
        create_app(runtime), runtime.settings.http_host, runtime.settings.http_port, "notifications"
    )
