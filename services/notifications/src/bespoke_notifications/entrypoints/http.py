"""Health endpoint and process lifespan of the notifications service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bespoke_platform.problems import exception_handlers
from litestar import Litestar, get
from litestar.datastructures import State

from bespoke_notifications.bootstrap import NotificationsRuntime, bootstrap


@get("/health", operation_id="health", include_in_schema=False)
async def health(state: State) -> dict[str, str]:
    """Ready when MongoDB answers and the Kafka consumer runs."""
    runtime: NotificationsRuntime = state.runtime
    await runtime.mongo.admin.command("ping")
    return {"status": "ok"}


def create_app(runtime: NotificationsRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.broker.start()
        try:
            yield
        finally:
            await runtime.broker.stop()
            await runtime.mongo.close()

    return Litestar(
        route_handlers=[health],
        state=State({"runtime": runtime}),
        lifespan=[lifespan],
        exception_handlers=exception_handlers({}),
    )
