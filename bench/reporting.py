"""How every benchmark paces its load and reports: the open loop, percentiles, progress
lines, the machine it ran on."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (not empty)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


P99_SAMPLES = 300
"""Latencies a paced phase gathers at least, so that its p99 is not its slowest few: of
60 samples (a 5 s phase at 12 a second) the p99 is the second slowest."""


def paced_seconds(rate: float, seconds: float) -> float:
    """How long a paced phase at ``rate`` a second runs: ``seconds``, or longer to gather
    ``P99_SAMPLES`` latencies."""
    return max(seconds, P99_SAMPLES / max(rate, 0.1))


async def open_loop(
    rate: float, count: int, action: Callable[[int], Coroutine[Any, Any, None]]
) -> float:
    """Start ``action(i)`` for i in 0…count-1, one every 1/rate seconds whatever the earlier
    ones are doing (an open loop: a slow answer delays no later start, as with real
    clients), then wait for them all. Returns the rate achieved, starts to last finish."""
    tasks = []
    began = time.perf_counter()
    for i in range(count):
        await asyncio.sleep(max(0.0, began + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(action(i)))
    await asyncio.gather(*tasks)
    return count / (time.perf_counter() - began)


def percentiles(values: list[float]) -> dict[str, float | int]:
    """p50/p99/max in milliseconds, rounded, and how many samples they come from."""
    if not values:
        return {"samples": 0}
    return {
        "samples": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
    }


def progress(line: str) -> None:
    """Progress on stderr, so stdout stays one JSON document."""
    print(line, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory_gib = round(kib / 1024 / 1024, 1)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": memory_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
