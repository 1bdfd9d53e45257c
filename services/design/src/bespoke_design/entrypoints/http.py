"""The design service's internal HTTP API (catalog, brands' designs, gallery and price quotes)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bespoke_platform.problems import exception_handlers
from litestar import Litestar, get
from litestar.datastructures import State

from bespoke_design.bootstrap import DesignRuntime, bootstrap


@get("/health", operation_id="health", include_in_schema=False)
async def health(state: State) -> dict[str, str]:
    """Ready when the service's database answers."""
    runtime: DesignRuntime = state.runtime
    await runtime.mongo.admin.command("ping")
    return {"status": "ok"}


def create_app(runtime: DesignRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await runtime.mongo.close()

    return Litestar(
        route_handlers=[health],
        state=State({"runtime": runtime}),
        lifespan=[lifespan],
        exception_handlers=exception_handlers({}),
    )
