"""Metrics and JSON logs every service gets from the platform."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from aiokafka import TopicPartition
from litestar import get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient, monitoring

from bespoke_contracts import examples
from bespoke_platform import observability
from bespoke_platform.app import service_app
from bespoke_platform.messaging import PoisonMessage, consume
from bespoke_platform.mongo import CommandMonitor


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_http_latency_is_measured_per_route_template() -> None:
    @get("/orders/{number:str}")
    async def order(number: FromPath[str]) -> dict[str, str]:
        return {"number": number}

    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False), route_handlers=[order]
    )
    labels = {"method": "GET", "route": "/orders/{number}", "status": "200"}
    before = sample("bespoke_http_request_duration_seconds_count", labels)
    async with AsyncTestClient(app) as client:
        await client.get("/orders/BF-000001")
        await client.get("/orders/BF-000002")
    assert sample("bespoke_http_request_duration_seconds_count", labels) == before + 2
    body, content_type = observability.metrics_text()  # what the metrics port serves
    assert content_type.startswith("text/plain")
    assert b"bespoke_http_request_duration_seconds_bucket" in body


class Record:
    topic = "order.submitted"
    partition = 0
    offset = 1
    key = b"BF-000001"
    value = examples.order_submitted().to_json()
    headers: Sequence[tuple[str, bytes]] = ()


class Parked:
    async def publish(self, *args: Any) -> None:
        return None


async def test_consumed_events_and_dead_letters_are_counted() -> None:
    handled = {"topic": "order.submitted", "outcome": "handled"}
    parked = {"topic": "order.submitted", "outcome": "dead-lettered"}
    before = (
        sample("bespoke_events_consumed_total", handled),
        sample("bespoke_events_consumed_total", parked),
        sample("bespoke_dead_letters_total", {"topic": "order.submitted"}),
    )

    async def ok(_: Any) -> None:
        return None

    async def poison(_: Any) -> None:
        raise PoisonMessage("never")

    parse = examples.order_submitted().from_json
    await consume(Record(), parse, ok, Parked())
    await consume(Record(), parse, poison, Parked())
    assert sample("bespoke_events_consumed_total", handled) == before[0] + 1
    assert sample("bespoke_events_consumed_total", parked) == before[1] + 1
    assert sample("bespoke_dead_letters_total", {"topic": "order.submitted"}) == before[2] + 1


def test_logs_are_json_with_the_service_and_the_bound_ids(capsys: Any) -> None:
    observability.configure_logging("orders")
    try:
        with observability.bound(request_id="req-42", correlation_id="c-1"):
            logging.getLogger("bespoke.test").warning("order %s stored", "BF-000001")
        line = capsys.readouterr().out.strip().splitlines()[-1]
        record = json.loads(line)
        assert record["event"] == "order BF-000001 stored"
        assert (record["service"], record["request_id"], record["correlation_id"]) == (
            "orders",
            "req-42",
            "c-1",
        )
        assert record["level"] == "warning"
        assert record["logger"] == "bespoke.test"
        assert record["timestamp"].endswith("Z")
    finally:
        logging.getLogger().handlers = []


class Consumer:
    def __init__(self, highwater: int | None) -> None:
        self._highwater = highwater
        self.asked: list[TopicPartition] = []

    def highwater(self, partition: TopicPartition) -> int | None:
        self.asked.append(partition)
        return self._highwater


def test_consumer_lag_is_what_remains_after_the_handled_message() -> None:
    labels = {"group": "orders", "topic": "payment.cleared", "partition": "4"}
    consumer = Consumer(highwater=120)
    observability.record_lag("orders", "payment.cleared", 4, 99, consumer)
    assert consumer.asked == [TopicPartition("payment.cleared", 4)]
    assert sample("bespoke_consumer_lag", labels) == 20  # offsets 100..119 wait
    observability.record_lag("orders", "payment.cleared", 4, 119, Consumer(highwater=120))
    assert sample("bespoke_consumer_lag", labels) == 0
    # before the first fetch the watermark is unknown: the gauge keeps its value
    observability.record_lag("orders", "payment.cleared", 4, 5, Consumer(highwater=None))
    assert sample("bespoke_consumer_lag", labels) == 0


def test_every_database_command_is_counted_and_timed() -> None:
    ok = {"command": "find", "database": "bespoke_test_metrics", "outcome": "ok"}
    error = {**ok, "outcome": "error"}
    count_ok = sample("bespoke_mongo_command_seconds_count", ok)
    count_error = sample("bespoke_mongo_command_seconds_count", error)
    seconds_ok = sample("bespoke_mongo_command_seconds_sum", ok)
    common: dict[str, Any] = {
        "command_name": "find",
        "request_id": 1,
        "connection_id": ("127.0.0.1", 27017),
        "operation_id": 1,
        "database_name": "bespoke_test_metrics",
    }
    monitor = CommandMonitor()
    monitor.succeeded(
        monitoring.CommandSucceededEvent(
            duration=timedelta(milliseconds=2), reply={"ok": 1}, **common
        )
    )
    monitor.succeeded(
        monitoring.CommandSucceededEvent(
            duration=timedelta(milliseconds=3), reply={"ok": 1}, **common
        )
    )
    monitor.failed(
        monitoring.CommandFailedEvent(
            duration=timedelta(milliseconds=1), failure={"ok": 0}, **common
        )
    )

    assert sample("bespoke_mongo_command_seconds_count", ok) == count_ok + 2
    assert sample("bespoke_mongo_command_seconds_sum", ok) == pytest.approx(seconds_ok + 0.005)
    assert sample("bespoke_mongo_command_seconds_count", error) == count_error + 1


def test_a_slow_command_is_logged_with_its_collection_and_fields_not_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    common: dict[str, Any] = {
        "request_id": 7,
        "connection_id": ("127.0.0.1", 27017),
        "operation_id": 7,
        "database_name": "bespoke_orders",
    }
    monitor = CommandMonitor()
    for name, command in (
        ("find", {"find": "orders", "filter": {"outbox_pending": True, "email": "a@b.example"}}),
        ("update", {"update": "orders", "updates": [{"q": {"_id": "BF-000001"}, "u": {}}]}),
        ("count", {"count": "order_summaries"}),
        ("getMore", {"getMore": 1234, "collection": "order_summaries"}),
        ("ping", {"ping": 1}),
    ):
        monitor.started(monitoring.CommandStartedEvent(command, **common))
        monitor.succeeded(
            monitoring.CommandSucceededEvent(
                duration=timedelta(milliseconds=80),
                reply={"ok": 1},
                command_name=name,
                **common,
            )
        )
    logged = [r.getMessage() for r in caplog.records if r.name == "bespoke.mongo"]
    assert logged == [
        "slow find on bespoke_orders.orders {outbox_pending, email}: 80 ms",
        "slow update on bespoke_orders.orders {_id}: 80 ms",
        "slow count on bespoke_orders.order_summaries {}: 80 ms",
        "slow getMore on bespoke_orders.order_summaries {}: 80 ms",
        "slow ping on bespoke_orders: 80 ms",
    ]
    assert "a@b.example" not in caplog.text
