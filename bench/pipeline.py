"""Event pipeline latency: checkout commit -> `order.submitted` consumed, and a signed
`payment_intent.succeeded` webhook -> the order in `work_in_process` (its
`order.status_changed` consumed), at a steady offered rate; then raw aiokafka
produce -> consume on the same broker at the same rate, for the ratio. Also what a paid
order costs: each service's database commands and each process's CPU from the first
webhook until the stack is quiet again (every event the payments cause handled).

Needs the running system (`make up`). Timestamps: the events' `occurred_at` (written by
the service at commit) and this process's clock; all on one machine. A phase runs
``--seconds``, or longer at a low rate to gather 300 of each latency (its p99 not its
slowest two).

    uv run python -m bench.pipeline [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.checkout import brand_and_body
from bench.memory import cpu_seconds, quiet
from bench.metrics import database_commands, per_operation
from bench.reporting import machine, open_loop, paced_seconds, percentiles, progress
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import ADMIN, client_options, login
from bespoke.stack.keys import CallsAsGateway
from bespoke_contracts import ORDER_STATUS_CHANGED, ORDER_SUBMITTED
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_payments.settings import PaymentsSettings
from bespoke_platform.topics import ensure_topics

RAW_TOPIC = "bench.raw_latency"


class Watch:
    """Reads `order.submitted` and `order.status_changed` from the end, as a downstream
    consumer would, and notes when each of this run's orders shows up."""

    def __init__(self, bootstrap: str, account_ids: set[str]) -> None:
        self.account_ids = account_ids
        self.submitted: dict[str, float] = {}  # order -> ms from commit to consumed
        self.submitted_at: dict[str, datetime] = {}
        self.in_process: dict[str, tuple[float, datetime]] = {}  # order -> (seen, committed)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=100,
            **client_options(),
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        await at_end(self._consumer, [ORDER_SUBMITTED, ORDER_STATUS_CHANGED])
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for message in self._consumer:
            seen = time.time()
            event = json.loads(message.value or b"{}")
            if event.get("account_id") not in self.account_ids:
                continue
            committed = datetime.fromisoformat(event["occurred_at"])
            number = event["payload"]["order_number"]
            if event["event_type"] == ORDER_SUBMITTED:
                self.submitted[number] = (seen - committed.timestamp()) * 1000
                self.submitted_at[number] = committed
            elif event["payload"].get("to_status") == "work_in_process":
                self.in_process[number] = (seen, committed)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._consumer.stop()


async def at_end(consumer: AIOKafkaConsumer, topics: list[str]) -> None:
    """Read ``topics`` from their current end: explicit partitions and offsets, fixed
    before any load (a lazy "latest" reset could land after the first events)."""
    cluster = await consumer._client.fetch_all_metadata()  # no public call lists partitions
    partitions = [
        TopicPartition(topic, p)
        for topic in topics
        for p in cluster.partitions_for_topic(topic) or ()
    ]
    consumer.assign(partitions)
    for tp, offset in (await consumer.end_offsets(partitions)).items():
        consumer.seek(tp, offset)


async def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.1)
    return condition()


Brand = tuple[str, dict[str, str], dict[str, Any]]  # account id, auth header, checkout body


async def post(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    """POST, once more on a broken connection (safe: checkouts carry an Idempotency-Key and
    webhooks an event id, so a repeat is answered, not applied twice)."""
    try:
        return await client.post(url, **kwargs)
    except httpx.TransportError:
        return await client.post(url, **kwargs)


async def checkouts(
    config: StackConfig, watch: Watch, brands: list[Brand], rate: float, n: int
) -> tuple[dict[str, Any], list[str]]:
    numbers: list[str] = []
    refused = 0
    limits = httpx.Limits(max_connections=256)
    async with httpx.AsyncClient(base_url=config.gateway_url, timeout=120, limits=limits) as client:

        async def one(i: int) -> None:
            nonlocal refused
            _, auth, body = brands[i % len(brands)]
            headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
            r = await post(client, "/api/v1/orders", json=body, headers=headers)
            if r.status_code == 201:
                numbers.append(r.json()["order_number"])
            else:
                refused += 1

        offered_for = n / rate
        achieved = await open_loop(rate, n, one)
    await until(lambda: all(x in watch.submitted for x in numbers), 60)
    commits = sorted(watch.submitted_at[x] for x in numbers if x in watch.submitted_at)
    span = (commits[-1] - commits[0]).total_seconds() if len(commits) > 1 else 0.0
    return {
        "offered_per_second": rate,
        "offered_for_seconds": round(offered_for, 1),
        "requests_completed_per_second": round(achieved, 1),
        "commits_per_second": round(len(commits) / span, 1) if span else None,
        "acknowledged": len(numbers),
        "refused": refused,
        "consumed": sum(1 for x in numbers if x in watch.submitted),
        "commit_to_consumed": percentiles(
            [watch.submitted[x] for x in numbers if x in watch.submitted]
        ),
    }, numbers


async def payments(
    config: StackConfig, watch: Watch, numbers: list[str], rate: float
) -> dict[str, Any]:
    secret = PaymentsSettings().stripe_webhook_secret
    service = config.service_url("payments")
    prepared: list[bytes] = []
    ops = CallsAsGateway(config, "payments")  # payments' operator routes, as the factory
    async with httpx.AsyncClient(timeout=30) as client:
        gate = asyncio.Semaphore(8)

        async def prepare(number: str) -> None:
            async with gate:
                url = f"{service}/internal/operator/invoices/{number}"
                for _ in range(300):  # the invoice opens when payments reads order.submitted
                    found = await client.get(url, auth=ops)
                    if found.status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                started = await client.post(f"{url}/payment", auth=ops)
                started.raise_for_status()
                invoice = (await client.get(url, auth=ops)).json()
                prepared.append(json.dumps(succeeded_event(invoice)).encode())

        progress(f"pipeline: starting {len(numbers)} payments at stripe-mock")
        await asyncio.gather(*(prepare(n) for n in numbers))
        sent: dict[str, float] = {}
        refused = 0

        async def webhook(i: int) -> None:
            nonlocal refused
            payload = prepared[i]
            number = json.loads(payload)["data"]["object"]["metadata"]["target"]
            sent[number] = time.time()
            r = await post(
                client,
                f"{config.gateway_url}/api/v1/webhooks/stripe",
                content=payload,
                headers={
                    "Stripe-Signature": sign(payload, secret),
                    "Content-Type": "application/json",
                },
            )
            if r.status_code != 200:
                refused += 1

        progress(f"pipeline: {len(prepared)} webhooks at {rate}/s")
        cpu_before, commands_before = cpu_seconds(config), await database_commands(config)
        achieved = await open_loop(rate, len(prepared), webhook)
    await until(lambda: all(x in watch.in_process for x in sent), 60)
    # What a paid order costs, the events it causes handled (the stack quiet again).
    await quiet(config)
    cpu_after, commands_after = cpu_seconds(config), await database_commands(config)
    paid = max(len(sent), 1)
    commands = per_operation(commands_before, commands_after, paid)
    cpu = {
        name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / paid, 1)
        for name in sorted(cpu_after)
    }
    seen = [(watch.in_process[x][0] - t) * 1000 for x, t in sent.items() if x in watch.in_process]
    committed = [
        (watch.in_process[x][1].timestamp() - t) * 1000
        for x, t in sent.items()
        if x in watch.in_process
    ]
    return {
        "offered_per_second": rate,
        "webhooks_per_second": round(achieved, 1),
        "webhooks": len(sent),
        "refused": refused,
        "reached_work_in_process": len(seen),
        "webhook_to_work_in_process_committed": percentiles(committed),
        "webhook_to_status_changed_consumed": percentiles(seen),
        "database_commands_per_paid_order": commands,
        "database_commands_per_paid_order_total": round(
            sum(s["total"] for s in commands.values()), 1
        ),
        "cpu_ms_per_paid_order": cpu,
        "cpu_ms_per_paid_order_total": round(sum(cpu.values()), 1),
    }


async def raw_kafka(bootstrap: str, rate: float, n: int) -> dict[str, Any]:
    await ensure_topics(bootstrap, 6, login=login(StackConfig(), ADMIN), topics=[RAW_TOPIC])
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **client_options()
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, fetch_max_wait_ms=100, **client_options()
    )
    await producer.start()
    await consumer.start()
    latencies: list[float] = []
    try:
        await at_end(consumer, [RAW_TOPIC])
        run = uuid.uuid4().hex.encode()

        async def read() -> None:
            async for message in consumer:
                if message.key == run:
                    latencies.append((time.time() - float(message.value or b"0")) * 1000)
                    if len(latencies) == n:
                        return

        reader = asyncio.create_task(read())

        async def send(_: int) -> None:
            await producer.send_and_wait(RAW_TOPIC, str(time.time()).encode(), key=run)

        await open_loop(rate, n, send)
        await asyncio.wait_for(reader, 60)
    finally:
        await producer.stop()
        await consumer.stop()
    return {"messages": len(latencies), "produce_to_consume": percentiles(latencies)}


async def run(config: StackConfig, rate: float, seconds: float) -> dict[str, Any]:
    """Both pipelines at ``rate`` a second for ``seconds``, or longer to gather
    ``P99_SAMPLES`` latencies of each."""
    seconds = paced_seconds(rate, seconds)
    # Several brands, as in production: the gateway limits each brand's request rate.
    brands = [await brand_and_body(config) for _ in range(max(1, int(rate // 25)))]
    watch = Watch(config.kafka_bootstrap, {b[0] for b in brands})
    await watch.start()
    try:
        progress(f"pipeline: checkouts offered at {rate}/s for {seconds} s")
        submitted, numbers = await checkouts(config, watch, brands, rate, int(rate * seconds))
        paid = await payments(config, watch, numbers, rate)
    finally:
        await watch.stop()
    progress(f"pipeline: raw aiokafka at {rate}/s")
    raw = await raw_kafka(config.kafka_bootstrap, rate, int(rate * seconds))
    raw_p99 = raw["produce_to_consume"].get("p99_ms") or 0
    return {
        "checkout_to_order_submitted": submitted,
        "webhook_to_work_in_process": paid,
        "raw_aiokafka": raw,
        "ratio_p99_to_raw_kafka": {
            "order_submitted": round(submitted["commit_to_consumed"].get("p99_ms", 0) / raw_p99, 1)
            if raw_p99
            else None,
            "work_in_process": round(
                paid["webhook_to_status_changed_consumed"].get("p99_ms", 0) / raw_p99, 1
            )
            if raw_p99
            else None,
        },
        "targets": {"p99_ms_at_most": 150},
        "measured_at": datetime.now(UTC).isoformat(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    result = await run(StackConfig(), args.rate, args.seconds)
    print(json.dumps({"benchmark": "pipeline", "machine": machine(), **result}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
