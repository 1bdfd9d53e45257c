"""Floor scans: a `production.stage_reported` published as the downstream principal (as a
station's scanner does) until the order's new stage is in the brand's pool, at a steady
offered rate; then raw aiokafka produce -> consume on the same broker at the same rate.

"In the pool" is the order's stored move: the `order.stage_changed` event carries the
moment orders committed it (`occurred_at`), and the pool reads that document; the
event's arrival at a consumer is reported too. A sample of orders is read back through
the gateway (`GET /api/v1/orders/{n}`) to check the pool shows what the events say.

Needs the running system (`make up`).

    uv run python -m bench.production [--rate 20] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.checkout import brand_and_body
from bench.pipeline import at_end, raw_kafka, until
from bench.reporting import open_loop, percentiles, progress
from bespoke.floor import stage_report
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import client_options
from bespoke_contracts import ORDER_STAGE_CHANGED, ProductionStage
from bespoke_contracts.topics import DOWNSTREAM

FLOOR = [s for s in ProductionStage if s not in (ProductionStage.ON_HOLD, ProductionStage.QUEUED)]
"""The stages a scan reports, in order: each order takes every one."""


async def paid_orders(config: StackConfig, count: int) -> tuple[dict[str, str], list[str]]:
    """``count`` orders of a new brand, paid and queued for the floor."""
    _, auth, body = await brand_and_body(config)
    numbers: list[str] = []
    async with httpx.AsyncClient(base_url=config.gateway_url, headers=auth, timeout=30) as client:
        for i in range(count):
            placed = await client.post(
                "/api/v1/orders",
                json=body,
                headers={"Idempotency-Key": f"floor-bench-{i}-{time.time()}"},
            )
            placed.raise_for_status()
            numbers.append(placed.json()["order_number"])
        for number in numbers:
            for _ in range(200):
                if (await client.get(f"/api/v1/orders/{number}/payment")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            await simulate_success(number, config)
        for number in numbers:
            for _ in range(200):
                order = (await client.get(f"/api/v1/orders/{number}")).json()
                if order.get("production_stage") == ProductionStage.QUEUED.value:
                    break
                await asyncio.sleep(0.1)
    return auth, numbers


class StageWatch:
    """Reads `order.stage_changed` from the end and notes, per (order, stage), when the
    move was committed and when it arrived here."""

    def __init__(self, bootstrap: str, numbers: set[str]) -> None:
        self.numbers = numbers
        self.moves: dict[tuple[str, str], tuple[float, float]] = {}  # -> (committed, seen)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=100,
            **client_options(),
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        await at_end(self._consumer, [ORDER_STAGE_CHANGED])
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for message in self._consumer:
            seen = time.time()
            event = json.loads(message.value or b"{}")
            payload = event["payload"]
            if payload["order_number"] in self.numbers:
                committed = datetime.fromisoformat(event["occurred_at"]).timestamp()
                self.moves[(payload["order_number"], payload["to_stage"])] = (committed, seen)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._consumer.stop()


async def run(config: StackConfig, rate: float, seconds: float) -> dict[str, Any]:
    reports = int(rate * seconds)
    count = -(-reports // len(FLOOR))  # every order takes every floor stage
    progress(f"floor scans: {count} paid orders to scan")
    auth, numbers = await paid_orders(config, count)
    plan = [(number, stage) for stage in FLOOR for number in numbers][:reports]
    watch = StageWatch(config.kafka_bootstrap, set(numbers))
    await watch.start()
    producer = AIOKafkaProducer(
        bootstrap_servers=config.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        **client_options(DOWNSTREAM),
    )
    await producer.start()
    sent: dict[tuple[str, str], float] = {}
    try:
        progress(f"floor scans: {len(plan)} reports at {rate}/s")

        async def scan(i: int) -> None:
            number, stage = plan[i]
            report = stage_report(number, stage, "bench-station")
            sent[(number, stage.value)] = time.time()
            await producer.send_and_wait(report.TOPIC, report.to_json(), key=report.key())

        achieved = await open_loop(rate, len(plan), scan)
        await until(lambda: len(watch.moves) >= len(plan), 120)
    finally:
        await producer.stop()
        await watch.stop()
    committed = [(watch.moves[k][0] - t) * 1000 for k, t in sent.items() if k in watch.moves]
    consumed = [(watch.moves[k][1] - t) * 1000 for k, t in sent.items() if k in watch.moves]
    shown = await _pool_agrees(config, auth, numbers, plan)
    progress(f"floor scans: raw aiokafka at {rate}/s")
    raw = await raw_kafka(config.kafka_bootstrap, rate, len(plan))
    raw_p99 = raw["produce_to_consume"].get("p99_ms") or 0
    in_pool = percentiles(committed)
    return {
        "offered_per_second": rate,
        "achieved_per_second": round(achieved, 1),
        "reports": len(plan),
        "applied": len(committed),
        "report_to_in_pool": in_pool,
        "report_to_stage_changed_consumed": percentiles(consumed),
        "pool_read_back_agrees": shown,
        "raw_aiokafka": raw,
        "ratio_p99_to_raw_kafka": round(in_pool.get("p99_ms", 0) / raw_p99, 1) if raw_p99 else None,
    }


async def _pool_agrees(
    config: StackConfig, auth: dict[str, str], numbers: list[str], plan: list[Any]
) -> bool:
    """Every order's pool row shows the last stage it was scanned at."""
    last = {number: stage.value for number, stage in plan}
    async with httpx.AsyncClient(base_url=config.gateway_url, headers=auth, timeout=30) as client:
        for number in numbers[:10]:
            order = (await client.get(f"/api/v1/orders/{number}")).json()
            if order.get("production_stage") != last[number]:
                return False
    return True


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(json.dumps(await run(StackConfig(), args.rate, args.seconds), indent=2))


if __name__ == "__main__":
    asyncio.run(main())
