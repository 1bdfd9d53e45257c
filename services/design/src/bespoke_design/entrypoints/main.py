"""`bespoke-design` / `python -m bespoke_design`: run the design service."""

from __future__ import annotations

from bespoke_design.bootstrap import bootstrap
from bespoke_design.entrypoints.http import create_app
from bespoke_platform.serving import serve


def run() -> None:
    runtime = bootstrap()
    serve(create_app(runtime), runtime.settings.http_host, runtime.settings.http_port, "design")
