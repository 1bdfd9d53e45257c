"""`bespoke-shipping` / `python -m bespoke_shipping`: run the shipping service."""

from __future__ import annotations

from bespoke_platform.serving import serve
from bespoke_shipping.bootstrap import bootstrap
from bespoke_shipping.entrypoints.http import create_app


def run() -> None:
    runtime = bootstrap()
    serve(create_app(runtime), runtime.settings.http_host, runtime.settings.http_port, "shipping")
