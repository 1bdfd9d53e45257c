"""Start, stop and describe the local stack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bespoke.stack import processes
from bespoke.stack.components import SERVICE_NAMES, Component, Say, all_components
from bespoke.stack.config import StackConfig


class StartFailed(RuntimeError):
    """A component did not become ready."""


@dataclass
class Stack:
    """The local stack: infrastructure servers and our services."""

    config: StackConfig

    def components(self, names: Iterable[str] | None = None) -> list[Component]:
        everything = all_components(self.config)
        if names is None:
            return everything
        wanted = set(names)
        unknown = wanted - {c.name for c in everything}
        if unknown:
            raise ValueError(f"unknown component(s): {', '.join(sorted(unknown))}")
        return [c for c in everything if c.name in wanted]

    async def up(
        self, say: Say, names: Iterable[str] | None = None, started: list[str] | None = None
    ) -> list[str]:
        """Install and start what is not running; wait for readiness.

        Infrastructure comes up first, then the services; within each group everything
        starts at once. A service whose code changed since it started is restarted.
        Returns the names of the components this call started from nothing (for
        `down --started-file`); they are also appended to ``started`` as they start, so a
        caller still knows them when a later component fails.
        """
        started = [] if started is None else started
        chosen = self.components(names)
        for kind in ("infrastructure", "service"):
            group = [c for c in chosen if c.kind == kind]
            results = await asyncio.gather(
                *(self._bring_up(c, say, started) for c in group), return_exceptions=True
            )
            failures = [r for r in results if isinstance(r, BaseException)]
            if failures:
                raise failures[0]
        return started

    async def _bring_up(self, component: Component, say: Say, started: list[str]) -> None:
        pid = processes.read_pid(component.pid_file)
        version = component.code_version()
        stale = pid is not None and processes.recorded_version(component.pid_file) != version
        if pid is not None and not stale and await component.ready():
            say(f"{component.name}: already running (pid {pid}) at {component.address()}")
            await component.after_ready(say)  # e.g. topics added since it started
            return
        if stale:
            say(f"{component.name}: code changed since it started; restarting it")
            processes.stop(component.pid_file)
        elif pid is not None:
            # Running but not answering: a half-started or wedged process. Restart it.
            say(f"{component.name}: pid {pid} does not answer; restarting it")
            processes.stop(component.pid_file)
        elif await component.ready():
            raise StartFailed(
                f"{component.name}: something not started by this stack already listens at "
                f"{component.address()}; stop it or move this stack with BESPOKE_* ports"
            )
        await asyncio.to_thread(component.install, say)
        await asyncio.to_thread(component.prepare)
        began = time.monotonic()
        was_running = pid is not None
        pid = processes.start(component.spec(), version)
        if not was_running:
            # A restart is not ours to stop later: whoever started it first owns it.
            started.append(component.name)
        await self._wait_ready(component, pid)
        say(
            f"{component.name}: ready at {component.address()} "
            f"(pid {pid}, {time.monotonic() - began:.1f}s)"
        )
        await component.after_ready(say)

    async def _wait_ready(self, component: Component, pid: int) -> None:
        deadline = time.monotonic() + self.config.ready_timeout
        delay = 0.1
        while time.monotonic() < deadline:
            if processes.read_pid(component.pid_file) is None:
                raise StartFailed(
                    f"{component.name} exited during start; last lines of {component.log_file}:\n"
                    + processes.tail(component.log_file)
                )
            if await component.ready():
                return
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        processes.stop(component.pid_file)
        raise StartFailed(
            f"{component.name} was not ready after {self.config.ready_timeout:.0f}s; "
            f"last lines of {component.log_file}:\n" + processes.tail(component.log_file)
        )

    def down(self, say: Say, names: Iterable[str] | None = None) -> list[str]:
        """Stop components (services first, infrastructure last). Returns what it stopped."""
        stopped = []
        for component in reversed(self.components(names)):
            if processes.stop(component.pid_file):
                stopped.append(component.name)
                say(f"{component.name}: stopped")
        return stopped

    async def status(self) -> list[dict[str, Any]]:
        """What runs where."""
        rows = []
        for component in self.components():
            pid = processes.read_pid(component.pid_file)
            rows.append(
                {
                    "name": component.name,
                    "kind": component.kind,
                    "running": pid is not None,
                    "ready": pid is not None and await component.ready(),
                    "pid": pid,
                    "address": component.address(),
                    "log": str(component.log_file),
                }
            )
        return rows

    def info(self) -> dict[str, Any]:
        """Where everything runs, for people and scripts."""
        c = self.config
        return {
            "gateway_url": c.gateway_url,
            "api_base": f"{c.gateway_url}/api/v1",
            "openapi_url": f"{c.gateway_url}/api/v1/schema/openapi.json",
            "mailpit_api_url": c.mailpit_api_url,
            "mailpit_smtp": f"{c.host}:{c.mailpit_smtp_port}",
            "kafka_bootstrap": c.kafka_bootstrap,
            "mongodb_url": c.mongodb_url,
            "stripe_api_base": c.stripe_api_base,
            "services": {name: c.service_url(name) for name in SERVICE_NAMES},
            "stack_dir": str(c.stack_dir),
            "logs_dir": str(c.logs_dir),
        }
