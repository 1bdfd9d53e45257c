"""Bearer-token authentication: every /api/v1 route acts for exactly one brand."""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.accounts import hash_token
from bespoke_gateway.domain.errors import Forbidden, RateLimited
from bespoke_gateway.domain.permissions import Principal

PUBLIC_PATHS = {"/health", "/metrics", "/api/v1/schema", "/api/v1/webhooks"}


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Resolves `Authorization: Bearer <token>` to the brand's account."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(
                "send the brand's token as `Authorization: Bearer <token>` "
                "(create one with `uv run bespoke accounts create`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        runtime: GatewayRuntime = connection.app.state.runtime
        account = await runtime.accounts.by_token_hash(hash_token(token.strip()))
        if account is None:
            raise NotAuthorizedException(
                "this token is not valid",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        wait = runtime.limiter.take(account.account_id, time.monotonic())
        if wait:
            raise RateLimited(
                f"too many requests with this token; retry in {wait:.1f} s",
                retry_after=runtime.limiter.retry_after(wait),
            )
        return AuthenticationResult(user=Principal.brand_token(account.account_id), auth=token)


def authorize(connection: ASGIConnection[Any, Any, Any, Any], route: BaseRouteHandler) -> None:
    """Litestar guard of every brand route: the caller's role may take the route's action
    (``domain.permissions``), else ``403`` before any service is called."""
    principal = connection.user
    if not isinstance(principal, Principal):
        raise Forbidden("this route acts for a brand; sign in or send a brand token")
    operation = route.operation_id if isinstance(route, HTTPRouteHandler) else None
    principal.require(operation if isinstance(operation, str) else "")
