"""Public payment routes: the Pay page, starting a Stripe payment, Stripe's webhooks."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State

from bespoke_contracts.api.payments import PayPage, StartedPayment
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.entrypoints.forwarding import (
    BrandRequest,
    GroupPath,
    OrderNumberPath,
    documented,
    forward,
    passthrough,
    public_problems,
)
from bespoke_platform.app import request_id


class OrderPaymentController(Controller):
    path = "/api/v1/orders/{order_number:str}/payment"
    tags = ["Payments"]

    @get(
        "/",
        operation_id="getOrderPayment",
        summary="The Pay page of an order",
        responses={
            200: documented(PayPage, "The costs to pay."),
            **public_problems(401, 404, 503),
        },
    )
    async def pay_page(
        self, order_number: OrderNumberPath, request: BrandRequest, state: State
    ) -> Response[bytes]:
        """Manufacturing, shipping and customization costs, the total and the currency."""
        runtime: GatewayRuntime = state.runtime
        return await forward(runtime.payments, request, "GET", f"/internal/invoices/{order_number}")

    @post(
        "/",
        operation_id="startOrderPayment",
        summary="Pay an order",
        status_code=200,
        responses={
            200: documented(StartedPayment, "A Stripe PaymentIntent to confirm with Stripe.js."),
            **public_problems(401, 404, 409, 503),
        },
    )
    async def start(
        self, order_number: OrderNumberPath, request: BrandRequest, state: State
    ) -> Response[bytes]:
        """Start paying with Stripe. Asking again returns the same PaymentIntent; a paid or
        void invoice is 409. The order moves to Work In Process when Stripe reports success."""
        runtime: GatewayRuntime = state.runtime
        return await forward(
            runtime.payments, request, "POST", f"/internal/invoices/{order_number}/payment"
        )


class GroupPaymentController(Controller):
    path = "/api/v1/shipping-groups/{group_id:str}/payment"
    tags = ["Payments"]

    @get(
        "/",
        operation_id="getShippingGroupPayment",
        summary="The Pay page of a shipping group",
        responses={
            200: documented(PayPage, "The costs to pay."),
            **public_problems(401, 404, 503),
        },
    )
    async def pay_page(
        self, group_id: GroupPath, request: BrandRequest, state: State
    ) -> Response[bytes]:
        """One invoice for every order of the group: their manufacturing and customization
        and the group's shipping cost."""
        runtime: GatewayRuntime = state.runtime
        return await forward(runtime.payments, request, "GET", f"/internal/invoices/{group_id}")

    @post(
        "/",
        operation_id="startShippingGroupPayment",
        summary="Pay a shipping group",
        status_code=200,
        responses={
            200: documented(StartedPayment, "A Stripe PaymentIntent for the whole group."),
            **public_problems(401, 404, 409, 503),
        },
    )
    async def start(
        self, group_id: GroupPath, request: BrandRequest, state: State
    ) -> Response[bytes]:
        """One payment for the whole group; every order moves to Work In Process when it clears."""
        runtime: GatewayRuntime = state.runtime
        return await forward(
            runtime.payments, request, "POST", f"/internal/invoices/{group_id}/payment"
        )


class StripeWebhookController(Controller):
    path = "/api/v1/webhooks/stripe"
    tags = ["Payments"]

    @post(
        "/",
        operation_id="stripeWebhook",
        summary="Stripe events",
        status_code=200,
        security=[],
        responses=public_problems(400, 503),
    )
    async def webhook(self, request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        """Called by Stripe, not by brands: verified by its `Stripe-Signature` header."""
        runtime: GatewayRuntime = state.runtime
        upstream = await runtime.payments.request(
            "POST",
            "/internal/webhooks/stripe",
            account_id="",
            request_id=request_id(request),
            content=await request.body(),
            headers={
                "Stripe-Signature": request.headers.get("stripe-signature", ""),
                "Content-Type": "application/json",
            },
        )
        return passthrough(upstream, request)
