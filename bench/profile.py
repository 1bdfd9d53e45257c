"""Where each Python service spends its CPU at checkout saturation: py-spy samples every
service (the thread holding the interpreter) while the checkout benchmark's closed loop
runs, then prints one JSON summary.

Needs the running system (`make up`) and permission to read the services' memory
(ptrace: root, or `kernel.yama.ptrace_scope=0`). The raw samples (py-spy's collapsed
stacks, for a flame graph in speedscope.app or inferno) stay in
`.stack/artifacts/profiles/<service>.txt`.

    uv run python -m bench.profile [--seconds 20] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.checkout import brand_and_body, load_client, saturate
from bench.reporting import machine, progress
from bespoke.stack.components import SERVICE_NAMES
from bespoke.stack.config import StackConfig
from bespoke.stack.processes import read_pid

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?):(?P<line>\d+)\)$")


def _package(file: str) -> str:
    """The top-level package (or stdlib module) a frame's file belongs to."""
    head = file.split("/", 1)[0]
    return head.removesuffix(".py")


def _function(frame: str) -> tuple[str, str]:
    match = FRAME.match(frame)
    if match is None:
        return frame, frame
    return f"{match['function']} ({match['file']})", _package(match["file"])


def summarize(collapsed: str, top: int = 10) -> dict[str, Any]:
    """Shares of the samples in py-spy's collapsed format (``frame;frame;… count`` per
    line): self time by package and by function (the innermost frame), and inclusive
    time by package (the package anywhere on the stack)."""
    total = 0
    self_package: Counter[str] = Counter()
    self_function: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        # py-spy --subprocesses puts a `process <pid>:"<command>"` frame at the root.
        frames = [_function(f) for f in stack.split(";") if not f.startswith("process ")]
        if not frames:  # a process sampled outside any Python frame
            continue
        n = int(count)
        total += n
        function, package = frames[-1]
        self_function[function] += n
        self_package[package] += n
        for seen in {package for _, package in frames}:
            inclusive[seen] += n

    def shares(counter: Counter[str]) -> dict[str, float]:
        return {k: round(100 * v / total, 1) for k, v in counter.most_common(top)}

    if not total:
        return {"samples": 0}
    return {
        "samples": total,
        "self_percent_by_package": shares(self_package),
        "self_percent_by_function": shares(self_function),
        "inclusive_percent_by_package": shares(inclusive),
    }


async def record(py_spy: str, pid: int, seconds: float, out: Path) -> str | None:
    """py-spy on ``pid`` (and its children) for ``seconds``, without pausing it; an
    error message, or None.

    Only the thread holding the interpreter (``--gil``) is sampled. Otherwise py-spy
    counts a thread as busy whenever the kernel has it runnable, also while it waits for
    one of the two cores: after every write to a local socket, which wakes the process
    reading it, so socket writes showed as a quarter of each service's samples."""
    process = await asyncio.create_subprocess_exec(
        py_spy,
        "record",
        "--pid",
        str(pid),
        "--subprocesses",
        "--nonblocking",
        "--gil",
        "--rate",
        "100",
        "--duration",
        str(int(seconds)),
        "--format",
        "raw",
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        return err.decode(errors="replace").strip()[-500:] or f"py-spy exit {process.returncode}"
    return None


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy not found: `uv sync` installs it (a dev dependency)")
    return found


async def run(config: StackConfig, seconds: float, concurrency: int) -> dict[str, Any]:
    py_spy = _py_spy()
    pids = {name: read_pid(config.run_dir / f"{name}.pid") for name in SERVICE_NAMES}
    down = [name for name, pid in pids.items() if pid is None]
    if down:
        raise SystemExit(f"not running: {', '.join(down)}; start the system with `make up`")
    folder = config.stack_dir / "artifacts" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)

    _, auth, body = await brand_and_body(config)
    async with load_client(config.gateway_url, auth, concurrency) as client:
        progress(f"profile: {seconds:.0f} s of checkouts at saturation, py-spy on every service")
        recordings = {
            name: record(py_spy, pid, seconds, folder / f"{name}.txt")
            for name, pid in pids.items()
            if pid is not None
        }
        load, *errors = await asyncio.gather(
            saturate(client, body, seconds, concurrency), *recordings.values()
        )
    services: dict[str, Any] = {}
    for name, error in zip(recordings, errors, strict=True):
        if error:
            services[name] = {"error": error}
        else:
            services[name] = summarize((folder / f"{name}.txt").read_text())
    return {"seconds": seconds, "concurrency": concurrency, "load": load, "services": services}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    result = await run(StackConfig(), args.seconds, args.concurrency)
    print(json.dumps({"benchmark": "profile", "machine": machine(), **result}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
