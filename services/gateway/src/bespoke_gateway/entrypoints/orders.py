"""Public order routes: checkout and order review."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter

from bespoke_contracts.api.orders import CheckoutRequest, OrderHistory, OrderResponse
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.entrypoints.forwarding import (
    BrandRequest,
    IdempotencyKey,
    documented,
    forward,
    require_key,
)
from bespoke_platform.problems import problem_responses

OrderNumberPath = Annotated[str, Parameter(description="e.g. `BF-000042`")]


class OrdersController(Controller):
    path = "/api/v1/orders"
    tags = ["Orders"]

    @post(
        "/",
        operation_id="checkOut",
        summary="Check out an order",
        status_code=201,
        responses={
            201: documented(OrderResponse, "The order, numbered and pending payment."),
            200: documented(OrderResponse, "A retry: the order created earlier with this key."),
            **problem_responses(401, 409, 422, 428, 503),
        },
    )
    async def check_out(
        self,
        data: JSONBody[CheckoutRequest],
        request: BrandRequest,
        state: State,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Check out a confirmed design version: the order gets the next sequential order
        number and waits as `pending_payment`; an email with its specifications follows."""
        runtime: GatewayRuntime = state.runtime
        return await forward(
            runtime.orders,
            request,
            "POST",
            "/internal/orders/",
            body=data,
            idempotency_key=require_key(idempotency_key, "POST /orders"),
            created_at=(self.path, "order_number"),
        )

    @post(
        "/{order_number:str}/cancel",
        operation_id="cancelOrder",
        summary="Cancel a pending order",
        status_code=200,
        responses={
            200: documented(OrderResponse, "The cancelled order."),
            **problem_responses(401, 404, 409, 503),
        },
    )
    async def cancel(
        self, order_number: OrderNumberPath, request: BrandRequest, state: State
    ) -> Response[bytes]:
        """Cancel an order that is still pending payment. Paid or cancelled orders are 409."""
        runtime: GatewayRuntime = state.runtime
        return await forward(
            runtime.orders, request, "POST", f"/internal/orders/{order_number}/cancel"
        )

    @get(
        "/{order_number:str}/history",
        operation_id="getOrderHistory",
        summary="An order's status timeline",
        responses={
            200: documented(OrderHistory, "Every status change, oldest first."),
            **problem_responses(401, 404, 503),
        },
    )
    async def history(
        self, order_number: OrderNumberPath, request: BrandRequest, state: State
    ) -> Response[bytes]:
        """When the order changed status and why (`request:<id>` or `event:<event_id>`)."""
        runtime: GatewayRuntime = state.runtime
        return await forward(
            runtime.orders, request, "GET", f"/internal/orders/{order_number}/history"
        )

    @get(
        "/{order_number:str}",
        operation_id="getOrder",
        summary="Review an order",
        responses={
            200: documented(OrderResponse, "The order."),
            **problem_responses(401, 404, 503),
        },
    )
    async def get_order(
        self,
        order_number: OrderNumberPath,
        request: BrandRequest,
        state: State,
    ) -> Response[bytes]:
        """An order of your brand with its full specifications and status."""
        runtime: GatewayRuntime = state.runtime
        return await forward(runtime.orders, request, "GET", f"/internal/orders/{order_number}")
