"""The Litestar app every service runs: health check, lifespan hooks, problem details."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from bespoke_platform.problems import exception_handlers

Hook = Callable[[], Awaitable[Any]]
ReadyCheck = Callable[[], Awaitable[bool]]


def service_app(
    *,
    mongo: AsyncMongoClient[Any],
    route_handlers: Sequence[ControllerRouterHandler] = (),
    state: Mapping[str, Any] | None = None,
    domain_errors: Mapping[type[Exception], int] | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    ready_checks: Mapping[str, ReadyCheck] | None = None,
    middleware: Sequence[DefineMiddleware] = (),
    openapi_config: OpenAPIConfig | None = None,
) -> Litestar:
    """A service's HTTP app.

    ``GET /health`` answers 200 once MongoDB answers and every ``ready_checks`` entry
    (e.g. the Kafka broker) says yes, else 503 naming what is not ready. It is the
    stack's readiness probe.
    Startup hooks run in order before the first request; shutdown hooks run in reverse,
    then the MongoDB client closes.
    """

    checks = dict(ready_checks or {})

    @get("/health", operation_id="health", include_in_schema=False)
    async def health() -> Response[dict[str, Any]]:
        """Ready when the service's database and brokers answer."""
        failing = []
        try:
            await mongo.admin.command("ping")
        except PyMongoError:
            failing.append("mongodb")
        for name, check in checks.items():
            if not await check():
                failing.append(name)
        if failing:
            return Response({"status": "unavailable", "failing": failing}, status_code=503)
        return Response({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            for hook in on_startup:
                await hook()
            yield
        finally:
            for hook in reversed(on_shutdown):
                await hook()
            await mongo.close()

    extra: dict[str, Any] = {}
    if openapi_config is not None:
        extra["openapi_config"] = openapi_config
    return Litestar(
        route_handlers=[*route_handlers, health],
        state=State(dict(state or {})),
        lifespan=[lifespan],
        middleware=list(middleware),
        exception_handlers=exception_handlers(domain_errors or {}),
        **extra,
    )
