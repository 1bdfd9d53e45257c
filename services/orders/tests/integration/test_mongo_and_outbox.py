from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo.asynchronous.database import AsyncDatabase

from bespoke.stack.config import StackConfig
from bespoke.stack.containers import Infrastructure
from bespoke.stack.kafka_security import client_options, login
from bespoke_contracts import (
    ORDER_STATUS_CHANGED,
    ORDER_SUBMITTED,
    Address,
    BillingInfo,
    Carrier,
    Labeling,
    OrderCosts,
    OrderStatus,
    OrderType,
    ProductionStage,
    Tracking,
    examples,
)
from bespoke_orders.adapters.mongo import MongoBrandLabels, MongoOrderRepository
from bespoke_orders.domain.errors import ConcurrentChange
from bespoke_orders.domain.model import Checkout, Order, check_out
from bespoke_orders.service_layer import handlers
from bespoke_orders.service_layer.ports import OrderQuery
from bespoke_platform.kafka import BrokerPublisher, make_broker
from bespoke_platform.outbox import OutboxRelay

pytestmark = pytest.mark.stack

ADDRESS = Address(
    name="Atelier Norte", line1="Calle Mayor 1", city="Elda", postal_code="03600", country="ES"
)
SPEC = examples.SPECIFICATION
COSTS = OrderCosts.priced(per_pair=20_000, pairs=1, shipping=1_500, customization=0, currency="EUR")


def keyed(i: int, number: str) -> Order:
    """The i-th of many concurrent checkouts, over four brands."""
    return order(number, f"k{i}", f"acc_{i % 4}")


def order(number: str, key: str, account: str = "acc_it") -> Order:
    command = Checkout(
        account_id=account,
        idempotency_key=key,
        design_id="des_1",
        design_version=1,
        bom_hash="sha256:abc",
        order_type=OrderType.MTO,
        sizes={"42.5": 1},
        shipping_address=ADDRESS,
        billing=BillingInfo(name="Norte SL", email="ops@norte.example", address=ADDRESS),
        labeling=Labeling.UNLABELED,
        request_id="req-it",
    )
    return check_out(command, number, datetime.now(UTC), SPEC, COSTS, Labeling.UNLABELED)


async def topic_partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def test_fifty_concurrent_checkouts_get_fifty_distinct_gapless_numbers(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)

    results = await asyncio.gather(
        *(handlers.store_numbered(functools.partial(keyed, i), repository) for i in range(50))
    )

    numbers = sorted(stored.order_number for _, stored in results)
    assert numbers == [f"BF-{n:06d}" for n in range(1, 51)]
    assert await orders_db.orders.count_documents({}) == 50


async def test_two_processes_taking_numbers_in_turn_skip_none_and_share_none(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    # Each remembers the last number it took; the other's since is learnt from the
    # unique `_id` refusing a stale proposal.
    first, second = MongoOrderRepository(orders_db), MongoOrderRepository(orders_db)
    taken = []
    for i, repository in enumerate([first, second, second, first, first, second]):
        _, stored = await handlers.store_numbered(functools.partial(keyed, i), repository)
        taken.append(stored.order_number)
    assert taken == [f"BF-{n:06d}" for n in range(1, 7)]


async def test_a_brands_labeling_is_read_once_per_process(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    labels = MongoBrandLabels(orders_db)
    assert await labels.get("acc_label") is None
    claimed = await labels.claim("acc_label", Labeling.CUSTOM_STAMPS, "k1")
    await orders_db.brands.delete_many({})  # gone from the database, still known here
    assert await labels.get("acc_label") == claimed
    assert await MongoBrandLabels(orders_db).get("acc_label") is None


async def test_an_order_and_its_event_are_stored_in_one_document(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)
    await repository.add(order("BF-000007", "k1"))

    doc = await orders_db.orders.find_one({"_id": "BF-000007"})
    assert doc is not None
    assert doc["outbox_pending"] is True
    [entry] = doc["outbox"]
    assert entry["topic"] == ORDER_SUBMITTED
    payload = json.loads(entry["value"])["payload"]
    assert payload["order_number"] == "BF-000007"
    assert payload["specification"]["bill_of_materials"][0]["material"] == "Box calf"
    assert payload["costs"]["total"] == 21_500
    again = await repository.get("acc_it", "BF-000007")
    assert again is not None
    assert again.sizes == {"42.5": 1}
    assert again.costs == COSTS
    assert again.specification == SPEC
    assert await repository.get("acc_other", "BF-000007") is None


async def test_racing_requests_with_one_key_store_one_order(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)
    stored = [
        await repository.add(order("BF-000001", "same")),
        await repository.add(order("BF-000002", "same")),
    ]
    assert [o.order_number for o in stored] == ["BF-000001", "BF-000001"]
    assert await orders_db.orders.count_documents({}) == 1


@pytest.mark.parametrize("first_by", ["this process", "another process"])
async def test_a_change_and_its_event_are_one_guarded_write(
    orders_db: AsyncDatabase[dict[str, Any]], first_by: str
) -> None:
    """A change made from a revision that moved on is refused, whether this process moved
    it (its own save) or another did (this process's outbox position is then out of date)."""
    repository = MongoOrderRepository(orders_db)
    writer = repository if first_by == "this process" else MongoOrderRepository(orders_db)
    await repository.add(order("BF-000001", "k"))
    first = await writer.get("acc_it", "BF-000001")
    second = await repository.get("acc_it", "BF-000001")
    assert first is not None
    assert second is not None

    first.cancel("req-1", datetime.now(UTC))
    await writer.save(first)
    second.mark_paid("evt-1", "corr", datetime.now(UTC))
    with pytest.raises(ConcurrentChange):
        await repository.save(second)

    doc = await orders_db.orders.find_one({"_id": "BF-000001"})
    assert doc is not None
    assert doc["status"] == OrderStatus.CANCELLED.value
    assert [e["topic"] for e in doc["outbox"]] == [ORDER_SUBMITTED, ORDER_STATUS_CHANGED]
    assert [e["seq"] for e in doc["outbox"]] == [1, 2]
    assert doc["outbox_pending"] is True


async def test_the_relay_publishes_each_event_once_in_order_in_the_trace_that_caused_it(
    orders_db: AsyncDatabase[dict[str, Any]],
    stack_infrastructure: Infrastructure,
    unique: str,
    spans: InMemorySpanExporter,
) -> None:
    broker = make_broker(
        stack_infrastructure.kafka_bootstrap,
        client_id="test-relay",
        login=login(StackConfig(), "orders"),
    )
    await broker.start()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack_infrastructure.kafka_bootstrap,
        enable_auto_commit=False,
        **client_options(),
    )
    await consumer.start()
    try:
        partitions = await topic_partitions(stack_infrastructure.kafka_bootstrap, ORDER_SUBMITTED)
        partitions += await topic_partitions(
            stack_infrastructure.kafka_bootstrap, ORDER_STATUS_CHANGED
        )
        consumer.assign(partitions)
        for tp, offset in (await consumer.end_offsets(partitions)).items():
            consumer.seek(tp, offset)

        account = f"acc_{unique}"
        # These events reach the running services: a number their own sequence never
        # reaches, or shipping and payments would file a real BF-000001 under this brand.
        number = f"BF-9{int(unique, 16) % 10**9:09d}"
        repository = MongoOrderRepository(orders_db)
        relay = OutboxRelay(orders_db.orders, orders_db.outbox_signals, BrokerPublisher(broker))
        with trace.get_tracer("test").start_as_current_span("checkout") as checkout:
            await repository.add(order(number, "k", account))
        assert await relay.publish_pending() == 1
        stored = await repository.get(account, number)
        assert stored is not None
        stored.cancel("req-2", datetime.now(UTC))
        await repository.save(stored)
        assert await relay.publish_pending() == 1, "only the new event"
        assert await relay.publish_pending() == 0

        received: list[Any] = []
        async with asyncio.timeout(20):
            while len(received) < 2:
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    received += [r for r in records if json.loads(r.value)["account_id"] == account]
        # Two topics: a consumer may see them in either order; the producer's timestamps
        # show the relay published the checkout first.
        by_type = {json.loads(r.value)["event_type"]: r for r in received}
        assert sorted(by_type) == sorted([ORDER_SUBMITTED, ORDER_STATUS_CHANGED])
        assert len(received) == 2
        assert by_type[ORDER_SUBMITTED].timestamp <= by_type[ORDER_STATUS_CHANGED].timestamp
        assert {r.key for r in received} == {number.encode()}
        # The checkout's trace goes on in the message, through the relay's publish span.
        headers = dict(by_type[ORDER_SUBMITTED].headers)
        _, trace_id, parent_id, _ = headers["traceparent"].decode().split("-")
        assert trace_id == f"{checkout.get_span_context().trace_id:032x}"
        [publish] = [
            s for s in spans.get_finished_spans() if s.context.span_id == int(parent_id, 16)
        ]
        assert publish.parent is not None
        assert publish.parent.span_id == checkout.get_span_context().span_id
        doc = await orders_db.orders.find_one({"_id": number})
        assert doc is not None
        assert doc["outbox_pending"] is False
        assert doc["outbox_sent_seq"] == 2
        assert [("value" in e) for e in doc["outbox"]] == [False, False], "published bodies dropped"
    finally:
        await consumer.stop()
        await broker.stop()


class _RecordingPublisher:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def publish(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> None:
        self.sent.append(headers["event_type"])


class _FailingPublisher(_RecordingPublisher):
    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.tries = 0

    async def publish(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> None:
        self.tries += 1
        if self.down:
            raise ConnectionError("broker unreachable")
        await super().publish(topic, key, value, headers)


@contextlib.asynccontextmanager
async def _running_relay(
    orders_db: AsyncDatabase[dict[str, Any]], publisher: Any, documents: Any = None
) -> AsyncIterator[tuple[OutboxRelay, MongoOrderRepository]]:
    """A started relay whose retries are an hour apart (the test drives any pass after a
    failed one), and a repository of the same process, which notes it in memory; the
    relay stops (the process dies, its notes with it) when the block ends."""
    relay = OutboxRelay(
        documents if documents is not None else orders_db.orders,
        orders_db.outbox_signals,
        publisher,
        poll_seconds=3600,
    )
    await relay.publish_pending()  # the start-up sweep, on nothing
    relay.start()
    try:
        yield relay, MongoOrderRepository(orders_db, relay.signals)
    finally:
        await relay.stop()


async def test_a_write_signals_its_own_process_relay_in_memory_and_a_crash_is_swept(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    account = f"acc_{unique}"
    publisher = _FailingPublisher()
    async with _running_relay(orders_db, publisher) as (relay, repository):
        await repository.add(order("BF-000001", "k1", account))
        assert await orders_db.outbox_signals.count_documents({}) == 0, "no signal written"
        await _until(lambda: publisher.tries >= 1)  # the pass it woke failed
        await asyncio.sleep(0.2)  # (and the loop waits out its backoff)
        publisher.down = False
        assert await relay.publish_pending() == 1, "the note survives a failed publish"
        assert publisher.sent == [ORDER_SUBMITTED]

        publisher.down = True
        await repository.add(order("BF-000002", "k2", account))
        tries = publisher.tries
        await _until(lambda: publisher.tries > tries)
    publisher.down = False
    restarted = OutboxRelay(orders_db.orders, orders_db.outbox_signals, publisher)
    assert await restarted.publish_pending() == 1, "its start-up sweep finds what was noted"
    assert publisher.sent == [ORDER_SUBMITTED, ORDER_SUBMITTED]
    assert await restarted.publish_pending(sweep=True) == 0


async def test_the_sweep_has_its_index_on_any_collection_with_an_outbox(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    """The relay makes the index its sweep reads, whichever service's collection it
    relays (invoices, shipments, groups...): without it each sweep read every document."""
    invoices = orders_db.invoices_like
    relay = OutboxRelay(invoices, orders_db.invoice_signals, _FailingPublisher())
    assert await relay.publish_pending() == 0  # the start-up sweep
    indexes = await invoices.index_information()
    assert indexes["outbox_pending"]["key"] == [("outbox_pending", 1)]


class _CountingReads:
    """A collection whose ``find_one`` calls (``reads``) and ``find`` calls (``finds``)
    are counted."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.reads = 0
        self.finds = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.collection, name)

    def find(self, *args: Any, **kwargs: Any) -> Any:
        self.finds += 1
        return self.collection.find(*args, **kwargs)

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return await self.collection.find_one(*args, **kwargs)


@pytest.mark.parametrize("read_after_the_mark", [True, False])
async def test_a_noted_write_is_published_without_reading_its_document(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str, read_after_the_mark: bool
) -> None:
    """A checkout's insert, and a save, hand their relay the events they added: published
    and marked sent with no read of the order. The save's revision was read after the
    relay marked the first event sent (it found nothing waiting), or before it (an order
    paid as soon as its payment's event came back, before payments' relay marked that
    event), when the relay knows it published that event itself."""
    account = f"acc_{unique}"
    publisher = _RecordingPublisher()
    documents = _CountingReads(orders_db.orders)
    async with _running_relay(orders_db, publisher, documents) as (_, repository):
        placed = await repository.add(order("BF-000001", "k1", account))
        await _until(lambda: publisher.sent == [ORDER_SUBMITTED])
        if read_after_the_mark:
            await _until_marked_sent(orders_db, "BF-000001")
            stored = await repository.get(account, "BF-000001")
            assert stored is not None
        else:
            stored = placed  # the insert's revision: nothing sent then
        stored.cancel("req-2", datetime.now(UTC))
        await repository.save(stored)
        await _until(lambda: publisher.sent == [ORDER_SUBMITTED, ORDER_STATUS_CHANGED])
        await _until_marked_sent(orders_db, "BF-000001")
    assert documents.reads == 0
    doc = await orders_db.orders.find_one({"_id": "BF-000001"})
    assert doc is not None
    assert (doc["outbox_sent_seq"], doc["outbox_seq"]) == (2, 2)


async def _until_marked_sent(orders_db: AsyncDatabase[dict[str, Any]], number: str) -> None:
    """Until the relay marked every event of the order sent (another task's write)."""
    async with asyncio.timeout(10):
        while (await orders_db.orders.find_one({"_id": number}) or {}).get("outbox_pending"):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


class _Replacing:
    """A database with some of its collections replaced."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], **collections: Any) -> None:
        self._db, self._collections = db, collections

    def __getattr__(self, name: str) -> Any:
        return self._collections.get(name) or getattr(self._db, name)


async def test_a_save_from_a_revision_this_process_saw_reads_nothing_first(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """A save numbers its events from where this process last saw the order's outbox, at
    its read or its own write: no read of the order before its update. (A revision that
    moved on meanwhile is refused: ``test_a_change_and_its_event_are_one_guarded_write``.)"""
    account = f"acc_{unique}"
    orders = _CountingReads(orders_db.orders)
    repository = MongoOrderRepository(_Replacing(orders_db, orders=orders))  # type: ignore[arg-type]
    await repository.add(order("BF-000001", "k1", account))
    stored = await repository.get(account, "BF-000001")
    assert stored is not None
    reads = orders.reads
    stored.mark_paid("evt-1", "corr", datetime.now(UTC))
    await repository.save(stored)
    stored.cancel("req-2", datetime.now(UTC))
    await repository.save(stored)  # from the revision its own write left
    assert orders.reads == reads, "a save read the order first"
    doc = await orders_db.orders.find_one({"_id": "BF-000001"})
    assert doc is not None
    assert doc["status"] == OrderStatus.CANCELLED.value
    assert [e["seq"] for e in doc["outbox"]] == list(range(1, doc["outbox_seq"] + 1))
    assert doc["outbox_seq"] >= 3


async def test_a_write_noted_again_before_its_pass_costs_no_read_of_the_signals(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """An order changed again while the relay's pass that holds it is still on an earlier
    order (an order paid, then launched into production at once): that pass sends both
    of its events, and no pass runs with nothing noted, reading the signal documents for
    nothing."""
    account = f"acc_{unique}"
    gates = [asyncio.Event(), asyncio.Event()]
    started = 0

    class Gated(_RecordingPublisher):
        """Its first two publishes wait for their gate."""

        async def publish(
            self, topic: str, key: bytes, value: bytes, headers: dict[str, str]
        ) -> None:
            nonlocal started
            started += 1
            if started <= len(gates):
                await gates[started - 1].wait()
            await super().publish(topic, key, value, headers)

    publisher = Gated()
    signals = _CountingReads(orders_db.outbox_signals)
    relay = OutboxRelay(orders_db.orders, signals, publisher, poll_seconds=3600)  # type: ignore[arg-type]
    await relay.publish_pending()  # the start-up sweep, on nothing
    relay.start()
    try:
        repository = MongoOrderRepository(orders_db, relay.signals)
        await repository.add(order("BF-000001", "k1", account))
        await _until(lambda: started == 1)  # a pass on BF-000001
        await repository.add(order("BF-000002", "k2", account))
        await repository.add(order("BF-000003", "k3", account))
        gates[0].set()
        await _until(lambda: started == 2)  # the next pass holds 2 and 3, on 2
        stored = await repository.get(account, "BF-000003")
        assert stored is not None
        stored.cancel("req-2", datetime.now(UTC))
        await repository.save(stored)  # noted again before its pass took it
        finds = signals.finds
        gates[1].set()
        await _until(lambda: len(publisher.sent) == 4)
        await asyncio.sleep(0.3)  # any pass the save woke
    finally:
        await relay.stop()
    assert publisher.sent == [ORDER_SUBMITTED] * 3 + [ORDER_STATUS_CHANGED]
    assert signals.finds == finds, "a pass with nothing noted read the signal documents"


async def test_a_save_behind_an_unpublished_event_has_both_sent_in_order(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """A save that finds an earlier event still waiting cannot hand over its own alone:
    the relay reads the order and sends both, in order. The earlier one's publish failed
    in this process, or another process (a tool) wrote it."""
    account = f"acc_{unique}"
    publisher = _FailingPublisher()
    tool = MongoOrderRepository(orders_db)  # signals by documents, read on the poll's beat
    async with _running_relay(orders_db, publisher) as (_, repository):
        await repository.add(order("BF-000001", "k1", account))
        await _until(lambda: publisher.tries >= 1)  # its pass failed
        await tool.add(order("BF-000002", "k2", account))
        publisher.down = False
        for number in ("BF-000001", "BF-000002"):
            stored = await repository.get(account, number)
            assert stored is not None
            stored.cancel("req-2", datetime.now(UTC))
            await repository.save(stored)
        await _until(lambda: len(publisher.sent) == 4)
    assert publisher.sent == [ORDER_SUBMITTED, ORDER_STATUS_CHANGED] * 2


async def test_a_retry_after_a_checkout_stopped_midway_finishes_it(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """The first attempt's insert landed, then its summary's write failed (the database
    restarting): the retry acknowledged with that order puts it in the pool and sends
    its event, instead of leaving both to the sweep minutes later."""
    account = f"acc_{unique}"
    publisher = _RecordingPublisher()
    async with _running_relay(orders_db, publisher) as (_, repository):
        summaries = repository._summaries

        class Down:
            def __getattr__(self, name: str) -> Any:
                return getattr(summaries, name)

            async def update_one(self, *args: Any, **kwargs: Any) -> Any:
                raise ConnectionError("database restarting")

        repository._summaries = Down()  # type: ignore[assignment]
        with pytest.raises(ConnectionError):
            await repository.add(order("BF-000001", "k1", account))
        repository._summaries = summaries
        assert publisher.sent == [], "nothing noted: the attempt stopped before its note"
        retried = await repository.add(order("BF-000002", "k1", account))
        assert retried.order_number == "BF-000001"
        await _until(lambda: publisher.sent == [ORDER_SUBMITTED])
    assert await orders_db.order_summaries.count_documents({"_id": "BF-000001"}) == 1


async def test_a_write_whose_process_runs_no_relay_leaves_a_signal_document(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """A tool built from the service's wiring (its relay never started) signals the
    service's running relay through the database."""
    publisher = _RecordingPublisher()
    idle = OutboxRelay(orders_db.orders, orders_db.outbox_signals, publisher)
    repository = MongoOrderRepository(orders_db, idle.signals)
    number = "BF-000001"
    await repository.add(order(number, "k1", f"acc_{unique}"))
    assert await orders_db.outbox_signals.count_documents({"_id": number}) == 1
    running = OutboxRelay(orders_db.orders, orders_db.outbox_signals, publisher)
    running.start()
    try:
        await _until(lambda: publisher.sent == [ORDER_SUBMITTED])
    finally:
        await running.stop()


async def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - a background task's progress
            await asyncio.sleep(0.02)


async def test_an_event_saved_just_as_its_signal_is_cleared_is_not_left_behind(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """A save landing between the relay's publishing and its clearing of the signal
    leaves a newer signal, which must survive for the next pass (not wait for a sweep)."""
    account = f"acc_{unique}"
    repository = MongoOrderRepository(orders_db)
    signals = orders_db.outbox_signals

    class SaveJustBeforeDelete:
        def __getattr__(self, name: str) -> Any:
            return getattr(signals, name)

        async def delete_one(self, query: dict[str, Any]) -> Any:
            stored = await repository.get(account, "BF-000001")
            if stored is not None and stored.status.value == "pending_payment":
                stored.cancel("req-2", datetime.now(UTC))
                await repository.save(stored)  # its new signal lands right here
            return await signals.delete_one(query)

    publisher = _RecordingPublisher()
    relay = OutboxRelay(orders_db.orders, SaveJustBeforeDelete(), publisher)  # type: ignore[arg-type]
    await relay.publish_pending()  # the start-up sweep, on nothing
    await repository.add(order("BF-000001", "k", account))
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 1, "the cancellation, from its own signal"
    assert publisher.sent == [ORDER_SUBMITTED, ORDER_STATUS_CHANGED]


async def test_an_event_saved_while_the_relay_publishes_keeps_the_order_pending(
    orders_db: AsyncDatabase[dict[str, Any]], unique: str
) -> None:
    """A save landing between the relay's read of a document and its progress mark: the
    mark records what was sent and leaves the pending flag set; the next pass sends the
    new event and clears it."""
    account = f"acc_{unique}"
    repository = MongoOrderRepository(orders_db)

    class SaveWhilePublishing(_RecordingPublisher):
        async def publish(
            self, topic: str, key: bytes, value: bytes, headers: dict[str, str]
        ) -> None:
            await super().publish(topic, key, value, headers)
            stored = await repository.get(account, "BF-000001")
            if stored is not None and stored.status.value == "pending_payment":
                stored.cancel("req-2", datetime.now(UTC))
                await repository.save(stored)

    publisher = SaveWhilePublishing()
    relay = OutboxRelay(orders_db.orders, orders_db.outbox_signals, publisher)
    await relay.publish_pending()  # the start-up sweep, on nothing
    await repository.add(order("BF-000001", "k", account))

    assert await relay.publish_pending() == 1
    doc = await orders_db.orders.find_one({"_id": "BF-000001"})
    assert doc is not None
    assert (doc["outbox_sent_seq"], doc["outbox_seq"], doc["outbox_pending"]) == (1, 2, True)
    assert "value" in doc["outbox"][1], "the unpublished event keeps its body"

    assert await relay.publish_pending() == 1, "the cancellation"
    doc = await orders_db.orders.find_one({"_id": "BF-000001"})
    assert doc is not None
    assert (doc["outbox_sent_seq"], doc["outbox_seq"], doc["outbox_pending"]) == (2, 2, False)
    assert publisher.sent == [ORDER_SUBMITTED, ORDER_STATUS_CHANGED]


async def test_an_order_s_life_on_the_floor_round_trips_and_the_board_finds_it(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)
    launched_at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for number, account in (("BF-000001", "acc_a"), ("BF-000002", "acc_b")):
        await repository.add(order(number, f"k-{number}", account))
        stored = await repository.get_any(number)
        assert stored is not None
        stored.mark_paid(f"evt-{number}", "corr", launched_at)
        await repository.save(stored)
    moving = await repository.get_any("BF-000001")
    assert moving is not None
    moving.move_stage(ProductionStage.QUALITY_CHECK, "request:r1", launched_at, "r1", actor="op")
    moving.move_stage(ProductionStage.FINISHING, "request:r2", launched_at, "r2", note="redo")
    moving.apply_stage_report("evt-scan", ProductionStage.READY_TO_SHIP, "pack-1", launched_at)
    moving.ship(Tracking.of(Carrier.UPS, "1Z999AA1"), "event:e", launched_at, "e")
    await repository.save(moving)

    again = await repository.get_any("BF-000001")
    assert again is not None
    assert again == moving
    assert (again.status, again.tracking, again.wip_started_at) == (
        OrderStatus.SHIPPED,
        Tracking.of(Carrier.UPS, "1Z999AA1"),
        launched_at,
    )
    rework = [h for h in again.history if h.rework]
    assert [(h.stage, h.note) for h in rework] == [(ProductionStage.FINISHING, "redo")]
    assert again.history[-2].station == "pack-1"

    board = await repository.find(OrderQuery(production_stage="queued"))
    assert [o.order_number for o in board] == ["BF-000002"]
    late = await repository.find(OrderQuery(late_on=date(2026, 5, 1)))
    assert [o.order_number for o in late] == ["BF-000002"], "shipped orders are never late"
    assert await repository.find(OrderQuery(late_on=date(2026, 3, 2))) == []
    assert [o.order_number for o in await repository.find(OrderQuery(account_id="acc_b"))] == [
        "BF-000002"
    ]
    summaries = await repository.find_summaries(OrderQuery(production_stage="queued"))
    assert summaries == [o.summary() for o in board], "the pool reads the same from summaries"
    [shipped] = await repository.find_summaries(OrderQuery(account_id="acc_a"))
    assert (shipped.status, shipped.tracking, shipped.revision) == (
        OrderStatus.SHIPPED,
        Tracking.of(Carrier.UPS, "1Z999AA1"),
        again.revision,
    )
    assert await repository.summaries_differing() == []
