"""PartitionWorkers: each partition's records in order, partitions side by side, offsets
committed only past handled records (unit level: a fake consumer records the commits)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeAlias

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaConnectionError

from bespoke_platform.messaging import PartitionWorkers

Record: TypeAlias = ConsumerRecord[bytes, bytes]


def record(topic: str, partition: int, offset: int) -> Record:
    return ConsumerRecord(topic, partition, offset, 0, 0, b"key", b"{}", None, 3, 2, [])


class Consumer:
    """Remembers the offsets committed; the first ``failures`` commits fail."""

    def __init__(self, failures: int = 0) -> None:
        self.committed: dict[TopicPartition, int] = {}
        self.failures = failures
        self.commits = 0

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.failures:
            self.failures -= 1
            raise KafkaConnectionError("coordinator away")
        self.committed.update(offsets)
        self.commits += 1


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the workers run in their own tasks
            await asyncio.sleep(0.005)


PAID = TopicPartition("payment.cleared", 1)
SUBMITTED = TopicPartition("order.submitted", 4)


async def test_a_record_waiting_for_another_topics_event_does_not_hold_it_up() -> None:
    """Shipping hears of a payment before the order it pays: its handler waits for the
    order's event, which a consumer handling one record at a time would never reach."""
    workers, consumer = PartitionWorkers(), Consumer()
    order_known = asyncio.Event()
    handled: list[tuple[str, int]] = []

    async def handle(r: Record) -> None:
        if r.topic == PAID.topic:
            await order_known.wait()
        else:
            order_known.set()
        handled.append((r.topic, r.offset))

    async with asyncio.timeout(5):  # handled one at a time, the payment would wait forever
        await workers.submit(record(PAID.topic, PAID.partition, 7), consumer, handle)
        await workers.submit(record(SUBMITTED.topic, SUBMITTED.partition, 3), consumer, handle)

    await until(lambda: len(handled) == 2)
    assert handled == [("order.submitted", 3), ("payment.cleared", 7)]
    await until(lambda: consumer.committed == {PAID: 8, SUBMITTED: 4})
    await workers.stop()


async def test_a_partitions_records_are_handled_in_order_and_committed_only_once_handled() -> None:
    workers, consumer = PartitionWorkers(), Consumer()
    release = asyncio.Event()
    handled: list[int] = []

    async def handle(r: Record) -> None:
        if r.offset == 12:
            await release.wait()
        handled.append(r.offset)

    for offset in (10, 11, 12, 13):
        await workers.submit(record(PAID.topic, PAID.partition, offset), consumer, handle)
    await until(lambda: handled == [10, 11])
    await asyncio.sleep(0.05)
    assert consumer.committed.get(PAID, 0) <= 12  # never past the record in hand
    release.set()
    await until(lambda: consumer.committed.get(PAID) == 14)
    assert handled == [10, 11, 12, 13]
    await workers.stop()


async def test_a_failed_commit_is_made_again_without_new_records() -> None:
    workers, consumer = PartitionWorkers(again=0.01), Consumer(failures=2)

    async def handle(r: Record) -> None:
        return None

    await workers.submit(record(PAID.topic, PAID.partition, 0), consumer, handle)
    await until(lambda: consumer.committed == {PAID: 1})
    await workers.stop()


async def test_a_record_whose_handling_escapes_is_handled_again_not_skipped() -> None:
    workers, consumer = PartitionWorkers(again=0.01), Consumer()
    attempts: list[int] = []

    async def handle(r: Record) -> None:
        attempts.append(r.offset)
        if len(attempts) < 3:
            raise KafkaConnectionError("dead-letter topic unreachable")

    await workers.submit(record(PAID.topic, PAID.partition, 5), consumer, handle)
    await until(lambda: consumer.committed == {PAID: 6})
    assert attempts == [5, 5, 5]
    await workers.stop()


async def test_a_revoked_partition_finishes_its_record_in_hand_drops_the_rest_and_commits() -> None:
    workers, consumer = PartitionWorkers(), Consumer()
    started, release = asyncio.Event(), asyncio.Event()
    handled: list[int] = []

    async def handle(r: Record) -> None:
        started.set()
        await release.wait()
        handled.append(r.offset)

    for offset in (20, 21, 22):
        await workers.submit(record(PAID.topic, PAID.partition, offset), consumer, handle)
    await started.wait()
    revoking = asyncio.create_task(workers.revoke({PAID}))
    await asyncio.sleep(0.05)
    assert not revoking.done()  # waits for the record in hand
    release.set()
    await revoking
    assert handled == [20]  # 21 and 22 are the next owner's, from offset 21
    assert consumer.committed == {PAID: 21}


async def test_a_revoked_partition_whose_record_hangs_is_given_up_after_the_grace() -> None:
    workers, consumer = PartitionWorkers(grace=0.05), Consumer()

    async def hang(r: Record) -> None:
        await asyncio.Event().wait()

    await workers.submit(record(PAID.topic, PAID.partition, 30), consumer, hang)
    await asyncio.sleep(0.01)
    await workers.revoke([PAID])
    assert consumer.committed == {}  # nothing handled: the next owner starts at 30


async def test_after_stop_nothing_more_is_taken() -> None:
    workers, consumer = PartitionWorkers(), Consumer()
    handled: list[int] = []

    async def handle(r: Record) -> None:
        handled.append(r.offset)

    await workers.submit(record(PAID.topic, PAID.partition, 1), consumer, handle)
    await until(lambda: consumer.committed == {PAID: 2})
    await workers.stop()
    await workers.submit(record(PAID.topic, PAID.partition, 2), consumer, handle)
    await asyncio.sleep(0.05)
    assert handled == [1]


async def test_a_partition_that_never_runs_dry_still_commits_its_progress() -> None:
    """A backlog keeps the queue full; its progress is committed every ``commit_seconds``
    anyway, not only when the queue empties."""
    workers, consumer = PartitionWorkers(commit_every=10_000, commit_seconds=0.05), Consumer()
    handled: list[int] = []

    async def slow(r: Record) -> None:
        await asyncio.sleep(0.02)
        handled.append(r.offset)

    async def feed() -> None:
        for offset in range(1000):
            await workers.submit(record(PAID.topic, PAID.partition, offset), consumer, slow)

    feeding = asyncio.create_task(feed())
    await until(lambda: PAID in consumer.committed)
    assert 0 < consumer.committed[PAID] <= len(handled) < 1000
    feeding.cancel()
    await workers.stop()


async def test_records_handled_within_commit_seconds_are_committed_together() -> None:
    """A trickle of events (one every few milliseconds, so the queue is empty after each)
    costs the broker one commit per ``commit_seconds``, not one per record."""
    workers, consumer = PartitionWorkers(commit_seconds=0.3), Consumer()
    handled: list[int] = []

    async def handle(r: Record) -> None:
        handled.append(r.offset)

    for offset in range(10):
        await workers.submit(record(PAID.topic, PAID.partition, offset), consumer, handle)
        await asyncio.sleep(0.01)
    await until(lambda: len(handled) == 10)
    assert consumer.commits == 0  # not yet due
    await until(lambda: consumer.committed == {PAID: 10})
    assert consumer.commits == 1
    await workers.stop()
