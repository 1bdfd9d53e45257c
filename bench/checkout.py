"""Checkout benchmark: the full path through the gateway against a bare Litestar endpoint.

Needs the running system (`make up`). Prints one JSON object:
throughput at saturation (closed loop, N concurrent clients) and latency percentiles
at about half that rate (open loop, until it has 300 latencies), for both targets, and
their ratios.

The load is sent with aiohttp, whose client costs about 0.25 ms of CPU a request (its
parser is C). The load generator shares the machine's cores with what it measures, so
its own cost must be small beside the bare endpoint's: httpx's is 1.9-2.3 ms a request
at 32 concurrent requests, 2.5 times the bare endpoint's own, and it held the bare
endpoint to about 500 requests a second where aiohttp reaches about 2,400.

    uv run python -m bench.checkout [--seconds 10] [--concurrency 32] [--warm-up 2000]

It first makes ``--warm-up`` checkouts that it does not measure (``WARM_UP_CHECKOUTS``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from bench import floor
from bench.memory import cpu_seconds, rss_of
from bench.metrics import database_commands, per_operation
from bench.reporting import machine, open_loop, paced_seconds, percentile, progress
from bespoke.accounts import create_account
from bespoke.stack.config import StackConfig

HERE = Path(__file__).parent
WARM_UP = 3  # checkouts before the measured phases (connections, caches)
WARM_UP_CHECKOUTS = 2_000
"""Checkouts made at saturation before a run is measured, not counted. Kafka's JVM
compiles its hot code over its first minute or so of load: on a stack just started its
CPU per checkout fell from 12 ms in the first 5 s through 7 ms at 20 s to 3.3-3.9 ms
after about 2,000 checkouts (6 December). Measured cold, that compiling counted against
the checkout and not against the floor, which is measured after it."""
WARM_UP_LIMIT = 180.0
"""Seconds the warm-up may take, whatever it has made by then (a slow machine)."""


async def saturate(
    client: aiohttp.ClientSession, body: dict[str, Any], seconds: float, concurrency: int
) -> dict[str, Any]:
    """Closed loop: ``concurrency`` clients send back to back for ``seconds``."""
    done, errors = 0, 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done, errors
        while time.perf_counter() < deadline:
            if await post_order(client, body) == 201:
                done += 1
            else:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {"requests_per_second": round(done / elapsed, 1), "ok": done, "errors": errors}


async def post_order(client: aiohttp.ClientSession, body: dict[str, Any]) -> int | None:
    """One checkout's status, its answer read, or None when the connection failed
    (counted as an error, as a refusal is: a server that closes a kept-alive connection
    as the client reuses it must not end a run of many minutes)."""
    try:
        async with client.post(
            "/api/v1/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        ) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError):
        return None


async def paced(
    client: aiohttp.ClientSession, body: dict[str, Any], rate: float, seconds: float
) -> dict[str, Any]:
    """Open loop: one request every 1/rate seconds, latency of each."""
    latencies: list[float] = []
    errors = 0

    async def one(_: int) -> None:
        nonlocal errors
        began = time.perf_counter()
        if await post_order(client, body) == 201:
            latencies.append((time.perf_counter() - began) * 1000)
        else:
            errors += 1

    await open_loop(rate, int(rate * seconds), one)
    if not latencies:
        return {"rate": rate, "errors": errors}
    return {
        "ok": len(latencies),
        "rate": round(rate, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "errors": errors,
    }


def load_client(base_url: str, headers: dict[str, str], concurrency: int) -> aiohttp.ClientSession:
    """The load generator's client: enough connections for ``concurrency`` clients."""
    return aiohttp.ClientSession(
        base_url=base_url,
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=concurrency * 2),
    )


async def measure(
    base_url: str, headers: dict[str, str], body: dict[str, Any], seconds: float, concurrency: int
) -> dict[str, Any]:
    async with load_client(base_url, headers, concurrency) as client:
        for _ in range(WARM_UP):
            await post_order(client, body)
        peak = await saturate(client, body, seconds, concurrency)
        rate = peak["requests_per_second"] / 2
        half = await paced(client, body, rate, paced_seconds(rate, seconds))
    return {"saturation": peak, "half_load": half}


async def warm_up(
    config: StackConfig,
    checkouts: int = WARM_UP_CHECKOUTS,
    window: float = 5.0,
    limit: float = WARM_UP_LIMIT,
) -> dict[str, Any]:
    """Checkouts at saturation, not measured, in windows of ``window`` seconds until
    ``checkouts`` are made (or ``limit`` seconds pass). Returns each window's checkouts
    and Kafka's CPU per checkout: whether they had levelled off says whether the JVM was
    warm when the measuring began."""
    _, auth, body = await brand_and_body(config)
    progress(f"warm-up: {checkouts} checkouts at saturation, not measured")
    windows: list[dict[str, Any]] = []
    made = 0
    began = time.monotonic()
    async with load_client(config.gateway_url, auth, 32) as client:
        while made < checkouts and time.monotonic() - began < limit:
            before = cpu_seconds(config).get("kafka", 0.0)
            done = await saturate(client, body, window, 32)
            kafka = cpu_seconds(config).get("kafka", 0.0) - before
            made += done["ok"]
            windows.append(
                {
                    "checkouts": done["ok"],
                    "kafka_cpu_ms_per_checkout": round(kafka * 1000 / max(done["ok"], 1), 1),
                }
            )
            if not done["ok"]:
                break  # nothing is being checked out: the measured phases will say why
    return {"checkouts": made, "seconds": round(time.monotonic() - began, 1), "windows": windows}


async def brand_and_body(config: StackConfig) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A new brand (its id and token header) and a valid checkout body for its design."""
    brand = await create_account(
        name="Bench brand", email=f"bench-{uuid.uuid4().hex[:6]}@bench.example"
    )
    auth = {"Authorization": f"Bearer {brand['token']}"}
    async with httpx.AsyncClient(base_url=config.gateway_url, headers=auth, timeout=30) as client:
        design = (
            await client.post(
                "/api/v1/gallery/gal_country_derby/clone",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        ).json()
    address = {
        "name": "Bench",
        "line1": "Calle 1",
        "city": "Elda",
        "postal_code": "03600",
        "country": "ES",
    }
    body = {
        "design_id": design["id"],
        "design_version": design["version"],
        "bom_hash": design["bom_hash"],
        "order_type": "mini_bulk",
        "sizes": {"41": 2, "42": 2},
        "shipping_address": address,
        "billing": {"name": "Bench SL", "email": "bench@bench.example", "address": address},
        "labeling": "unlabeled",
    }
    return brand["account_id"], auth, body


async def run(config: StackConfig, seconds: float, concurrency: int) -> dict[str, Any]:
    """Checkout through the gateway, then the bare endpoint, in this order."""
    _, auth, body = await brand_and_body(config)
    progress("checkout: through the gateway")
    before, commands_before = cpu_seconds(config), await database_commands(config)
    checkout = await measure(config.gateway_url, auth, body, seconds, concurrency)
    after, commands_after = cpu_seconds(config), await database_commands(config)
    # Where the CPU went, per checkout: warm-up and both phases (saturation, half load).
    done = WARM_UP + checkout["saturation"]["ok"] + checkout["half_load"].get("ok", 0)
    checkout["cpu_ms_per_checkout"] = {
        name: round((after[name] - before.get(name, 0.0)) * 1000 / max(done, 1), 1)
        for name in sorted(after)
    }
    # Round trips to the database per checkout, by service and command (the services' own
    # counters; the events a checkout causes count while they are handled in the window).
    checkout["database_commands_per_checkout"] = per_operation(
        commands_before, commands_after, done
    )
    checkout["database_commands_per_checkout_total"] = round(
        sum(s["total"] for s in checkout["database_commands_per_checkout"].values()), 1
    )
    checkout["cpu_ms_per_checkout_total"] = round(sum(checkout["cpu_ms_per_checkout"].values()), 1)
    progress("checkout: its floor (raw PyMongo and aiokafka, same servers)")
    commands: dict[str, float] = {}
    for per_service in checkout["database_commands_per_checkout"].values():
        for name, n in per_service.items():
            if name != "total":
                commands[name] = commands.get(name, 0.0) + n
    essential = await floor.checkout_floor(config, commands, seconds, concurrency)
    port = 8199
    bare = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "bare_app.py"), str(port)
    )
    try:
        async with httpx.AsyncClient() as probe:
            for _ in range(100):
                try:
                    await probe.post(f"http://127.0.0.1:{port}/api/v1/orders", json=body)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        progress("checkout: bare Litestar endpoint")
        framework = await measure(f"http://127.0.0.1:{port}", {}, body, seconds, concurrency)
        framework["rss_mib"] = rss_of(bare.pid)
    finally:
        bare.terminate()
        await bare.wait()
    return {
        "seconds_per_phase": seconds,
        "concurrency": concurrency,
        "checkout": checkout,
        "bare_litestar": framework,
        "floor": essential,
        "ratio_checkout_to_bare_rps": round(
            checkout["saturation"]["requests_per_second"]
            / framework["saturation"]["requests_per_second"],
            3,
        ),
        "ratio_to_floor": {
            "saturation": round(
                checkout["saturation"]["requests_per_second"]
                / essential["saturation"]["units_per_second"],
                3,
            ),
            "cpu_ms": round(
                sum(checkout["cpu_ms_per_checkout"].values()) / essential["cpu_ms_per_unit_total"],
                1,
            ),
            "p99_ms_at_half_load": round(
                checkout["half_load"].get("p99_ms", 0) / essential["half_load"]["p99_ms"], 1
            ),
        },
        "targets": {
            "database_commands_per_checkout_at_most": 10,
            "cpu_ms_per_checkout_at_most": 30,
            "ratio_at_least": 0.1,
            "p99_ms_at_half_load_at_most": 50,
        },
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--warm-up",
        type=int,
        default=WARM_UP_CHECKOUTS,
        help="checkouts made first, not measured (0 on a stack already warm)",
    )
    args = parser.parse_args()
    config = StackConfig()
    warmed = await warm_up(config, args.warm_up) if args.warm_up else None
    result = await run(config, args.seconds, args.concurrency)
    print(
        json.dumps(
            {"benchmark": "checkout", "machine": machine(), "warm_up": warmed, **result}, indent=2
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
