"""Money on the real stack: VAT by billing country, computed at checkout and carried to
the Pay page, paid through stripe-mock and signed webhooks, and accepted by orders only
at that total."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from bespoke.payments import simulate_success
from bespoke_contracts.formatting import money
from bespoke_contracts.vat import line_vat

from .conftest import checkout_body
from .test_payments import wait_for_status

pytestmark = pytest.mark.stack


def billed_in(country: str, vat_id: str | None = None) -> dict[str, Any]:
    address = {
        "name": "Brand HQ",
        "line1": "Main street 1",
        "city": "Somewhere",
        "postal_code": "1000",
        "country": country,
    }
    billing: dict[str, Any] = {"name": "Brand Ltd", "email": "vat@e2e.example", "address": address}
    if vat_id is not None:
        billing["vat_id"] = vat_id
    return billing


async def check_out(
    api: httpx.AsyncClient, design: dict[str, Any], **changes: Any
) -> httpx.Response:
    return await api.post(
        "/orders",
        json=checkout_body("vat@e2e.example", design, **changes),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


async def pay_page(api: httpx.AsyncClient, number: str) -> dict[str, Any]:
    async with asyncio.timeout(30):  # the invoice opens from order.submitted
        while True:
            page = await api.get(f"/orders/{number}/payment")
            if page.status_code == 200:
                answer: dict[str, Any] = page.json()
                return answer
            await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    ("country", "vat_id", "rate_bp", "note"),
    [
        ("PT", None, 2100, "no EU VAT number"),
        ("DE", "DE 136 695 976", 0, "Reverse charge"),
        ("US", None, 0, "Export outside the EU"),
        ("ES", "ESA28017895", 2100, "Spanish VAT"),
    ],
)
async def test_vat_follows_the_billing_country_to_the_paid_order(
    api: httpx.AsyncClient,
    design: dict[str, Any],
    country: str,
    vat_id: str | None,
    rate_bp: int,
    note: str,
) -> None:
    answer = await check_out(api, design, billing=billed_in(country, vat_id))
    assert answer.status_code == 201, answer.text
    number = answer.json()["order_number"]
    order = (await api.get(f"/orders/{number}")).json()
    costs = order["costs"]
    lines = [costs["manufacturing"], costs["shipping"], costs["customization"]]
    assert costs["subtotal"] == sum(lines)
    assert costs["vat_rate_bp"] == rate_bp
    assert costs["vat"] == sum(line_vat(x, rate_bp) for x in lines)
    assert costs["total"] == costs["subtotal"] + costs["vat"]
    assert note in costs["vat_note"]
    if vat_id:
        assert order["billing"]["vat_id"] == vat_id.replace(" ", ""), "kept compact"

    page = await pay_page(api, number)
    for field in ("subtotal", "vat_rate_bp", "vat", "vat_note", "total"):
        assert page[field] == costs[field], field
    # Stripe takes the total with VAT; orders starts production only at that amount.
    assert (await simulate_success(number))["outcome"] == "cleared"
    await wait_for_status(api, number, "work_in_process")


@pytest.mark.parametrize(
    ("country", "vat_id"),
    [("DE", "DE136695977"), ("FR", "DE136695976"), ("PT", "PT12")],
)
async def test_an_invalid_vat_id_is_refused_at_its_field(
    api: httpx.AsyncClient, design: dict[str, Any], country: str, vat_id: str
) -> None:
    answer = await check_out(api, design, billing=billed_in(country, vat_id))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    pointers = [e["pointer"] for e in problem["errors"]]
    assert pointers == ["#/billing/vat_id"], problem


async def test_an_edit_to_another_billing_country_reprices_the_vat(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    answer = await check_out(api, design, billing=billed_in("PT"))
    number = answer.json()["order_number"]
    before = (await api.get(f"/orders/{number}")).json()["costs"]
    assert before["vat_rate_bp"] == 2100
    edited = await api.patch(f"/orders/{number}", json={"billing": billed_in("PT", "PT501964843")})
    assert edited.status_code == 200, edited.text
    after = edited.json()["costs"]
    assert (after["vat_rate_bp"], after["vat"]) == (0, 0)
    assert after["total"] == after["subtotal"] == before["subtotal"]
    async with asyncio.timeout(30):  # the invoice takes the new total from order.revised
        while True:
            if (await pay_page(api, number))["total"] == after["total"]:
                break
            await asyncio.sleep(0.2)


async def invoices_of(api: httpx.AsyncClient, number: str) -> list[dict[str, Any]]:
    async with asyncio.timeout(30):  # issued from payment.cleared
        while True:
            found: list[dict[str, Any]] = (
                await api.get("/invoices", params={"order_number": number})
            ).json()["items"]
            if found:
                return found
            await asyncio.sleep(0.2)


async def test_a_paid_order_has_one_invoice_whose_pdf_holds_its_numbers(
    api: httpx.AsyncClient, design: dict[str, Any], running_system: Any
) -> None:
    answer = await check_out(api, design, billing=billed_in("DE", "DE136695976"))
    number = answer.json()["order_number"]
    costs = (await api.get(f"/orders/{number}")).json()["costs"]
    await pay_page(api, number)
    assert (await simulate_success(number))["outcome"] == "cleared"
    [invoice] = await invoices_of(api, number)
    assert re.fullmatch(r"INV-\d{4}-\d{6}", invoice["invoice_number"])
    assert invoice["order_numbers"] == [number]
    assert (invoice["subtotal"], invoice["vat"], invoice["total"]) == (
        costs["subtotal"],
        costs["vat"],
        costs["total"],
    )
    assert invoice["buyer"]["vat_id"] == "DE136695976"
    assert invoice["seller"]["vat_id"]
    assert "Reverse charge" in invoice["vat_note"]
    assert invoice["payment_reference"].startswith("pi_")
    one = await api.get(f"/invoices/{invoice['invoice_number']}")
    assert one.json() == invoice

    pdf = await api.get(invoice["pdf"].removeprefix("/api/v1"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (invoice["invoice_number"], number, "DE136695976", "Reverse charge"):
        assert expected in text, expected
    assert money(invoice["total"], "EUR") in text

    # Another brand sees neither the invoice nor its PDF; a made-up number is refused.
    async with httpx.AsyncClient(base_url=running_system.gateway_url + "/api/v1") as other:
        stranger = await other.get(f"/invoices/{invoice['invoice_number']}")
        assert stranger.status_code == 401
    assert (await api.get("/invoices/INV-1999-999999")).status_code == 404
    assert (await api.get("/invoices/not-a-number")).status_code in (400, 404, 422)
