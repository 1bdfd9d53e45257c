"""Authentication: every /api/v1 route acts for exactly one brand, as a brand token
(`Authorization: Bearer …`, the brand's owner) or as a signed-in brand user (the
`bespoke_session` cookie, whose unsafe requests must carry the session's `X-CSRF-Token`).
Then each route's guard checks the caller's role against the permission matrix."""

from __future__ import annotations

import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    ASGIMiddleware,
    AuthenticationResult,
)
from litestar.types import ASGIApp, Receive, Scope, Send

from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.accounts import hash_token
from bespoke_gateway.domain.errors import CsrfTokenInvalid, Forbidden, RateLimited
from bespoke_gateway.domain.operators import OPERATOR_TOKEN_PREFIX, OperatorPrincipal, operator_may
from bespoke_gateway.domain.permissions import Principal
from bespoke_gateway.domain.sessions import OPS_SESSION_COOKIE, SESSION_COOKIE, csrf_matches
from bespoke_gateway.domain.tokens import API_TOKEN_PREFIX
from bespoke_gateway.service_layer.identity import (
    operator_token_principal,
    session_principal,
    token_principal,
)
from bespoke_platform.app import HEALTH_PATH

PUBLIC_PATHS = (
    HEALTH_PATH,
    r"^/api/v1/schema(/[a-z0-9./_-]*)?$",
    r"^/api/v1/webhooks/stripe$",
    r"^/api/v1/shared/[A-Za-z0-9_-]{1,100}$",
)
"""What needs no credential (health, the API's own description, Stripe's webhook,
which its signature proves): whole paths, anchored, so no route skips authentication by
containing one of these words (an order or a design named `health`)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPS_PREFIX = "/api/v1/ops/"


class AddressRateLimit(ASGIMiddleware):
    """Before any credential is looked at: each client address may make so many requests
    a second (sign-ins, bad tokens, Stripe's webhook route, pages), so a flood costs the
    gateway a dictionary lookup, not a database read. Health is exempt."""

    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = (HEALTH_PATH,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        runtime: GatewayRuntime = scope["litestar_app"].state.runtime
        client = scope.get("client")
        address = client[0] if client else "unknown"
        wait = runtime.address_limiter.take(f"address:{address}", time.monotonic())
        if wait:
            raise RateLimited(
                f"too many requests from this address; retry in {wait:.1f} s",
                retry_after=runtime.address_limiter.retry_after(wait),
            )
        await next_app(scope, receive, send)


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Resolves a brand token, or a session cookie, to who the request acts as."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        runtime: GatewayRuntime = connection.app.state.runtime
        header = connection.headers.get("authorization", "")
        # A brand user's and an operator's cookie may both be set in one browser: each
        # realm's routes read their own first.
        cookies = (OPS_SESSION_COOKIE, SESSION_COOKIE)
        if not connection.scope["path"].startswith(OPS_PREFIX):
            cookies = cookies[::-1]
        cookie = next((c for c in map(connection.cookies.get, cookies) if c), None)
        principal: Principal | OperatorPrincipal
        if header or not cookie or runtime.identity is None:
            principal = await self._bearer(header, runtime)
            signed_in = None
        else:
            found = await session_principal(cookie, runtime.identity)
            if found is None:
                raise NotAuthorizedException(
                    "your session has ended; sign in again (POST /api/v1/session)"
                )
            unsafe = connection.scope.get("method", "GET") not in SAFE_METHODS
            if unsafe and not csrf_matches(found.session, connection.headers.get("x-csrf-token")):
                raise CsrfTokenInvalid(
                    "a change made with a session cookie needs the session's `X-CSRF-Token` "
                    "header (`csrf_token` of POST /api/v1/session)"
                )
            principal, signed_in = found.principal, found
        wait = runtime.limiter.take(principal.actor, time.monotonic())
        if wait:
            raise RateLimited(
                f"too many requests; retry in {wait:.1f} s",
                retry_after=runtime.limiter.retry_after(wait),
            )
        # A session's request carries what the check loaded (session and person), so
        # routes about the caller need not load them again.
        return AuthenticationResult(user=principal, auth=signed_in)

    @staticmethod
    async def _bearer(header: str, runtime: GatewayRuntime) -> Principal | OperatorPrincipal:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(
                "sign in (POST /api/v1/session) or send the brand's token as "
                "`Authorization: Bearer <token>` (create one with `uv run bespoke accounts create`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        secret = token.strip()
        principal: Principal | OperatorPrincipal | None
        if secret.startswith(API_TOKEN_PREFIX) and runtime.identity is not None:
            principal = await token_principal(secret, runtime.identity)
        elif secret.startswith(OPERATOR_TOKEN_PREFIX) and runtime.identity is not None:
            principal = await operator_token_principal(secret, runtime.identity)
        else:
            account_id = await runtime.accounts.account_id_for_token(hash_token(secret))
            principal = None if account_id is None else Principal.brand_token(account_id)
        if principal is None:
            raise NotAuthorizedException(
                "this token is not valid",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return principal


async def authorize(
    connection: ASGIConnection[Any, Any, Any, Any], route: BaseRouteHandler
) -> None:
    """Litestar guard of every brand route: the caller's role may take the route's action
    (``domain.permissions``), else ``403`` before any service is called. An operator's
    credential is refused here: operators act on `/api/v1/ops/` routes. (A coroutine
    though it never waits: Litestar runs a plain function guard in a worker thread.)"""
    principal = connection.user
    if not isinstance(principal, Principal):
        raise Forbidden("this route acts for a brand; an operator's credential cannot use it")
    operation = route.operation_id if isinstance(route, HTTPRouteHandler) else None
    principal.require(operation if isinstance(operation, str) else "")


async def authorize_operator(
    connection: ASGIConnection[Any, Any, Any, Any], route: BaseRouteHandler
) -> None:
    """Litestar guard of every `/api/v1/ops/` route: operators only (a brand's credential
    is ``403``), in a role the route allows (``domain.permissions``)."""
    principal = connection.user
    if not isinstance(principal, OperatorPrincipal):
        raise Forbidden("this route is the factory's: a brand's credential cannot use it")
    operation = route.operation_id if isinstance(route, HTTPRouteHandler) else None
    operator_may(principal.role, operation if isinstance(operation, str) else "")
