from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from bespoke_platform.messaging import PoisonMessage, consume


@dataclass
class Record:
    value: bytes | None
    topic: str = "order.submitted"
    partition: int = 2
    offset: int = 17
    key: bytes | None = b"BF-000001"
    headers: Sequence[tuple[str, bytes]] = ()


class Parked:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes | None, bytes, dict[str, str]]] = []

    async def publish(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None:
        self.messages.append((topic, key, value, headers))


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: Any) -> None:
    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr("bespoke_platform.messaging.asyncio.sleep", no_sleep)


async def test_a_handled_record_is_not_parked() -> None:
    seen, parked = [], Parked()

    async def handle(event: int) -> None:
        seen.append(event)

    await consume(Record(b"41"), lambda raw: int(raw) + 1, handle, parked)

    assert seen == [42]
    assert parked.messages == []


async def test_an_unparseable_record_is_parked_with_its_origin() -> None:
    parked = Parked()

    async def handle(event: int) -> None:
        raise AssertionError("must not be called")

    await consume(Record(b"not a number"), int, handle, parked)

    [(topic, key, value, headers)] = parked.messages
    assert topic == "order.submitted.dlq"
    assert (key, value) == (b"BF-000001", b"not a number")
    assert headers["dlq-source-partition"] == "2"
    assert headers["dlq-source-offset"] == "17"
    assert "invalid event" in headers["dlq-error"]


async def test_transient_failures_are_retried_then_parked() -> None:
    parked, calls = Parked(), []

    async def flaky(event: int) -> None:
        calls.append(event)
        if len(calls) < 3:
            raise ConnectionError("broker hiccup")

    await consume(Record(b"1"), int, flaky, parked, attempts=5)
    assert len(calls) == 3
    assert parked.messages == []

    async def broken(event: int) -> None:
        raise ConnectionError("still down")

    await consume(Record(b"1"), int, broken, parked, attempts=3)
    [(_, _, _, headers)] = parked.messages
    assert headers["dlq-attempts"] == "3"
    assert "still down" in headers["dlq-error"]


async def test_a_poison_message_is_parked_without_retries() -> None:
    parked, calls = Parked(), []

    async def refuse(event: int) -> None:
        calls.append(event)
        raise PoisonMessage("order BF-000001 does not exist")

    await consume(Record(b"1"), int, refuse, parked)
    assert len(calls) == 1
    assert len(parked.messages) == 1


async def test_subscribe_all_reads_deps_at_each_event_and_wraps_the_work() -> None:
    from faststream.kafka import KafkaBroker, TestKafkaBroker

    from bespoke_contracts import OrderSubmitted, examples
    from bespoke_platform.messaging import subscribe_all

    seen: list[tuple[str, str]] = []
    wrapped: list[str] = []
    current = {"deps": "first"}

    async def on_submitted(event: OrderSubmitted, deps: str) -> None:
        seen.append((event.payload.order_number, deps))

    async def around(work: Any) -> None:
        wrapped.append("before")
        await work

    broker = KafkaBroker()
    subscribe_all(
        broker,
        "test",
        Parked(),
        lambda: current["deps"],
        [(OrderSubmitted, on_submitted, "x")],
        around,
    )
    event = examples.order_submitted()
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(event.to_json(), OrderSubmitted.TOPIC, key=event.key())
        current["deps"] = "second"
        await test_broker.publish(event.to_json(), OrderSubmitted.TOPIC, key=event.key())
    assert seen == [("BF-000001", "first"), ("BF-000001", "second")]
    assert wrapped == ["before", "before"]


async def test_a_record_is_handled_without_a_hop_to_a_worker_thread(monkeypatch: Any) -> None:
    """FastStream fetches an annotated argument (its ``KafkaMessage``) in a worker thread:
    a hand-off and two wake-ups per record. The handler takes the message undecorated."""
    import anyio.to_thread
    from faststream.kafka import KafkaBroker, TestKafkaBroker

    from bespoke_contracts import OrderSubmitted, examples
    from bespoke_platform.messaging import subscribe_all

    hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(function)
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    seen: list[str] = []

    async def on_submitted(event: OrderSubmitted, deps: None) -> None:
        seen.append(event.payload.order_number)

    broker = KafkaBroker()
    subscribe_all(broker, "test", Parked(), lambda: None, [(OrderSubmitted, on_submitted, "x")])
    event = examples.order_submitted()
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(event.to_json(), OrderSubmitted.TOPIC, key=event.key())
    assert seen == ["BF-000001"]
    assert hops == []


def test_a_service_reads_all_its_topics_with_one_consumer_a_static_member_if_named() -> None:
    """One consumer, so one member of the group per replica (a replica that restarts
    settles its group once); with the replica's name it is a static member; none
    without."""
    from faststream.kafka import KafkaBroker

    from bespoke_contracts import OrderSubmitted, PaymentCleared
    from bespoke_platform.messaging import Subscription, subscribe_all

    async def nothing(event: Any, deps: None) -> None:
        return None

    subscriptions: list[Subscription[None]] = [
        (OrderSubmitted, nothing, "a"),
        (PaymentCleared, nothing, "b"),
    ]
    named, anonymous = KafkaBroker(), KafkaBroker()
    subscribe_all(named, "orders", Parked(), lambda: None, subscriptions, instance_id="orders-0")
    subscribe_all(anonymous, "orders", Parked(), lambda: None, subscriptions)

    def consumers(broker: KafkaBroker) -> list[tuple[Any, list[str]]]:
        # FastStream keeps what it passes to AIOKafkaConsumer here.
        return [
            (s._connection_args["group_instance_id"], sorted(t.name for t in s.topics))  # type: ignore[attr-defined]
            for s in broker.subscribers
        ]

    assert consumers(named) == [("orders-0", ["order.submitted", "payment.cleared"])]
    assert consumers(anonymous) == [(None, ["order.submitted", "payment.cleared"])]


def test_faststream_logs_through_ours_and_each_record_at_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """FastStream logs through the service's own logging (JSON), and its lines for each
    record (received, processed) are DEBUG: at the services' INFO level a consumer writes
    no line per record that goes well."""
    import logging

    from bespoke_platform.kafka import KafkaLogin, make_broker

    broker = make_broker("localhost:9092", "test", KafkaLogin("u", "p", "PLAINTEXT"))
    state = broker.config.logger
    state._setup(broker.context)  # as the broker does when it starts
    caplog.set_level(logging.INFO)
    state.log("Received")  # as FastStream's logging middleware does for each record
    state.log("handler failed", log_level=logging.ERROR)
    assert caplog.record_tuples == [("faststream", logging.ERROR, "handler failed")]
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="faststream")
    state.log("Received")
    assert caplog.record_tuples == [("faststream", logging.DEBUG, "Received")]
