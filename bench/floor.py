"""The floor under a checkout: its essential work alone, on the same servers, in the same
run. One unit is the checkout's measured database commands (as many of each kind:
finds by ``_id``, inserts of an order-sized document, updates and deletes by ``_id``),
sent with raw PyMongo, and one event produced with raw aiokafka (``acks=all``,
idempotent, as the services' producer) and consumed by as many raw consumers as consume
``order.submitted``. No HTTP, no validation, no service in between: what the checkout
costs beyond this is ours.

Measured like the checkout: ``concurrency`` units back to back (saturation), then paced
at half that rate (latency), with the CPU of FerretDB, Kafka and this process per unit.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from bench.memory import cpu_seconds
from bench.reporting import open_loop, paced_seconds, percentile
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import ADMIN, client_options, login
from bespoke_platform.topics import ensure_topics

DATABASE = "bench_floor"
TOPIC = "bench.floor"
ORDER_SUBMITTED_CONSUMERS = 3
"""payments, shipping and notifications each consume a checkout's ``order.submitted``."""
INFRASTRUCTURE = ("ferretdb", "kafka")


def plan(commands: dict[str, float]) -> list[str]:
    """One unit's commands, each kind as often as a checkout sends it (rounded)."""
    return [name for name, n in sorted(commands.items()) for _ in range(round(n))]


async def _template(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, Any]:
    """An order as stored (the running system's latest), for order-sized inserts."""
    doc = await client.bespoke_orders.orders.find_one({}, sort=[("seq", -1)])
    return {} if doc is None else {k: v for k, v in doc.items() if k != "_id"}


class Floor:
    def __init__(self, config: StackConfig, commands: list[str]) -> None:
        self._config = config
        self._commands = commands
        self._client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            config.mongodb_url, tz_aware=True
        )
        self._docs = self._client[DATABASE].docs
        self._body: dict[str, Any] = {}
        self._producer = AIOKafkaProducer(
            bootstrap_servers=config.kafka_bootstrap,
            acks="all",
            enable_idempotence=True,
            **client_options(),
        )
        self._consumers = [
            AIOKafkaConsumer(
                bootstrap_servers=config.kafka_bootstrap, fetch_max_wait_ms=100, **client_options()
            )
            for _ in range(ORDER_SUBMITTED_CONSUMERS)
        ]
        self._readers: list[asyncio.Task[None]] = []
        self.consumed = 0

    async def start(self) -> None:
        await self._client.drop_database(DATABASE)
        self._body = await _template(self._client)
        await ensure_topics(
            self._config.kafka_bootstrap, 6, login=login(self._config, ADMIN), topics=[TOPIC]
        )
        await self._producer.start()
        for consumer in self._consumers:
            await consumer.start()
            partitions = [TopicPartition(TOPIC, p) for p in range(6)]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            self._readers.append(asyncio.create_task(self._read(consumer)))

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        async for _ in consumer:
            self.consumed += 1

    async def stop(self) -> None:
        for reader in self._readers:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        for consumer in self._consumers:
            await consumer.stop()
        await self._producer.stop()
        await self._client.drop_database(DATABASE)
        await self._client.aclose()

    async def unit(self) -> None:
        """One checkout's essential work."""
        key = uuid.uuid4().hex
        await self._docs.insert_one({"_id": key, **copy.copy(self._body)})
        for name in self._commands:
            if name == "insert":
                await self._docs.insert_one({"_id": uuid.uuid4().hex, "of": key, "n": 1})
            elif name == "find":
                await self._docs.find_one({"_id": key})
            elif name == "update":
                await self._docs.update_one({"_id": key}, {"$set": {"n": time.time()}})
            elif name == "delete":
                await self._docs.delete_one({"_id": f"{key}:gone"})
            elif name == "findAndModify":
                await self._docs.find_one_and_update({"_id": key}, {"$inc": {"m": 1}})
        await self._producer.send_and_wait(TOPIC, self._body_bytes(key), key=key.encode())

    def _body_bytes(self, key: str) -> bytes:
        return (key * 40).encode()  # about an order.submitted's size (~1.3 KB)


async def _closed_loop(
    unit: Callable[[], Awaitable[None]], seconds: float, concurrency: int
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await unit()
            done += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - began)


async def _paced(unit: Callable[[], Awaitable[None]], rate: float, seconds: float) -> list[float]:
    latencies: list[float] = []

    async def one(_: int) -> None:
        began = time.perf_counter()
        await unit()
        latencies.append((time.perf_counter() - began) * 1000)

    await open_loop(rate, max(1, int(rate * seconds)), one)
    return latencies


async def checkout_floor(
    config: StackConfig, commands: dict[str, float], seconds: float, concurrency: int
) -> dict[str, Any]:
    """The floor of a checkout whose database commands per kind are ``commands``."""
    unit_commands = plan(commands)
    if "insert" in unit_commands:  # the unit's first command: the order-sized insert
        unit_commands.remove("insert")
    floor = Floor(config, unit_commands)
    unit_commands = ["insert", *unit_commands]
    await floor.start()
    try:
        before, process_before = cpu_seconds(config), time.process_time()
        rate = await _closed_loop(floor.unit, seconds, concurrency)
        half_rate = max(rate / 2, 1.0)
        latencies = await _paced(floor.unit, half_rate, paced_seconds(half_rate, seconds))
        done = round(rate * seconds) + len(latencies)
        after, process_after = cpu_seconds(config), time.process_time()
        await asyncio.sleep(0.5)  # the consumers catch up
        cpu = {
            name: round((after[name] - before.get(name, 0.0)) * 1000 / max(done, 1), 1)
            for name in INFRASTRUCTURE
            if name in after
        }
        cpu["client"] = round((process_after - process_before) * 1000 / max(done, 1), 1)
        return {
            "database_commands_per_unit": len(unit_commands),
            "commands": {name: unit_commands.count(name) for name in sorted(set(unit_commands))},
            "events_produced_per_unit": 1,
            "consumers_per_event": ORDER_SUBMITTED_CONSUMERS,
            "events_consumed": floor.consumed,
            "saturation": {"units_per_second": round(rate, 1)},
            "half_load": {
                "samples": len(latencies),
                "rate": round(half_rate, 1),
                "p50_ms": round(statistics.median(latencies), 1),
                "p99_ms": round(percentile(latencies, 99), 1),
            },
            "cpu_ms_per_unit": cpu,
            "cpu_ms_per_unit_total": round(sum(cpu.values()), 1),
        }
    finally:
        await floor.stop()
