"""The payments service's internal HTTP API (called by the gateway and operator tools)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Controller, Litestar, Request, Response, post
from litestar import get as get_route
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from bespoke_contracts.api.payments import (
    INVOICE_NUMBER_PATTERN,
    InvoiceLineView,
    InvoicePage,
    InvoiceQuery,
    InvoiceView,
    PartyView,
    PaymentRequest,
    PayPage,
    StartedPayment,
)
from bespoke_payments.bootstrap import PaymentsRuntime, bootstrap
from bespoke_payments.domain import errors
from bespoke_payments.domain.invoicing import IssuedInvoice, Party
from bespoke_payments.domain.model import Invoice, InvoiceStatus
from bespoke_payments.service_layer import handlers
from bespoke_platform.app import AccountId, operators_only, query_model, service_app
from bespoke_platform.credentials import verifier_from

Target = Annotated[str, Parameter(description="An order number (or a shipping group id).")]
InvoiceNumber = Annotated[
    str, Parameter(pattern=INVOICE_NUMBER_PATTERN, description="e.g. `INV-2026-000042`.")
]


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
        payment_part=invoice.payment.part if invoice.payment else None,
        payment_amount=invoice.amount_of(invoice.payment.part) if invoice.payment else None,
        paid_at=invoice.paid_at.isoformat() if invoice.paid_at else None,
        deposit=invoice.deposit
        if invoice.status is InvoiceStatus.OPEN
        else invoice.deposit_paid or None,
        balance=invoice.balance,
        deposit_paid=invoice.deposit_paid,
    )


def _party(party: Party) -> PartyView:
    return PartyView(
        name=party.name,
        address_lines=list(party.address_lines),
        country=party.country,
        vat_id=party.vat_id,
    )


def invoice_view(issued: IssuedInvoice) -> InvoiceView:
    return InvoiceView(
        invoice_number=issued.number,
        kind=issued.kind,
        issued_at=issued.issued_at.isoformat(),
        paid_at=issued.paid_at.isoformat(),
        order_numbers=issued.order_numbers,
        seller=_party(issued.seller),
        buyer=_party(issued.buyer),
        lines=[
            InvoiceLineView(
                order_number=line.order_number,
                manufacturing=line.manufacturing,
                shipping=line.shipping,
                customization=line.customization,
                net=line.net,
            )
            for line in issued.lines
        ],
        currency=issued.currency,
        subtotal=issued.subtotal,
        vat_rate_bp=issued.vat_rate_bp,
        vat=issued.vat,
        vat_note=issued.vat_note,
        total=issued.total,
        payment_reference=issued.payment_reference,
        credits=issued.credits,
        cancellation_fee=issued.fee,
        part=issued.part,
        adjustment=issued.adjustment,
        adjustment_label=issued.adjustment_label,
        vat_check=issued.vat_check,
        pdf=f"/api/v1/invoices/{issued.number}/pdf",
    )


async def pdf_response(issued: IssuedInvoice) -> Response[bytes]:
    # ReportLab is loaded with the first PDF asked for, not by every replica at start.
    from bespoke_payments.adapters import invoice_pdf

    pdf = await asyncio.to_thread(invoice_pdf.render, issued)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{issued.number}.pdf"'},
    )


def started(invoice: Invoice) -> StartedPayment:
    assert invoice.payment is not None
    return StartedPayment(
        invoice_id=invoice.id,
        payment_intent_id=invoice.payment.payment_intent_id,
        client_secret=invoice.payment.client_secret,
        amount=invoice.amount_of(invoice.payment.part),
        currency=invoice.currency,
    )


class InvoicesController(Controller):
    path = "/internal"

    @get_route("/invoices/{target:str}")
    async def get_invoice(self, target: Target, state: State, account_id: AccountId) -> PayPage:
        runtime: PaymentsRuntime = state.runtime
        return pay_page(await handlers.pay_page(account_id, target, runtime.deps))

    @post("/invoices/{target:str}/payment", status_code=200)
    async def start(
        self,
        target: Target,
        state: State,
        account_id: AccountId,
        data: JSONBody[PaymentRequest | None] = None,
    ) -> StartedPayment:
        runtime: PaymentsRuntime = state.runtime
        asked = data.amount if data else None
        return started(await handlers.start_payment(account_id, target, runtime.deps, asked))

    @get_route("/operator/invoices/{target:str}", guards=[operators_only])
    async def operator_invoice(self, target: Target, state: State) -> PayPage:
        """The factory's operators (and `bespoke payments simulate-success`): any brand's
        invoice."""
        runtime: PaymentsRuntime = state.runtime
        return pay_page(await handlers.pay_page(None, target, runtime.deps))

    @post("/operator/invoices/{target:str}/payment", status_code=200, guards=[operators_only])
    async def operator_start(
        self, target: Target, state: State, data: JSONBody[PaymentRequest | None] = None
    ) -> StartedPayment:
        runtime: PaymentsRuntime = state.runtime
        asked = data.amount if data else None
        return started(await handlers.start_payment(None, target, runtime.deps, asked))

    @get_route("/issued", dependencies={"wanted": query_model(InvoiceQuery)})
    async def list_issued(
        self, state: State, account_id: AccountId, wanted: NamedDependency[InvoiceQuery]
    ) -> InvoicePage:
        """The brand's issued invoices, newest number first."""
        runtime: PaymentsRuntime = state.runtime
        found = await handlers.invoices_of(
            account_id, wanted.order_number, wanted.cursor, wanted.limit + 1, runtime.deps
        )
        page = found[: wanted.limit]
        more = len(found) > wanted.limit
        return InvoicePage(
            items=[invoice_view(i) for i in page], next_cursor=page[-1].number if more else None
        )

    @get_route("/issued/{number:str}")
    async def get_issued(
        self, number: InvoiceNumber, state: State, account_id: AccountId
    ) -> InvoiceView:
        runtime: PaymentsRuntime = state.runtime
        return invoice_view(await handlers.issued_invoice(account_id, number, runtime.deps))

    @get_route("/issued/{number:str}/pdf", media_type="application/pdf")
    async def get_issued_pdf(
        self, number: InvoiceNumber, state: State, account_id: AccountId
    ) -> Response[bytes]:
        runtime: PaymentsRuntime = state.runtime
        return await pdf_response(await handlers.issued_invoice(account_id, number, runtime.deps))

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
