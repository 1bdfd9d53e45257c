"""The public backoffice API: one Litestar app in front of the services."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bespoke_platform.problems import exception_handlers
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from bespoke_gateway.bootstrap import GatewayRuntime, bootstrap
from bespoke_gateway.domain import errors
from bespoke_gateway.entrypoints.auth import PUBLIC_PATHS, BearerTokenMiddleware
from bespoke_gateway.entrypoints.orders import OrdersController


@get("/health", operation_id="health", include_in_schema=False)
async def health(state: State) -> dict[str, str]:
    """Ready when the gateway's database answers."""
    runtime: GatewayRuntime = state.runtime
    await runtime.mongo.admin.command("ping")
    return {"status": "ok"}


def create_app(runtime: GatewayRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.accounts.ensure_indexes()
        try:
            yield
        finally:
            await runtime.close()

    return Litestar(
        route_handlers=[OrdersController, health],
        state=State({"runtime": runtime}),
        lifespan=[lifespan],
        middleware=[DefineMiddleware(BearerTokenMiddleware, exclude=sorted(PUBLIC_PATHS))],
        exception_handlers=exception_handlers(
            {
                errors.InvalidAccount: 422,
                errors.IdempotencyKeyMissing: 428,
                errors.UpstreamUnavailable: 503,
            }
        ),
        openapi_config=OpenAPIConfig(
            title="Bespoke backoffice API",
            version="1",
            description="Design shoes, check out orders, pay and group them, follow them "
            "into production. Errors are RFC 9457 problem details.",
            components=Components(
                security_schemes={"brandToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"brandToken": []}],
        ),
    )
