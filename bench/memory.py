"""Resident memory (RSS) and CPU time of each process of the local stack, from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from bench.reporting import progress
from bespoke.stack.config import StackConfig
from bespoke.stack.processes import read_pid


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _private_kib(pid: int) -> int:
    """Pages only this process maps (its own heap, not the shared libraries every
    service maps from the same files): what each more process actually costs."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0
    return sum(int(line.split()[1]) for line in rollup if line.startswith("Private_"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_seconds(config: StackConfig) -> dict[str, float]:
    """CPU time used so far by each stack process (with its children), by name."""
    used = {}
    for pid_file in sorted(config.run_dir.glob("*.pid")):
        pid = read_pid(pid_file)
        if pid is not None:
            used[pid_file.stem] = _cpu_seconds(pid) + sum(_cpu_seconds(c) for c in _children(pid))
    return used


def rss_of(pid: int) -> float:
    """One process's resident memory, in MiB."""
    return round(_rss_kib(pid) / 1024, 1)


def _mib_by_process(config: StackConfig, kib_of: Callable[[int], int]) -> dict[str, float]:
    """``kib_of`` each stack process (with its children), by name, in MiB."""
    sizes = {}
    for pid_file in sorted(config.run_dir.glob("*.pid")):
        pid = read_pid(pid_file)
        if pid is not None:
            kib = kib_of(pid) + sum(kib_of(c) for c in _children(pid))
            sizes[pid_file.stem] = round(kib / 1024, 1)
    return sizes


def rss_mib(config: StackConfig) -> dict[str, float]:
    """Each stack process's resident memory (with its children's) by name, in MiB."""
    return _mib_by_process(config, _rss_kib)


def private_mib(config: StackConfig) -> dict[str, float]:
    """Each stack process's private memory (with its children's) by name, in MiB."""
    return _mib_by_process(config, _private_kib)


@contextlib.asynccontextmanager
async def peak_rss(config: StackConfig, every: float = 0.5) -> AsyncIterator[dict[str, float]]:
    """Samples RSS while the block runs; the yielded dict holds each process's peak."""
    peaks: dict[str, float] = {}

    async def sample() -> None:
        while True:
            for name, mib in rss_mib(config).items():
                peaks[name] = max(peaks.get(name, 0.0), mib)
            await asyncio.sleep(every)

    task = asyncio.create_task(sample())
    try:
        yield peaks
    finally:
        task.cancel()


async def quiet(config: StackConfig, limit: float = 180.0) -> float:
    """Wait until the stack is idle (under 10% of one core over 2 s; a previous phase's
    backlog of events and emails drains), at most ``limit`` seconds; returns the wait."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        before = sum(cpu_seconds(config).values())
        await asyncio.sleep(2)
        if sum(cpu_seconds(config).values()) - before < 0.2:
            break
    waited = time.monotonic() - began
    progress(f"quiet after {waited:.0f} s")
    return round(waited, 1)
