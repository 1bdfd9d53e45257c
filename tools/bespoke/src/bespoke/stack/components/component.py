"""What every part of the local stack is: installed, started, known to be ready."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from bespoke.stack.config import REPO_ROOT, StackConfig
from bespoke.stack.processes import ProcessSpec

Say = Callable[[str], None]


class MissingTool(RuntimeError):
    """A program the stack needs is not installed."""


class InstallFailed(RuntimeError):
    """Downloading or building a part of the stack failed."""


def require(tool: str, why: str, how: str) -> str:
    """Path of ``tool`` or a one-line error naming what to install."""
    path = shutil.which(tool)
    if path is None:
        raise MissingTool(f"`{tool}` not found on PATH: {why} needs it. Install {how}.")
    return path


def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_install(
    argv: list[str], cwd: Path, log: Path, env: Mapping[str, str] | None = None
) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        result = subprocess.run(
            argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    if result.returncode != 0:
        raise InstallFailed(f"`{' '.join(argv)}` failed (exit {result.returncode}); see {log}")


class Component(ABC):
    """One process of the local stack."""

    name: str
    kind: str  # "infrastructure" or "service"

    def __init__(self, config: StackConfig) -> None:
        self.config = config

    @property
    def pid_file(self) -> Path:
        return self.config.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.config.logs_dir / f"{self.name}.log"

    def install(self, say: Say) -> None:  # noqa: B027 - most services need nothing installed
        """Download or build what is missing (idempotent, cached in the stack folder)."""

    def prepare(self) -> None:  # noqa: B027
        """Write configuration and initialise data before each start."""

    @abstractmethod
    def spec(self) -> ProcessSpec:
        """The command line that runs it."""

    @abstractmethod
    async def ready(self) -> bool:
        """A protocol-level check that it serves requests (never a bare sleep)."""

    def code_version(self) -> str:
        """Changes when the code it runs changes, so `up` restarts a stale process."""
        return ""

    async def after_ready(self, say: Say) -> None:  # noqa: B027 - most have nothing to do
        """Work that needs it running, e.g. creating Kafka topics."""

    @abstractmethod
    def address(self) -> str:
        """Where it listens."""

    def _spec(self, argv: list[str], env: Mapping[str, str] | None = None) -> ProcessSpec:
        return ProcessSpec(
            name=self.name,
            argv=argv,
            cwd=REPO_ROOT,
            env=dict(env or {}),
            log_file=self.log_file,
            pid_file=self.pid_file,
        )


async def http_ok(url: str, headers: Mapping[str, str] | None = None) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        return False
    return response.status_code == 200
