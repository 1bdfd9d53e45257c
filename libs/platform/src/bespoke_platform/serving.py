"""Run a service's ASGI app as a process: JSON logs to stdout, traces (exported over OTLP
when configured), graceful stop on SIGTERM."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from bespoke_platform.observability import configure_logging
from bespoke_platform.tracing import configure_tracing


def serve(app: Litestar, host: str, port: int, service: str = "bespoke") -> None:
    """Serve until SIGTERM/SIGINT; in-flight requests and the app's lifespan finish first."""
    configure_logging(service)
    configure_tracing(service)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        log_config=None,  # keep our JSON logging
        access_log=False,
        timeout_graceful_shutdown=10,
    )
