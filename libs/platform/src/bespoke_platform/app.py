"""The Litestar app every service runs: health check, lifespan hooks, problem details, and
the signed credential every call to its API must carry."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, Final, TypeVar

from litestar import Litestar, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.openapi import OpenAPIConfig
from litestar.params import HeaderParameter
from litestar.template.config import TemplateConfig
from litestar.types import (
    ASGIApp,
    ControllerRouterHandler,
    Message,
    Middleware,
    Receive,
    Scope,
    Send,
)
from pydantic import BaseModel, ValidationError
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from bespoke_platform import observability, tracing
from bespoke_platform.addresses import CALLS_LIMITED
from bespoke_platform.credentials import (
    BRANDS,
    OPERATORS,
    Claims,
    CredentialVerifier,
    InvalidCredential,
)
from bespoke_platform.problems import exception_handlers

Hook = Callable[[], Awaitable[Any]]
QueryModel = TypeVar("QueryModel", bound=BaseModel)

AccountId = NamedDependency[str]
"""Internal APIs: the brand a request acts for, from its verified credential (never from a
header): a route with an ``account_id: AccountId`` parameter takes brand calls only."""
RequestId = Annotated[
    str, HeaderParameter(name="X-Request-Id", description="Correlates logs and events.")
]
"""Internal APIs: the caller's request id, the correlation id of the events it causes."""
Actor = NamedDependency[str | None]
"""Internal APIs: the person or script a request acts for (`user:…`, `api-token:…`,
`token:<brand>`, `operator:…`), from its verified credential; recorded with the changes
it makes."""
REQUEST_ID_HEADER = "x-request-id"
ReadyCheck = Callable[[], Awaitable[bool]]


def query_model(model: type[QueryModel]) -> Provide:
    """A route dependency: the request's query string, validated into ``model`` (one model
    shared by the gateway and the service, in ``bespoke_contracts.api``). Invalid values
    are a 422 problem naming each parameter, like every invalid request."""

    def parse(request: Request[Any, Any, Any]) -> QueryModel:
        try:
            return model.model_validate(dict(request.query_params))
        except ValidationError as error:
            raise ValidationException(
                "the query string is not valid",
                extra=[
                    {
                        "key": ".".join(str(p) for p in e["loc"]),
                        "message": e["msg"],
                        "source": "query",
                    }
                    for e in error.errors()
                ],
            ) from error

    return Provide(parse, sync_to_thread=False)


def request_id(request: Request[Any, Any, Any]) -> str:
    """The request's id: the caller's ``X-Request-Id`` if sane, else one made for it."""
    return _incoming_id(request.scope)


def _incoming_id(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        given = ""
        for name, value in scope.get("headers", []):
            if name.decode("latin-1").lower() == REQUEST_ID_HEADER:
                given = value.decode("latin-1").strip()
        state["request_id"] = given if _SANE_ID.fullmatch(given) else f"req_{uuid.uuid4().hex}"
    found: str = state["request_id"]
    return found


class RequestIdMiddleware:
    """Takes the caller's ``X-Request-Id`` (if sane) or makes one, and keeps it in the
    request's state for logs, calls to other services and events (see
    :func:`add_request_id`, which returns it on every response, 404s included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        scope["state"]["started"] = time.perf_counter()
        with observability.bound(request_id=_incoming_id(scope)):
            if scope["path"] in _UNTRACED:
                await self.app(scope, receive, send)
                return
            headers = {
                name.decode("latin-1").lower(): value.decode("latin-1")
                for name, value in scope.get("headers", [])
            }
            with tracing.server_span(scope["method"], headers, scope["path"]) as span:
                scope["state"]["span"] = span
                try:
                    await self.app(scope, receive, send)
                except Exception as error:
                    # A refusal (401, 429...) raised by a middleware is an answer, not a
                    # failure: no traceback for each of a flood of bad credentials.
                    if not (isinstance(error, HTTPException) and error.status_code < 500):
                        tracing.record_failure(span, error)
                    raise


async def add_request_id(message: Message, scope: Scope) -> None:
    """``before_send`` hook: the request id on the response."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", []))
        headers.append((b"x-request-id", _incoming_id(scope).encode("latin-1")))
        message["headers"] = headers
        state = scope.get("state", {})
        started = state.get("started")
        route = scope.get("path_template") or "unmatched"
        if "span" in state:
            tracing.finish_server_span(
                state["span"],
                str(scope.get("method", "")),
                scope.get("path_template"),
                message["status"],
            )
        if started is not None and route not in ("/metrics", "/health/live", "/health/ready"):
            observability.HTTP_DURATION.labels(
                scope.get("method", ""), route, str(message["status"])
            ).observe(time.perf_counter() - started)


_SANE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_UNTRACED = frozenset({"/metrics", "/health", "/health/live", "/health/ready"})


HEALTH_PATH: Final = r"^/health(/live|/ready)?$"
"""The health checks' paths, whole; every other path is an API's."""
OPEN_PATHS = re.compile(HEALTH_PATH)
"""What answers without a credential: health (for the kubelet). Metrics are on a port of
their own (``serving.serve``)."""


class CredentialMiddleware(AbstractAuthenticationMiddleware):
    """Every call but health carries ``Authorization: Bearer <credential>``,
    signed by a caller this service trusts and meant for it; else ``401``, whatever else
    the request says."""

    def __init__(self, app: ASGIApp, verifier: CredentialVerifier) -> None:
        super().__init__(app)
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and OPEN_PATHS.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(
                "this service answers signed calls only (a credential from the gateway)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            claims = self.verifier.verify(token.strip())
        except InvalidCredential as error:
            raise NotAuthorizedException(
                str(error), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from error
        limits = CALLS_LIMITED.get((self.verifier.audience, claims.issuer))
        if limits is not None and not any(
            connection.scope.get("method") == method and re.fullmatch(path, connection.url.path)
            for method, path in limits
        ):
            raise PermissionDeniedException(
                f"{claims.issuer} may not call {connection.scope.get('method')} "
                f"{connection.url.path} of {self.verifier.audience}"
            )
        return AuthenticationResult(user=claims, auth=token)


def _claims(request: Request[Any, Any, Any]) -> Claims:
    claims = request.scope.get("user")
    if not isinstance(claims, Claims):
        raise NotAuthorizedException("this service answers signed calls only")
    return claims


def _account_id(request: Request[Any, Any, Any]) -> str:
    claims = _claims(request)
    if claims.realm != BRANDS or claims.account_id is None:
        raise PermissionDeniedException("this route acts for a brand; the call names none")
    return claims.account_id


def _actor(request: Request[Any, Any, Any]) -> str | None:
    return _claims(request).actor


async def operators_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard of the factory's own internal routes: an operator's credential only. (A
    coroutine though it never waits: Litestar runs a plain function guard in a worker
    thread.)"""
    claims = connection.scope.get("user")
    if not isinstance(claims, Claims) or claims.realm != OPERATORS:
        raise PermissionDeniedException("this route is the factory's: an operator's call only")


def service_app(
    *,
    mongo: AsyncMongoClient[Any],
    route_handlers: Sequence[ControllerRouterHandler] = (),
    state: Mapping[str, Any] | None = None,
    domain_errors: Mapping[type[Exception], int] | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    ready_checks: Mapping[str, ReadyCheck] | None = None,
    middleware: Sequence[Middleware] = (),
    openapi_config: OpenAPIConfig | None = None,
    template_config: TemplateConfig[Any] | None = None,
    credentials: CredentialVerifier | None = None,
    response_headers: Mapping[str, str] | None = None,
) -> Litestar:
    """A service's HTTP app.

    ``GET /health/live`` answers 200 while the process serves requests (liveness).
    ``GET /health/ready`` (and ``/health``, its older name) answers 200 once MongoDB
    answers and every ``ready_checks`` entry (e.g. the Kafka broker) says yes, else 503
    naming what is not ready (readiness; the local stack waits on it).
    Every response carries ``X-Request-Id``: the caller's, or a new one (see
    :func:`request_id`).
    Startup hooks run in order before the first request; shutdown hooks run in reverse,
    then the MongoDB client closes.
    With ``credentials``, every other route needs a call signed by a trusted caller
    (``CredentialMiddleware``), and routes read the brand and actor from it
    (``AccountId``, ``Actor``). ``response_headers`` go on every response (errors and
    404s included), e.g. the security headers of what browsers load.
    """

    checks = dict(ready_checks or {})

    @get("/health/live", operation_id="live", include_in_schema=False)
    async def live() -> dict[str, str]:
        """The process is up and serving."""
        return {"status": "ok"}

    @get(["/health", "/health/ready"], operation_id="ready", include_in_schema=False)
    async def health() -> Response[dict[str, Any]]:
        """Ready when the service's database and brokers answer."""
        failing = []
        try:
            await mongo.admin.command("ping")
        except PyMongoError:
            failing.append("mongodb")
        for name, check in checks.items():
            try:
                ready = await check()
            except Exception:
                ready = False
            if not ready:
                failing.append(name)
        if failing:
            return Response(
                {"status": "unavailable", "failing": failing},
                status_code=503,
                headers={"Retry-After": "5"},
            )
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
    if template_config is not None:
        extra["template_config"] = template_config
    before_send = [add_request_id]
    if response_headers:
        fixed = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response_headers.items()
        ]

        async def add_headers(message: Message, scope: Scope) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in fixed if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]

        before_send.append(add_headers)
    signed: list[Middleware] = []
    if credentials is not None:
        signed = [DefineMiddleware(CredentialMiddleware, verifier=credentials)]
        extra["dependencies"] = {
            "account_id": Provide(_account_id, sync_to_thread=False),
            "actor": Provide(_actor, sync_to_thread=False),
        }
    return Litestar(
        route_handlers=[*route_handlers, live, health],
        state=State(dict(state or {})),
        lifespan=[lifespan],
        middleware=[DefineMiddleware(RequestIdMiddleware), *signed, *middleware],
        before_send=before_send,
        exception_handlers=exception_handlers(domain_errors or {}),
        **extra,
    )
