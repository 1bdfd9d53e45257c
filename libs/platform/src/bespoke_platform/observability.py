"""What operators see: JSON logs with request and correlation ids, and Prometheus metrics.

Logs: every record (ours, Litestar's, uvicorn's, FastStream's, aiokafka's) is one JSON
object on stdout with ``timestamp``, ``level``, ``logger``, ``service``, ``event`` and,
when set, ``request_id`` (HTTP requests) or ``correlation_id``/``event_id``/``topic``
(consumed events), bound in context variables by the platform, and ``trace_id``/``span_id``
of the current span (see :mod:`bespoke_platform.tracing`).

Metrics (``GET /metrics`` on every service's metrics port, apart from its API; Prometheus
text format):
``bespoke_http_request_duration_seconds`` (method, route, status),
``bespoke_events_consumed_total`` (topic, outcome), ``bespoke_event_handling_seconds``
(topic), ``bespoke_consumer_lag`` (group, topic, partition),
``bespoke_dead_letters_total`` (topic), ``bespoke_outbox_backlog``
(collection: documents waiting to be published), ``bespoke_outbox_published_total``
(collection), ``bespoke_mongo_command_seconds`` (command, database, outcome: every
database command this process sent, timed on the client side).
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Protocol

import structlog
from aiokafka import TopicPartition
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from bespoke_platform.tracing import log_ids

HTTP_DURATION = Histogram(
    "bespoke_http_request_duration_seconds",
    "HTTP request duration.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_CONSUMED = Counter(
    "bespoke_events_consumed_total", "Events consumed, by outcome.", ["topic", "outcome"]
)
EVENT_HANDLING = Histogram(
    "bespoke_event_handling_seconds", "Time to handle one consumed event.", ["topic"]
)
DEAD_LETTERS = Counter(
    "bespoke_dead_letters_total", "Messages parked in a dead-letter topic.", ["topic"]
)
CONSUMER_LAG = Gauge(
    "bespoke_consumer_lag",
    "Messages of a partition not yet handled by this consumer (high watermark minus the "
    "next offset), as of the last message handled.",
    ["group", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge(
    "bespoke_outbox_backlog", "Documents with events waiting to be published.", ["collection"]
)
OUTBOX_PUBLISHED = Counter(
    "bespoke_outbox_published_total", "Events published from the outbox.", ["collection"]
)
MONGO_COMMANDS = Histogram(
    "bespoke_mongo_command_seconds",
    "Database commands sent, by command name, database and outcome, timed on the client.",
    ["command", "database", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)


class Watermarks(Protocol):
    def highwater(self, partition: TopicPartition) -> int | None: ...


def record_lag(group: str, topic: str, partition: int, offset: int, consumer: Watermarks) -> None:
    """After handling the message at ``offset``: how many more wait in its partition (the
    consumer learns the partition's high watermark with each fetch)."""
    highwater = consumer.highwater(TopicPartition(topic, partition))
    if highwater is not None:
        CONSUMER_LAG.labels(group, topic, str(partition)).set(max(highwater - offset - 1, 0))


def metrics_text() -> tuple[bytes, str]:
    """The current metrics and their content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON logs on stdout for every logger of the process."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        log_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        lambda _, __, event: {**event, "service": service},
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "faststream", "faststream.access.kafka"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # The Kafka client is chatty about routine reconnects and rebalances.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


bound = structlog.contextvars.bound_contextvars
