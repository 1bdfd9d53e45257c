"""Public order routes: checkout and order review."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, Parameter

from bespoke_contracts.api.orders import CheckoutRequest, OrderResponse
from bespoke_gateway.adapters.upstream import UpstreamResponse
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.accounts import Account
from bespoke_gateway.domain.errors import IdempotencyKeyMissing
from bespoke_platform.problems import PROBLEM_JSON, problem_responses

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=200,
        description="Unique per order you mean to create (a UUID). Retries with the same key "
        "return the same order; a different body with a used key is refused with 409.",
    ),
]


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
        content,
        status_code=upstream.status_code,
        media_type=upstream.media_type,
        headers=headers,
    )


def request_id(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("x-request-id") or f"req_{uuid.uuid4().hex}"


class OrdersController(Controller):
    path = "/api/v1/orders"
    tags = ["Orders"]

    @post(
        "/",
        operation_id="checkOut",
        summary="Check out an order",
        status_code=201,
        responses={
            201: ResponseSpec(
                OrderResponse,
                description="The order, numbered and pending payment.",
                generate_examples=False,
            ),
            200: ResponseSpec(
                OrderResponse,
                description="A retry: the order created earlier with this key.",
                generate_examples=False,
            ),
            **problem_responses(401, 409, 422, 428, 503),
        },
    )
    async def check_out(
        self,
        data: JSONBody[CheckoutRequest],
        request: Request[Account, str, Any],
        state: State,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[OrderResponse] | Response[bytes]:
        """Check out a confirmed design version: the order gets the next sequential order
        number and waits as `pending_payment`; an email with its specifications follows."""
        if not idempotency_key:
            raise IdempotencyKeyMissing(
                "POST /orders needs an Idempotency-Key header (e.g. a fresh UUID) so a retry "
                "never creates a second order"
            )
        runtime: GatewayRuntime = state.runtime
        upstream = await runtime.orders.request(
            "POST",
            "/internal/orders/",
            account_id=request.user.account_id,
            request_id=request_id(request),
            json=data.model_dump(mode="json", exclude_none=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        location = None
        if upstream.status_code == 201:
            location = f"{self.path}/{json.loads(upstream.content)['order_number']}"
        return passthrough(upstream, request, location)

    @get(
        "/{order_number:str}",
        operation_id="getOrder",
        summary="Review an order",
        responses={
            200: ResponseSpec(OrderResponse, description="The order.", generate_examples=False),
            **problem_responses(401, 404, 503),
        },
    )
    async def get_order(
        self,
        order_number: Annotated[str, Parameter(description="e.g. `BF-000042`")],
        request: Request[Account, str, Any],
        state: State,
    ) -> Response[OrderResponse] | Response[bytes]:
        """An order of your brand with its full specifications and status."""
        runtime: GatewayRuntime = state.runtime
        upstream = await runtime.orders.request(
            "GET",
            f"/internal/orders/{order_number}",
            account_id=request.user.account_id,
            request_id=request_id(request),
        )
        return passthrough(upstream, request)
