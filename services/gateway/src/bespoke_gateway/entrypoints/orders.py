"""Public order routes: checkout and order review."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, patch, post
from litestar.params import JSONBody

from bespoke_contracts import OrderStatus, OrderType, ProductionStage
from bespoke_contracts.api.orders import (
    CancelRequest,
    CheckoutRequest,
    OrderEdit,
    OrderHistory,
    OrderList,
    OrderPoolQuery,
    OrderResponse,
    PaymentStatus,
)
from bespoke_gateway.domain.errors import Forbidden
from bespoke_gateway.domain.permissions import Action, Principal, allowed
from bespoke_gateway.entrypoints.forwarding import (
    IdempotencyKey,
    OrderNumberPath,
    OwningService,
    documented,
    owned_by,
    public_problems,
    query_parameter,
    require_key,
)


def pool_parameter(name: str, **constraints: Any) -> Any:
    return query_parameter(OrderPoolQuery, name, **constraints)


class OrdersController(Controller):
    path = "/api/v1/orders"
    tags = ["Orders"]
    dependencies = {"upstream": owned_by("orders", "/internal/orders")}

    @post(
        "/",
        operation_id="checkOut",
        summary="Check out an order",
        status_code=201,
        responses={
            201: documented(OrderResponse, "The order, numbered and pending payment."),
            200: documented(OrderResponse, "A retry: the order created earlier with this key."),
            **public_problems(401, 409, 422, 428, 503),
        },
    )
    async def check_out(
        self,
        data: JSONBody[CheckoutRequest],
        upstream: OwningService,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Check out a confirmed design version: the order gets the next sequential order
        number and waits as `pending_payment`; an email with its specifications follows."""
        return await upstream.call(
            "POST",
            "/",
            body=data,
            idempotency_key=require_key(idempotency_key, "POST /orders"),
            created_at=(self.path, "order_number"),
        )

    @get(
        "/",
        operation_id="listOrders",
        summary="The order pool",
        responses={
            200: documented(OrderList, "A page of orders."),
            **public_problems(400, 401, 503),
        },
    )
    async def list_orders(
        self,
        upstream: OwningService,
        status: Annotated[OrderStatus | None, pool_parameter("status")] = None,
        production_stage: Annotated[
            ProductionStage | None, pool_parameter("production_stage")
        ] = None,
        payment_status: Annotated[PaymentStatus | None, pool_parameter("payment_status")] = None,
        order_type: Annotated[OrderType | None, pool_parameter("order_type")] = None,
        design_id: Annotated[str | None, pool_parameter("design_id")] = None,
        created_from: Annotated[datetime | None, pool_parameter("created_from")] = None,
        created_to: Annotated[datetime | None, pool_parameter("created_to")] = None,
        q: Annotated[str | None, pool_parameter("q", max_length=20)] = None,
        sort: Annotated[Literal["newest", "oldest"], pool_parameter("sort")] = "newest",
        limit: Annotated[int, pool_parameter("limit", ge=1, le=100)] = 20,
        cursor: Annotated[str | None, pool_parameter("cursor")] = None,
    ) -> Response[bytes]:
        """Your brand's orders with filters and text search on the order number. Pages follow
        the order numbers: orders placed while you page never appear twice or go missing."""
        pool = OrderPoolQuery(
            status=status,
            production_stage=production_stage,
            payment_status=payment_status,
            order_type=order_type,
            design_id=design_id,
            created_from=created_from,
            created_to=created_to,
            q=q,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
        return await upstream.call("GET", "/", params=pool.as_params())

    @patch(
        "/{order_number:str}",
        operation_id="editOrder",
        summary="Edit a pending order",
        responses={
            200: documented(OrderResponse, "The order's new version, re-priced."),
            **public_problems(401, 404, 409, 422, 503),
        },
    )
    async def edit(
        self,
        order_number: OrderNumberPath,
        data: JSONBody[OrderEdit],
        upstream: OwningService,
    ) -> Response[bytes]:
        """Change the sizes, shipping address or billing of an order still pending payment.
        It is re-priced and becomes a new version. Paid or cancelled orders are 409."""
        return await upstream.call("PATCH", f"/{order_number}", body=data)

    @post(
        "/{order_number:str}/cancel",
        operation_id="cancelOrder",
        summary="Cancel an order",
        status_code=200,
        responses={
            200: documented(OrderResponse, "The cancelled order, with its `refund` if paid."),
            **public_problems(401, 403, 404, 409, 422, 503),
        },
    )
    async def cancel(
        self,
        order_number: OrderNumberPath,
        upstream: OwningService,
        data: JSONBody[CancelRequest | None] = None,
    ) -> Response[bytes]:
        """Cancel an order. Pending payment: free. Paid and before the floor received it:
        refunded in full. From `received` on: a fee for its stage is kept and the rest
        refunded, only with `{"accept_fee": true}` (else `409` stating `fee` and
        `refund`). Shipped or cancelled orders: `409`. The refund goes back through
        Stripe with a credit note; the order's `refund` shows its `status`."""
        caller = upstream.request.user
        if isinstance(caller, Principal) and not allowed(caller.role, Action.CANCEL_ORDER):
            # Finance cancels paid orders only. An order never goes back to pending, so
            # what is read here stays true when the cancel arrives.
            current = await upstream.call("GET", f"/{order_number}")
            if current.status_code != 200:
                return current
            if json.loads(current.content)["status"] == OrderStatus.PENDING_PAYMENT.value:
                raise Forbidden(
                    f"your role `{caller.role.value}` may cancel paid orders only; "
                    "ask an owner or admin of your brand to cancel a pending one"
                )
        return await upstream.call("POST", f"/{order_number}/cancel", body=data)

    @post(
        "/{order_number:str}/clone",
        operation_id="cloneOrder",
        summary="Order again",
        status_code=201,
        responses={
            201: documented(OrderResponse, "The new order, numbered and pending payment."),
            200: documented(OrderResponse, "A retry: the order made earlier with this key."),
            **public_problems(401, 404, 409, 422, 428, 503),
        },
    )
    async def clone(
        self,
        order_number: OrderNumberPath,
        upstream: OwningService,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Repeat an order: a new order pending payment with the same design version,
        sizes and addresses, priced today (hand-dyed materials may look slightly
        different). `409` when the design version can no longer be made as it was
        confirmed."""
        return await upstream.call(
            "POST",
            f"/{order_number}/clone",
            idempotency_key=require_key(idempotency_key, f"POST /orders/{order_number}/clone"),
            created_at=("/api/v1/orders", "order_number"),
        )

    @get(
        "/{order_number:str}/history",
        operation_id="getOrderHistory",
        summary="An order's status timeline",
        responses={
            200: documented(OrderHistory, "Every status change, oldest first."),
            **public_problems(401, 404, 503),
        },
    )
    async def history(
        self, order_number: OrderNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """When the order changed status and why (`request:<id>` or `event:<event_id>`)."""
        return await upstream.call("GET", f"/{order_number}/history")

    @get(
        "/{order_number:str}",
        operation_id="getOrder",
        summary="Review an order",
        responses={
            200: documented(OrderResponse, "The order."),
            **public_problems(401, 404, 503),
        },
    )
    async def get_order(
        self,
        order_number: OrderNumberPath,
        upstream: OwningService,
    ) -> Response[bytes]:
        """An order of your brand with its full specifications and status."""
        return await upstream.call("GET", f"/{order_number}")
