"""The payments service's internal HTTP API (called by the gateway and operator tools)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Litestar, Request, post
from litestar import get as get_route
from litestar.datastructures import State
from litestar.params import Parameter

from bespoke_contracts.api.payments import PayPage, StartedPayment
from bespoke_payments.bootstrap import PaymentsRuntime, bootstrap
from bespoke_payments.domain import errors
from bespoke_payments.domain.model import Invoice
from bespoke_payments.service_layer import handlers
from bespoke_platform.app import AccountId, operators_only, service_app
from bespoke_platform.credentials import verifier_from

Target = Annotated[str, Parameter(description="An order number (or a shipping group id).")]


def pay_page(invoice: Invoice) -> PayPage:
    return PayPage(
        invoice_id=invoice.id,
        target=invoice.target,
        order_numbers=invoice.order_numbers,
        status=invoice.status.value,
        version=invoice.version,
        manufacturing=invoice.manufacturing,
        shipping=invoice.shipping,
        customization=invoice.customization,
        subtotal=invoice.subtotal,
        vat_rate_bp=invoice.vat_rate_bp,
        vat=invoice.vat,
        vat_note=invoice.vat_note,
        total=invoice.total,
        currency=invoice.currency,
        payment_intent_id=invoice.payment.payment_intent_id if invoice.payment else None,
        paid_at=invoice.paid_at.isoformat() if invoice.paid_at else None,
    )


def started(invoice: Invoice) -> StartedPayment:
    assert invoice.payment is not None
    return StartedPayment(
        invoice_id=invoice.id,
        payment_intent_id=invoice.payment.payment_intent_id,
        client_secret=invoice.payment.client_secret,
        amount=invoice.total,
        currency=invoice.currency,
    )


class InvoicesController(Controller):
    path = "/internal"

    @get_route("/invoices/{target:str}")
    async def get_invoice(self, target: Target, state: State, account_id: AccountId) -> PayPage:
        runtime: PaymentsRuntime = state.runtime
        return pay_page(await handlers.pay_page(account_id, target, runtime.deps))

    @post("/invoices/{target:str}/payment", status_code=200)
    async def start(self, target: Target, state: State, account_id: AccountId) -> StartedPayment:
        runtime: PaymentsRuntime = state.runtime
        return started(await handlers.start_payment(account_id, target, runtime.deps))

    @get_route("/operator/invoices/{target:str}", guards=[operators_only])
    async def operator_invoice(self, target: Target, state: State) -> PayPage:
        """The factory's operators (and `bespoke payments simulate-success`): any brand's
        invoice."""
        runtime: PaymentsRuntime = state.runtime
        return pay_page(await handlers.pay_page(None, target, runtime.deps))

    @post("/operator/invoices/{target:str}/payment", status_code=200, guards=[operators_only])
    async def operator_start(self, target: Target, state: State) -> StartedPayment:
        runtime: PaymentsRuntime = state.runtime
        return started(await handlers.start_payment(None, target, runtime.deps))

    @post("/webhooks/stripe", status_code=200)
    async def webhook(self, request: Request[Any, Any, Any], state: State) -> dict[str, str]:
        """A Stripe event: verified, deduplicated, applied."""
        runtime: PaymentsRuntime = state.runtime
        payload = await request.body()
        signature = request.headers.get("stripe-signature", "")
        outcome = await handlers.handle_webhook(payload, signature, runtime.deps)
        return {"received": "true", "outcome": outcome}


def create_app(runtime: PaymentsRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        credentials=verifier_from("payments", runtime.settings.trusted_keys),
        route_handlers=[InvoicesController],
        state={"runtime": runtime},
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        ready_checks={"kafka": lambda: runtime.broker.ping(timeout=2.0)},
        domain_errors={
            errors.InvoiceNotFound: 404,
            errors.InvoiceNotPayable: 409,
            errors.InvalidWebhook: 400,
            errors.PaymentProviderUnavailable: 503,
            handlers.ConcurrentChange: 409,
        },
    )
