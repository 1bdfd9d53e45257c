"""`bespoke-gateway` / `python -m bespoke_gateway`: run the public API."""

from __future__ import annotations

from bespoke_gateway.bootstrap import bootstrap
from bespoke_gateway.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    serve(create_app(runtime), runtime.settings.http_host, runtime.settings.http_port, "gateway")
