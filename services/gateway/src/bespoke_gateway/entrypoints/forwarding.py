"""How public routes hand a request to the service that owns it, and its answer back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, Parameter
from pydantic import BaseModel

from bespoke_gateway.adapters.idempotency import (
    MongoIdempotency,
    StoredResponse,
    fingerprint,
    record_id,
)
from bespoke_gateway.adapters.upstream import ServiceClient, UpstreamResponse
from bespoke_gateway.domain.accounts import Account
from bespoke_gateway.domain.errors import IdempotencyKeyMissing
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

BrandRequest = Request[Account, str, Any]

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


ALWAYS_POSSIBLE = (400, 401, 422, 429, 503)
"""Any route may answer these: an unreadable request, no valid token, an invalid
parameter or body, too many requests, a service behind the gateway down."""


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
) -> Response[bytes]:
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
    return Response(
        content, status_code=upstream.status_code, media_type=upstream.media_type, headers=headers
    )


async def forward(
    service: ServiceClient,
    request: BrandRequest,
    method: str,
    path: str,
    *,
    body: BaseModel | None = None,
    params: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    extra_headers: dict[str, str] | None = None,
    created_at: tuple[str, str] | None = None,
) -> Response[bytes]:
    """Call ``service`` for the authenticated brand and pass its answer on.

    A POST with an ``Idempotency-Key`` is answered once: a retry with the same key and
    body gets the first answer again (same status and body, ``Idempotent-Replayed:
    true``) without calling the service; the same key with a different body is 422.
    ``created_at``: (public path prefix, id field) to build the ``Location`` of a 201.
    """
    headers = dict(extra_headers or {})
    payload = body.model_dump(mode="json", exclude_none=True) if body is not None else None
    account_id = request.user.account_id
    store: MongoIdempotency | None = None
    rid = ""
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
        if method == "POST":
            store = request.app.state.runtime.idempotency
            rid = record_id(account_id, method, request.url.path, idempotency_key)
            canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
            stored = await store.begin(rid, account_id, fingerprint(canonical), datetime.now(UTC))
            if stored is not None:
                return Response(
                    stored.content,
                    status_code=stored.status_code,
                    media_type=stored.media_type,
                    headers={**stored.headers, "Idempotent-Replayed": "true"},
                )
    try:
        upstream = await service.request(
            method,
            path,
            account_id=account_id,
            request_id=request_id(request),
            json=payload,
            params={k: v for k, v in (params or {}).items() if v is not None},
            headers=headers,
        )
    except BaseException:
        if store is not None:
            await store.abandon(rid)
        raise
    location = None
    if created_at is not None and upstream.status_code == 201:
        prefix, field = created_at
        location = f"{prefix}/{json.loads(upstream.content)[field]}"
    response = passthrough(upstream, request, location)
    if store is not None:
        kept = {k: v for k, v in response.headers.items() if k.lower() == "location"}
        await store.finish(
            rid,
            StoredResponse(upstream.status_code, upstream.media_type, kept, response.content),
        )
    return response
