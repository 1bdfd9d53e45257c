"""Run a service's ASGI app as a process: logs to stdout, graceful stop on SIGTERM."""

from __future__ import annotations

import logging

import uvicorn
from litestar import Litestar


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # The Kafka client is chatty about routine reconnects and rebalances.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def serve(app: Litestar, host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT; in-flight requests and the app's lifespan finish first."""
    configure_logging()
    uvicorn.run(
        app, host=host, port=port, log_level="info", access_log=False, timeout_graceful_shutdown=10
    )
