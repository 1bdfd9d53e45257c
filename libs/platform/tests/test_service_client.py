"""Calls between services keep working after their callers give up under load: httpcore
(1.0.9) leaks a pool slot for good when a request waiting for a connection is cancelled
or times out (encode/httpcore#1093), and ``TracedTransport`` never lets one wait there."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bespoke_platform.tracing import TracedTransport


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 keep-alive: ``{}`` to every request, after up to 20 ms."""
    with contextlib.suppress(Exception):
        while True:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = await reader.read(4096)
                if not chunk:
                    return
                head += chunk
            await asyncio.sleep(random.uniform(0, 0.02))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()


CONNECTIONS: list[int] = []
"""The connections the service fixture accepted, one entry each."""


async def _count_then_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    CONNECTIONS.append(1)
    await _answer(reader, writer)


@pytest.fixture
async def service() -> AsyncIterator[str]:
    CONNECTIONS.clear()
    server = await asyncio.start_server(_count_then_answer, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()


async def test_callers_giving_up_under_contention_leave_the_pool_usable(service: str) -> None:
    transport = TracedTransport(max_connections=4)
    timeout = httpx.Timeout(2.0, pool=0.5)
    async with httpx.AsyncClient(transport=transport, base_url=service, timeout=timeout) as client:
        churn_until = time.monotonic() + 3
        while time.monotonic() < churn_until:  # 20 callers for 4 connections, all give up
            calls = [asyncio.create_task(client.get("/")) for _ in range(20)]
            await asyncio.sleep(random.uniform(0, 0.01))
            for call in calls:
                call.cancel()
            await asyncio.gather(*calls, return_exceptions=True)
        answers = []
        for _ in range(8):  # what was sent before is answered meanwhile
            with contextlib.suppress(httpx.PoolTimeout):
                answers.append((await client.get("/")).status_code)
                break
    assert answers == [200], "every connection slot leaked: PoolTimeout for good"


async def test_requests_past_the_limit_wait_their_pool_timeout(service: str) -> None:
    transport = TracedTransport(max_connections=1)
    timeout = httpx.Timeout(2.0, pool=0.001)
    async with httpx.AsyncClient(transport=transport, base_url=service, timeout=timeout) as client:
        first = asyncio.create_task(client.get("/"))
        await asyncio.sleep(0)
        with pytest.raises(httpx.PoolTimeout):
            await client.get("/")
        assert (await first).status_code == 200
        assert (await client.get("/")).status_code == 200, "its slot came back"


async def test_as_many_callers_as_the_limit_keep_their_connections(service: str) -> None:
    """Every connection the limit allows is kept open for the next call: a busy caller
    (the gateway under 32 clients) does not connect again for each request. (httpcore
    1.0.9 closes an idle connection whenever the pool holds more than its keep-alive
    limit, idle or not: at 20, 32 callers connected 318 times for 320 requests.)"""
    transport = TracedTransport(max_connections=32)
    async with httpx.AsyncClient(transport=transport, base_url=service, timeout=2.0) as client:

        async def caller() -> None:
            for _ in range(10):
                assert (await client.get("/")).status_code == 200

        await asyncio.gather(*(caller() for _ in range(32)))
    assert len(CONNECTIONS) <= 32
