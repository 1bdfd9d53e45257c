"""Kafka consumer plumbing shared by every service.

The rules (docs/architecture.md, "Guarantees"): a service reads all its topics with one
consumer, whose records :class:`PartitionWorkers` handles partition by partition and
commits after their effects are durable; transient failures retry with backoff; a
message that cannot be processed (poison) goes to ``<topic>.dlq`` with the error, and
consumption continues.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from faststream.message import StreamMessage
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


DepsT = TypeVar("DepsT")

Subscription = tuple[type[Envelope[Any]], Callable[[Any, DepsT], Awaitable[object]], str]
"""An event type, the handler ``(event, deps)`` that applies it, and what it does (for
the AsyncAPI document)."""


class Committer(Protocol):
    """What the workers need of a Kafka consumer: committing a partition's next offset."""

    async def commit(self, offsets: dict[TopicPartition, int]) -> None: ...


RecordHandler = Callable[[ConsumerRecord[bytes, bytes]], Awaitable[None]]


@dataclass(eq=False)
class _Partition:
    consumer: Committer
    handle: RecordHandler
    queue: asyncio.Queue[ConsumerRecord[bytes, bytes] | None]
    task: asyncio.Task[None] | None = None
    done: int | None = None
    """The next offset after the records handled so far (what a commit says)."""
    committed: int | None = None
    since_commit: int = 0
    commit_due: float = 0.0
    """When ``done`` is to be committed (``time.monotonic()``), while it is not yet."""


class PartitionWorkers:
    """Handles a consumer's records partition by partition, each partition in a task of
    its own: a partition's records in order (so one key's events stay in order), the
    partitions side by side, so a record whose handler waits for another topic's event
    (shipping's payment for an order it has not heard of yet) never holds that event up.

    A partition's offset is committed after its records' effects, ``commit_seconds``
    after the first record handled since the last commit (or after ``commit_every``
    records, if sooner), and once more when the partition is revoked or the service
    stops. So a commit carries every record handled in that time: one commit request per
    partition a second, not one per record, which is most of what a steady trickle of
    events costs the broker. A crash loses at most that second's commits, which only
    redelivers records whose effects were already made (handlers are idempotent). A
    queue holds at most ``depth`` records: a busy partition slows the fetching of the
    others, never the other way round.
    """

    def __init__(
        self,
        depth: int = 100,
        commit_every: int = 50,
        commit_seconds: float = 1.0,
        grace: float = 10.0,
        again: float = 1.0,
    ) -> None:
        self.depth = depth
        self.commit_every = commit_every
        self.commit_seconds = commit_seconds
        self.grace = grace
        """How long a revoked partition's record being handled may take to finish."""
        self.again = again
        """Seconds before a failed commit, or a record whose handling escaped, is retried."""
        self._partitions: dict[TopicPartition, _Partition] = {}
        self._closed = False

    async def submit(
        self, record: ConsumerRecord[bytes, bytes], consumer: Committer, handle: RecordHandler
    ) -> None:
        """Queue ``record`` for its partition's worker (waiting while that queue is full)."""
        if self._closed:
            return  # stopping: the record is fetched again after the restart
        tp = TopicPartition(record.topic, record.partition)
        partition = self._partitions.get(tp)
        if partition is None or partition.consumer is not consumer:
            partition = _Partition(consumer, handle, asyncio.Queue(self.depth))
            partition.task = asyncio.create_task(self._work(tp, partition))
            self._partitions[tp] = partition
        await partition.queue.put(record)

    async def _work(self, tp: TopicPartition, partition: _Partition) -> None:
        while True:
            try:
                if partition.done != partition.committed:
                    due = partition.commit_due - time.monotonic()
                    record = await asyncio.wait_for(partition.queue.get(), max(due, 0.0))
                else:
                    record = await partition.queue.get()
            except TimeoutError:  # the records handled are due to be committed
                await self._commit(tp, partition)
                continue
            if record is None:  # retired
                await self._commit(tp, partition)
                return
            await self._handle(partition, record)
            if partition.done == partition.committed:  # the first since the last commit
                partition.commit_due = time.monotonic() + self.commit_seconds
            partition.done = record.offset + 1
            partition.since_commit += 1
            if (
                partition.since_commit >= self.commit_every
                or time.monotonic() >= partition.commit_due
            ):
                await self._commit(tp, partition)

    async def _handle(self, partition: _Partition, record: ConsumerRecord[bytes, bytes]) -> None:
        """``handle`` settles every failure of a handler itself (retries, dead letters);
        what still escapes (the dead-letter topic cannot be written) waits and tries the
        same record again, so the partition never moves past a record it did not settle."""
        while True:
            try:
                await partition.handle(record)
                return
            except Exception:
                log.exception(
                    "could not settle %s[%d]@%d; trying again in %.0f s",
                    record.topic,
                    record.partition,
                    record.offset,
                    self.again,
                )
                await asyncio.sleep(self.again)

    async def _commit(self, tp: TopicPartition, partition: _Partition) -> None:
        done = partition.done
        if done is None or done == partition.committed:
            return
        try:
            await partition.consumer.commit({tp: done})
        except Exception as error:  # Kafka away or a rebalance: retried, or redelivered
            log.warning("committing %s[%d] at %d failed: %s", tp.topic, tp.partition, done, error)
            partition.commit_due = time.monotonic() + self.again
            return
        partition.committed = done
        partition.since_commit = 0

    async def revoke(self, partitions: Collection[TopicPartition]) -> None:
        """Stop working on ``partitions`` (another member takes them): drop what is still
        queued, let the record in hand finish (up to ``grace`` seconds), commit."""
        retiring = [self._partitions.pop(tp) for tp in partitions if tp in self._partitions]
        await asyncio.gather(*(self._retire(partition) for partition in retiring))

    async def _retire(self, partition: _Partition) -> None:
        while not partition.queue.empty():
            partition.queue.get_nowait()
        partition.queue.put_nowait(None)
        if partition.task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(partition.task), self.grace)
        except TimeoutError:
            partition.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await partition.task

    async def stop(self) -> None:
        """Before the consumer stops: every partition retired, its last offsets committed."""
        self._closed = True
        await self.revoke(list(self._partitions))


class _Revoking(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, workers: PartitionWorkers) -> None:
        self.workers = workers

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self.workers.revoke(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        return None


async def _the_message(message: StreamMessage[Any]) -> StreamMessage[Any]:
    """FastStream's decoder: the handler's argument is the message itself. (The handler
    that asks for the message by annotation, ``KafkaMessage``, has FastStream's
    dependency injection fetch it in a worker thread: a hand-off and two wake-ups per
    record. The record's bytes are parsed by its event type.)"""
    return message


def subscribe_all(
    broker: KafkaBroker,
    group_id: str,
    dead_letters: RawPublisher,
    deps: Callable[[], DepsT],
    subscriptions: Sequence[Subscription[DepsT]],
    around: Callable[[Awaitable[object]], Awaitable[None]] | None = None,
    instance_id: str = "",
    workers: PartitionWorkers | None = None,
) -> PartitionWorkers:
    """Subscribe a service to all its events with one Kafka consumer, a member of its
    group ``group_id``: one member per replica, so a replica that starts or restarts
    settles its group once, not once per topic. Its records are handled by ``workers``
    (:class:`PartitionWorkers`, returned: stop it before the broker) with the delivery
    rules above: commit after the handler's effect, retries, dead letters.

    ``deps`` is read at each event; ``around`` (if any) wraps each handler's work, e.g. to
    dead-letter refusals; with ``instance_id`` (the replica's stable name) the consumer is
    a static member of its group, so a restarted replica takes its partitions back at
    once. FastStream's in-memory test broker has no partitions or offsets: its records
    are handled in line."""
    workers = workers or PartitionWorkers()
    routes: dict[str, tuple[type[Envelope[Any]], Callable[[Any, DepsT], Awaitable[object]]]] = {
        event_type.TOPIC: (event_type, handler) for event_type, handler, _ in subscriptions
    }

    async def handle_record(record: ConsumerRecord[bytes, bytes]) -> None:
        event_type, handler = routes[record.topic]

        async def handle(event: Any) -> None:
            work = handler(event, deps())
            if around is None:
                await work
            else:
                await around(work)

        await consume(record, event_type.from_json, handle, dead_letters)

    @broker.subscriber(
        *routes,
        decoder=_the_message,
        group_id=group_id,
        group_instance_id=instance_id or None,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,  # the workers commit each partition's offsets
        listener=_Revoking(workers),
        title=group_id,
        # One line per topic; the AsyncAPI document gives each channel its own line.
        description="\n".join(f"{e.TOPIC}: {what}" for e, _, what in subscriptions),
    )
    async def on_message(message: Any) -> None:
        assert isinstance(message, KafkaMessage)
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        consumer = message.consumer
        if not isinstance(consumer, AIOKafkaConsumer):
            await handle_record(record)
            return

        async def handle_then_note_lag(record: ConsumerRecord[bytes, bytes]) -> None:
            await handle_record(record)
            observability.record_lag(
                group_id, record.topic, record.partition, record.offset, consumer
            )

        await workers.submit(record, consumer, handle_then_note_lag)

    return workers
