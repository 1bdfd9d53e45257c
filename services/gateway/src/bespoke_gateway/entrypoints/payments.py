"""Public payment routes: the Pay page, starting a Stripe payment, Stripe's webhooks."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import JSONBody, Parameter

from bespoke_contracts.api.payments import (
    INVOICE_NUMBER_PATTERN,
    InvoicePage,
    InvoiceQuery,
    InvoiceView,
    PaymentRequest,
    PayPage,
    StartedPayment,
)
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.entrypoints.forwarding import (
    GroupPath,
    OrderNumberPath,
    OwningService,
    documented,
    owned_by,
    passthrough,
    public_problems,
    query_parameter,
    respond,
)
from bespoke_platform.app import request_id


class OrderPaymentController(Controller):
    path = "/api/v1/orders/{order_number:str}/payment"
    tags = ["Payments"]
    dependencies = {"upstream": owned_by("payments", "/internal/invoices")}

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
        self, order_number: OrderNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """Manufacturing, shipping and customization costs, the total and the currency."""
        return await upstream.call("GET", f"/{order_number}")

    @post(
        "/",
        operation_id="startOrderPayment",
        summary="Pay an order",
        status_code=200,
        responses={
            200: documented(StartedPayment, "A Stripe PaymentIntent to confirm with Stripe.js."),
            **public_problems(401, 404, 409, 422, 503),
        },
    )
    async def start(
        self,
        order_number: OrderNumberPath,
        upstream: OwningService,
        data: JSONBody[PaymentRequest | None] = None,
    ) -> Response[bytes]:
        """Start paying with Stripe: all of it, or (from a `total` of EUR 1,499.00)
        `{"amount": "deposit"}`, half, which launches production, then `{"amount":
        "balance"}`, due before shipping. Asking again returns the same PaymentIntent; a
        paid or void invoice is 409. The order moves to Work In Process when Stripe
        reports success."""
        return await upstream.call("POST", f"/{order_number}/payment", body=data)


class GroupPaymentController(Controller):
    path = "/api/v1/shipping-groups/{group_id:str}/payment"
    tags = ["Payments"]
    dependencies = {"upstream": owned_by("payments", "/internal/invoices")}

    @get(
        "/",
        operation_id="getShippingGroupPayment",
        summary="The Pay page of a shipping group",
        responses={
            200: documented(PayPage, "The costs to pay."),
            **public_problems(401, 404, 503),
        },
    )
    async def pay_page(self, group_id: GroupPath, upstream: OwningService) -> Response[bytes]:
        """One invoice for every order of the group: their manufacturing and customization
        and the group's shipping cost."""
        return await upstream.call("GET", f"/{group_id}")

    @post(
        "/",
        operation_id="startShippingGroupPayment",
        summary="Pay a shipping group",
        status_code=200,
        responses={
            200: documented(StartedPayment, "A Stripe PaymentIntent for the whole group."),
            **public_problems(401, 404, 409, 422, 503),
        },
    )
    async def start(
        self,
        group_id: GroupPath,
        upstream: OwningService,
        data: JSONBody[PaymentRequest | None] = None,
    ) -> Response[bytes]:
        """One payment for the whole group (or its deposit, then its balance, as for an
        order); every order moves to Work In Process when it clears."""
        return await upstream.call("POST", f"/{group_id}/payment", body=data)


InvoiceNumberPath = Annotated[
    str,
    Parameter(
        pattern=INVOICE_NUMBER_PATTERN,
        description="An invoice or credit note number, e.g. `INV-2026-000042`.",
        examples=[Example(value="INV-2026-000042")],
    ),
]


def invoice_parameter(name: str, **constraints: Any) -> Any:
    return query_parameter(InvoiceQuery, name, **constraints)


class InvoicesController(Controller):
    path = "/api/v1/invoices"
    tags = ["Payments"]
    dependencies = {"upstream": owned_by("payments", "/internal/issued")}

    @get(
        "/",
        operation_id="listInvoices",
        summary="Your brand's invoices",
        responses={
            200: documented(InvoicePage, "Newest first."),
            **public_problems(401, 422, 503),
        },
    )
    async def list_invoices(
        self,
        upstream: OwningService,
        order_number: Annotated[str | None, invoice_parameter("order_number")] = None,
        limit: Annotated[int, invoice_parameter("limit", ge=1, le=100)] = 20,
        cursor: Annotated[str | None, invoice_parameter("cursor")] = None,
    ) -> Response[bytes]:
        """Every invoice a payment of yours issued (`INV-YYYY-NNNNNN`, sequential within
        the year), newest first; `order_number` gives one order's."""
        query = InvoiceQuery(order_number=order_number, limit=limit, cursor=cursor)
        return await upstream.call("GET", "/", params=query.as_params())

    @get(
        "/{invoice_number:str}",
        operation_id="getInvoice",
        summary="One invoice",
        responses={
            200: documented(InvoiceView, "Seller, buyer, lines, VAT and payment."),
            **public_problems(401, 404, 503),
        },
    )
    async def invoice(
        self, invoice_number: InvoiceNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """The invoice as issued: it never changes."""
        return await upstream.call("GET", f"/{invoice_number}")

    @get(
        "/{invoice_number:str}/pdf",
        operation_id="getInvoicePdf",
        summary="One invoice as a PDF",
        media_type="application/pdf",
        responses={
            200: ResponseSpec(
                bytes,
                description="The invoice, A4.",
                media_type="application/pdf",
                generate_examples=False,
            ),
            **public_problems(401, 404, 503),
        },
    )
    async def invoice_pdf(
        self, invoice_number: InvoiceNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """Seller and buyer with their VAT numbers, each order's lines, the VAT breakdown
        and its wording, the payment reference."""
        return await upstream.call("GET", f"/{invoice_number}/pdf")


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
        return respond(passthrough(upstream, request))
