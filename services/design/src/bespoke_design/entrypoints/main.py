"""`bespoke-design` / `python -m bespoke_design`: run the design service."""

from __future__ import annotations

from bespoke_design.bootstrap import bootstrap
from bespoke_design.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    settings = runtime.settings
    serve(
        create_app(runtime),
        settings.http_host,
        settings.http_port,
        "design",
        metrics_port=settings.metrics_port,
    )
