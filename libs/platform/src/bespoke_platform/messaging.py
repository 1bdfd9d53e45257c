"""Kafka consumer plumbing shared by every service.

The rules (docs/architecture.md, "Guarantees"): offsets are committed after the effect
is durable (subscribers use ``AckPolicy.ACK``, so FastStream commits after the handler
returns); transient failures retry with backoff; a message that cannot be processed
(poison) goes to ``<topic>.dlq`` with the error, and consumption continues.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry.trace import Status, StatusCode
from pydantic import ValidationError

from bespoke_contracts import Envelope, dead_letter_topic
from bespoke_platform import observability, tracing

log = logging.getLogger(__name__)

EventT = TypeVar("EventT")


class PoisonMessage(Exception):
    """Processing this message can never succeed; park it in the dead-letter topic."""


class RawPublisher(Protocol):
    async def publish(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None: ...


class ReceivedMessage(Protocol):
    """What we need of a consumed Kafka record."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


async def consume(
    record: ReceivedMessage,
    parse: Callable[[bytes], EventT],
    handle: Callable[[EventT], Awaitable[None]],
    dead_letters: RawPublisher,
    attempts: int = 5,
    first_delay: float = 0.5,
) -> None:
    """Parse and handle one record; retry transient failures; dead-letter the rest.

    Returns normally in every case but a cancelled task, so the offset is committed and
    the partition moves on. ``handle`` must be idempotent: a crash before the commit
    redelivers the record.
    """
    try:
        event = parse(record.value or b"")
    except (ValidationError, ValueError) as error:
        await _dead_letter(record, dead_letters, f"invalid event: {error}", attempts=0)
        return
    event_id = str(getattr(event, "event_id", ""))
    span_attributes = {
        "messaging.message.id": event_id,
        "messaging.destination.partition.id": str(record.partition),
        "messaging.kafka.offset": record.offset,
    }
    with (
        observability.bound(
            topic=record.topic,
            event_id=event_id,
            correlation_id=getattr(event, "correlation_id", None),
        ),
        tracing.consumer_span(record.topic, record.headers, span_attributes) as span,
    ):
        started = time.perf_counter()
        outcome = await _handle(record, event, handle, dead_letters, attempts, first_delay)
        span.set_attribute("bespoke.outcome", outcome)
        if outcome != "handled":
            span.set_status(Status(StatusCode.ERROR, outcome))
        observability.EVENT_HANDLING.labels(record.topic).observe(time.perf_counter() - started)
        observability.EVENTS_CONSUMED.labels(record.topic, outcome).inc()


async def _handle(
    record: ReceivedMessage,
    event: EventT,
    handle: Callable[[EventT], Awaitable[None]],
    dead_letters: RawPublisher,
    attempts: int,
    first_delay: float,
) -> str:
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            await handle(event)
            return "handled"
        except PoisonMessage as error:
            await _dead_letter(record, dead_letters, str(error), attempts=attempt)
            return "dead-lettered"
        except Exception as error:
            if attempt == attempts:
                await _dead_letter(
                    record, dead_letters, f"{type(error).__name__}: {error}", attempts=attempt
                )
                return "dead-lettered"
            log.warning(
                "handling %s[%d]@%d failed (attempt %d/%d), retrying in %.1fs: %s",
                record.topic,
                record.partition,
                record.offset,
                attempt,
                attempts,
                delay,
                error,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
    return "dead-lettered"  # not reached: the last attempt returns above


async def _dead_letter(
    record: ReceivedMessage, publisher: RawPublisher, error: str, attempts: int
) -> None:
    topic = dead_letter_topic(record.topic)
    observability.DEAD_LETTERS.labels(record.topic).inc()
    log.error(
        "parking %s[%d]@%d in %s: %s", record.topic, record.partition, record.offset, topic, error
    )
    await publisher.publish(
        topic,
        record.key,
        record.value or b"",
        {
            "dlq-error": error[:2000],
            "dlq-source-topic": record.topic,
            "dlq-source-partition": str(record.partition),
            "dlq-source-offset": str(record.offset),
            "dlq-attempts": str(attempts),
            "dlq-failed-at": datetime.now(UTC).isoformat(),
        },
    )


EnvelopeT = TypeVar("EnvelopeT", bound=Envelope[Any])


def subscribe_event(
    broker: KafkaBroker,
    event_type: type[EnvelopeT],
    group_id: str,
    handle: Callable[[EnvelopeT], Awaitable[None]],
    dead_letters: RawPublisher,
    description: str,
    instance_id: str = "",
) -> None:
    """Subscribe ``handle`` to the topic of ``event_type`` with the delivery rules above:
    commit after the handler's effect (``AckPolicy.ACK``), retries, dead letters. With
    ``instance_id`` the consumer is a static member of its group, named by it and the
    topic (each topic has a consumer of its own)."""
    topic = event_type.TOPIC

    @broker.subscriber(
        topic,
        group_id=group_id,
        group_instance_id=f"{instance_id}/{topic}" if instance_id else None,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        title=f"{group_id}/{topic}",
        description=description,
    )
    async def on_message(message: KafkaMessage) -> None:
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        await consume(record, event_type.from_json, handle, dead_letters)
        if isinstance(message.consumer, AIOKafkaConsumer):  # not in-memory test brokers
            observability.record_lag(
                group_id, record.topic, record.partition, record.offset, message.consumer
            )


DepsT = TypeVar("DepsT")

Subscription = tuple[type[Envelope[Any]], Callable[[Any, DepsT], Awaitable[object]], str]
"""An event type, the handler ``(event, deps)`` that applies it, and what it does (for
the AsyncAPI document)."""


def subscribe_all(
    broker: KafkaBroker,
    group_id: str,
    dead_letters: RawPublisher,
    deps: Callable[[], DepsT],
    subscriptions: Sequence[Subscription[DepsT]],
    around: Callable[[Awaitable[object]], Awaitable[None]] | None = None,
    instance_id: str = "",
) -> None:
    """:func:`subscribe_event` for each subscription of a service. ``deps`` is read at each
    event; ``around`` (if any) wraps each handler's work, e.g. to dead-letter refusals;
    ``instance_id``: the replica's static membership name (empty: dynamic)."""
    for event_type, handler, description in subscriptions:

        async def handle(
            event: Any, handler: Callable[[Any, DepsT], Awaitable[object]] = handler
        ) -> None:
            work = handler(event, deps())
            if around is None:
                await work
            else:
                await around(work)

        subscribe_event(
            broker, event_type, group_id, handle, dead_letters, description, instance_id
        )
