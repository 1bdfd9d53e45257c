"""How public routes hand a request to the service that owns it, and its answer back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import annotated_types
from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, Parameter, QueryParameter
from litestar.response import Stream
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bespoke_contracts.api.query import QueryString
from bespoke_gateway.adapters.upstream import ServiceClient, UpstreamResponse
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.errors import IdempotencyKeyMissing, NotMultipart, UploadTooLarge
from bespoke_gateway.domain.operators import OperatorPrincipal
from bespoke_gateway.domain.permissions import Principal
from bespoke_gateway.domain.sessions import OPERATORS
from bespoke_gateway.service_layer.idempotency import Underway, answer_once
from bespoke_gateway.service_layer.identity import IdentityDeps
from bespoke_gateway.service_layer.links import LinkDeps
from bespoke_gateway.service_layer.ports import Clock, IdempotencyStore, StoredResponse
from bespoke_platform.app import request_id
from bespoke_platform.problems import PROBLEM_JSON, problem_responses

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Unique per thing you mean to create (a UUID). A retry with the same key "
        "returns the first answer (status and body, `Idempotent-Replayed: true`); the same key with a different body is 422.",
    ),
]

BrandRequest = Request[Principal, str, Any]
ForwardedRequest = Request[Principal | OperatorPrincipal, str, Any]
"""A request on a forwarded route: a brand's (brand routes) or an operator's (`/ops/`)."""

ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
"""What an id in a public path may look like (so it names exactly one internal path)."""

OrderNumberPath = Annotated[
    str, Parameter(description="e.g. `BF-000042`", pattern=ID_PATTERN, max_length=100)
]
GroupPath = Annotated[
    str,
    Parameter(
        description="Shipping group id, e.g. `SG-7K2M9Q4X3B`.", pattern=ID_PATTERN, max_length=100
    ),
]
DesignIdPath = Annotated[
    str, Parameter(description="Design id, e.g. `des_...`.", pattern=ID_PATTERN, max_length=100)
]


def query_parameter(model: type[QueryString], name: str, **constraints: Any) -> Any:
    """A public query parameter, described as its field in the query model the gateway
    forwards to the owning service (``bespoke_contracts.api``), so both read alike."""
    field = model.model_fields[name]
    return QueryParameter(
        name=name, description=field.description, **(_constraints(field) | constraints)
    )


_LIMITS = {
    annotated_types.MaxLen: "max_length",
    annotated_types.MinLen: "min_length",
    annotated_types.Ge: "ge",
    annotated_types.Le: "le",
    annotated_types.Gt: "gt",
    annotated_types.Lt: "lt",
}


def _constraints(field: FieldInfo) -> dict[str, Any]:
    """The model field's own limits, so a value the service's model would refuse is a
    422 here too (never a failure building the model to forward)."""
    found: dict[str, Any] = {}
    for limit in field.metadata:
        for kind, name in _LIMITS.items():
            if isinstance(limit, kind):
                found[name] = getattr(limit, name)
        if getattr(limit, "pattern", None):
            found["pattern"] = limit.pattern
    return found


ALWAYS_POSSIBLE = (400, 401, 403, 422, 429, 503)
"""Any route may answer these: an unreadable request, no valid token, a role that may not
take the route's action, an invalid parameter or body, too many requests, a service
behind the gateway down."""


def public_problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem responses of a public route: its own and those any route may give."""
    return problem_responses(*sorted(set(statuses) | set(ALWAYS_POSSIBLE)))


def documented(model: type[BaseModel], description: str) -> ResponseSpec:
    """OpenAPI documentation of a success response."""
    return ResponseSpec(model, description=description, generate_examples=False)


def require_key(key: str | None, what: str) -> str:
    if not key:
        raise IdempotencyKeyMissing(
            f"{what} needs an Idempotency-Key header (e.g. a fresh UUID) so a retry never "
            "creates it twice"
        )
    return key


def passthrough(
    upstream: UpstreamResponse, request: Request[Any, Any, Any], location: str | None = None
) -> StoredResponse:
    """The service's answer as it is: success bodies and problem details alike.

    A problem's ``instance`` names the public path, not the internal one.
    """
    content = upstream.content
    headers = dict(upstream.headers)
    if upstream.media_type.startswith(PROBLEM_JSON):
        problem = json.loads(content)
        problem["instance"] = request.url.path
        content = json.dumps(problem).encode()
    elif location is not None and upstream.status_code == 201:
        headers["Location"] = location
    return StoredResponse(upstream.status_code, upstream.media_type, headers, content)


@dataclass(frozen=True)
class Upstream:
    """The service that owns a controller's routes, for the brand making this request:
    routes name only the part of the internal path after the controller's ``prefix``."""

    client: ServiceClient
    prefix: str
    request: ForwardedRequest
    replies: IdempotencyStore
    clock: Clock
    underway: Underway

    def _caller(self) -> tuple[str, str | None]:
        """The brand the call acts for and the realm: an operator acts for no brand, and
        the service sees the factory's realm and role."""
        caller = self.request.user
        return (caller.account_id, None) if isinstance(caller, Principal) else ("", OPERATORS)

    async def upload(self, path: str, limit: int) -> Response[bytes]:
        """Pass a multipart upload on to the service as it streams in: never held whole
        here, and refused (413) past ``limit`` bytes, before reading when its
        Content-Length says so, else as soon as it crosses it."""
        request = self.request
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise NotMultipart(
                "send the file as multipart/form-data (a form with the file in its field)"
            )
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise UploadTooLarge(f"the upload is {length} bytes; files up to 10 MB are accepted")
        account_id, realm = self._caller()
        headers = {"Content-Type": content_type}
        if length is not None:
            headers["Content-Length"] = length
        upstream = await self.client.request(
            "POST",
            self.prefix + path,
            account_id=account_id,
            request_id=request_id(request),
            content=request.stream(),
            headers=headers,
            actor=request.user.actor,
            role=request.user.role.value,
            realm=realm,
        )
        return respond(passthrough(upstream, request))

    async def download(self, path: str) -> Response[bytes] | Stream:
        """A file from the service, passed on as it streams (its type, disposition and
        sniffing and script policies as the service sets them)."""
        account_id, realm = self._caller()
        streamed = await self.client.download(
            self.prefix + path,
            account_id=account_id,
            request_id=request_id(self.request),
            actor=self.request.user.actor,
            role=self.request.user.role.value,
            realm=realm,
        )
        if streamed.body is None:
            return respond(passthrough(streamed.head, self.request))
        return Stream(
            streamed.body,
            status_code=streamed.head.status_code,
            media_type=streamed.head.media_type,
            headers=streamed.head.headers,
        )

    async def call(
        self,
        method: str,
        path: str = "",
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
        created_at: tuple[str, str] | None = None,
    ) -> Response[bytes]:
        """Call the service and pass its answer on.

        A POST with an ``Idempotency-Key`` is answered once (``answer_once``): a retry
        with the same key and body gets the first answer again, with
        ``Idempotent-Replayed: true`` (the service, which creates once per key, is
        called again and creates nothing). ``created_at``:
        (public path prefix, id field) to build the ``Location`` of a 201.
        """
        sent = dict(headers or {})
        payload = body.model_dump(mode="json", exclude_none=True) if body is not None else None
        caller = self.request.user
        account_id, realm = self._caller()

        async def send() -> StoredResponse:
            upstream = await self.client.request(
                method,
                self.prefix + path,
                account_id=account_id,
                request_id=request_id(self.request),
                json=payload,
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers=sent,
                actor=caller.actor,
                role=caller.role.value,
                realm=realm,
            )
            location = None
            if created_at is not None and upstream.status_code == 201:
                public_prefix, field = created_at
                location = f"{public_prefix}/{json.loads(upstream.content)[field]}"
            return passthrough(upstream, self.request, location)

        if idempotency_key is None:
            return respond(await send())
        sent["Idempotency-Key"] = idempotency_key
        if method != "POST":
            return respond(await send())
        answer = await answer_once(
            self.replies,
            self.clock,
            self.underway,
            account_id=account_id,
            method=method,
            path=self.request.url.path,
            key=idempotency_key,
            payload=payload,
            call=send,
        )
        if answer.replayed:
            return respond(answer.response, {"Idempotent-Replayed": "true"})
        return respond(answer.response)


def respond(stored: StoredResponse, extra: dict[str, str] | None = None) -> Response[bytes]:
    """An answer, as Litestar sends it."""
    return Response(
        stored.content,
        status_code=stored.status_code,
        media_type=stored.media_type,
        headers={**stored.headers, **(extra or {})},
    )


def people(state: State) -> IdentityDeps:
    """The gateway's users, operators, sessions and API tokens (``GatewayRuntime.people``)."""
    runtime: GatewayRuntime = state.runtime
    return runtime.people()


def password_links(state: State) -> LinkDeps:
    """Invitations and password resets (``GatewayRuntime.password_links``)."""
    runtime: GatewayRuntime = state.runtime
    return runtime.password_links()


ServiceName = Literal["design", "orders", "payments", "shipping"]

OwningService = NamedDependency[Upstream]
"""A route's ``upstream`` parameter: the controller's service (see ``owned_by``)."""


def owned_by(service: ServiceName, prefix: str) -> Provide:
    """A controller's ``upstream`` dependency: ``service``'s internal API under ``prefix``."""

    def provide(request: ForwardedRequest, state: State) -> Upstream:
        runtime: GatewayRuntime = state.runtime
        client: ServiceClient = getattr(runtime, service)
        return Upstream(
            client, prefix, request, runtime.idempotency, runtime.clock, runtime.underway
        )

    return Provide(provide, sync_to_thread=False)
