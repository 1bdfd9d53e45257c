"""Shared pytest fixtures.

Tests marked ``stack`` run against the real local stack. When it is down they FAIL with
the command that starts it: they are never skipped, so a green run means they ran.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo.asynchronous.database import AsyncDatabase

from bespoke.accounts import create_account
from bespoke.stack import containers
from bespoke.stack.components import Component, all_components
from bespoke.stack.config import StackConfig
from bespoke.stack.containers import Infrastructure
from bespoke_platform.mongo import connect
from bespoke_platform.tracing import configure_tracing

START_HINT = (
    "the local stack is not running or not ready. Start it with `make up` "
    "(or run everything with `make test`, which starts what it needs), "
    "then check `uv run bespoke stack status`."
)


async def _not_ready(components: list[Component]) -> list[str]:
    results = await asyncio.gather(*(c.ready() for c in components))
    return [
        f"{c.name} ({c.address()})" for c, ok in zip(components, results, strict=True) if not ok
    ]


def _require(kinds: set[str]) -> StackConfig:
    config = StackConfig()
    wanted = [c for c in all_components(config) if c.kind in kinds]
    down = asyncio.run(_not_ready(wanted))
    if down:
        pytest.fail(f"{', '.join(down)} not answering: {START_HINT}", pytrace=False)
    return config


@pytest.fixture(scope="session")
def stack_infrastructure() -> Iterator[Infrastructure]:
    """Kafka and a MongoDB-wire server (integration tests): the local stack's (FerretDB),
    or with ``BESPOKE_TEST_INFRA=testcontainers``, containers made for this session."""
    try:
        if containers.chosen() == "testcontainers":
            with containers.containers(StackConfig().topic_partitions) as made:
                yield made
            return
    except containers.InfrastructureUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    yield _require({"infrastructure"})


@pytest.fixture(scope="session")
def running_system() -> StackConfig:
    """The infrastructure and every service are up (end-to-end tests)."""
    return _require({"infrastructure", "service"})


@pytest.fixture
async def fresh_database(
    stack_infrastructure: Infrastructure, unique: str
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A database of its own on the real MongoDB-wire server (integration tests), dropped
    afterwards."""
    client = connect(stack_infrastructure.mongodb_url)
    name = f"test_{unique}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


@pytest.fixture
async def mailpit(running_system: StackConfig) -> AsyncIterator[httpx.AsyncClient]:
    """Mailpit's API: the emails the system has sent (every service up)."""
    async with httpx.AsyncClient(
        base_url=f"{running_system.mailpit_api_url}/api/v1", timeout=10
    ) as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A short unique token for names that must not collide between test runs."""
    return uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    """This test process's spans, kept in memory (the tracer provider is set once)."""
    exporter = InMemorySpanExporter()
    configure_tracing("tests", processors=[SimpleSpanProcessor(exporter)])
    return exporter


@pytest.fixture
def spans(span_exporter: InMemorySpanExporter) -> InMemorySpanExporter:
    """The spans finished during this test."""
    span_exporter.clear()
    return span_exporter


@pytest.fixture
async def brand(running_system: StackConfig, unique: str) -> dict[str, Any]:
    """A new brand (made by the same code as `bespoke accounts create`)."""
    return await create_account(name=f"E2E Brand {unique}", email=f"admin-{unique}@e2e.example")
