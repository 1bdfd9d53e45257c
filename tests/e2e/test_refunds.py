"""Cancelling paid orders on the real stack: refunds made through stripe-mock's Refund
API, confirmed by signed refund webhooks, each with a credit note naming the invoice;
a fee by stage once the floor has the order, only when accepted; a payment that clears
for an order already cancelled is refunded, not parked; finance cancels paid orders only."""

from __future__ import annotations

import functools
import io
import json
import re
import time
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke_contracts.formatting import money
from bespoke_contracts.vat import line_vat
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_payments.settings import PaymentsSettings

from .conftest import checkout_body
from .test_operators import create_operator
from .test_order_slice import wait_for_emails
from .test_production import _at, key, operator_client, paid_order
from .test_shipping import until

pytestmark = pytest.mark.stack


async def documents_of(api: httpx.AsyncClient, number: str, kind: str) -> list[dict[str, Any]]:
    found = (await api.get("/invoices", params={"order_number": number})).json()["items"]
    return [d for d in found if d["kind"] == kind]


async def credit_note(api: httpx.AsyncClient, number: str) -> dict[str, Any]:
    [note] = await until(functools.partial(documents_of, api, number, "credit_note"))
    found: dict[str, Any] = note
    return found


async def refund_of(api: httpx.AsyncClient, number: str, status: str) -> dict[str, Any] | None:
    order: dict[str, Any] = (await api.get(f"/orders/{number}")).json()
    refund: dict[str, Any] | None = order.get("refund")
    return order if refund and refund["status"] == status else None


async def post_webhook(running_system: StackConfig, event: dict[str, Any]) -> httpx.Response:
    payload = json.dumps(event).encode()
    secret = PaymentsSettings().stripe_webhook_secret
    async with httpx.AsyncClient(timeout=15) as client:
        return await client.post(
            f"{running_system.gateway_url}/api/v1/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": sign(payload, secret), "Content-Type": "application/json"},
        )


async def test_a_paid_order_cancelled_before_the_floor_has_it_is_refunded_in_full(
    running_system: StackConfig,
    api: httpx.AsyncClient,
    design: dict[str, Any],
    mailpit: httpx.AsyncClient,
    unique: str,
) -> None:
    email = f"refund-{unique}@e2e.example"
    number = await paid_order(api, design, email)
    costs = (await api.get(f"/orders/{number}")).json()["costs"]

    cancelled = await api.post(f"/orders/{number}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    order = cancelled.json()
    assert order["status"] == "cancelled"
    assert order["refund"] == {
        "amount": costs["total"],
        "fee": 0,
        "currency": "EUR",
        "status": "pending",
    }
    assert order["payment_status"] == "refunded"
    assert (await api.post(f"/orders/{number}/cancel")).status_code == 409  # once

    note = await credit_note(api, number)
    [invoice] = await documents_of(api, number, "invoice")
    assert re.fullmatch(r"CN-\d{4}-\d{6}", note["invoice_number"])
    assert note["credits"] == invoice["invoice_number"]
    assert (note["subtotal"], note["vat"], note["total"]) == (
        costs["subtotal"],
        costs["vat"],
        costs["total"],
    )
    assert note["payment_reference"].startswith("re_")  # Stripe's Refund
    pdf = await api.get(note["pdf"].removeprefix("/api/v1"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (f"Credit note {note['invoice_number']}", invoice["invoice_number"]):
        assert expected in text, expected
    assert money(costs["total"], "EUR") in text

    [message] = [
        m for m in await wait_for_emails(mailpit, email, 3) if m["Subject"].startswith("Refund of")
    ]
    assert money(costs["total"], "EUR") in message["Subject"]

    # stripe-mock's refunds succeed when made; Stripe's signed webhooks move them on
    # (a card refund can still fail), and a replay changes nothing.
    done = await until(functools.partial(refund_of, api, number, "succeeded"))
    assert done["payment_status"] == "refunded"

    def refund_event(event_id: str, status: str) -> dict[str, Any]:
        return {
            "id": f"evt_{event_id}_{unique}",
            "type": "refund.updated",
            "created": int(time.time()),
            "livemode": False,
            "data": {
                "object": {
                    "id": note["payment_reference"],
                    "object": "refund",
                    "status": status,
                    "metadata": {"invoice_id": f"inv_{number}"},
                }
            },
        }

    same = await post_webhook(running_system, refund_event("same", "succeeded"))
    assert same.json()["outcome"] == "no change"
    failed = refund_event("failed", "failed")
    moved = await post_webhook(running_system, failed)
    assert moved.json()["outcome"] == f"refunds: {note['payment_reference']} failed"
    assert (await post_webhook(running_system, failed)).json()["outcome"] == "duplicate"
    failed_order = await until(functools.partial(refund_of, api, number, "failed"))
    assert failed_order["payment_status"] == "paid"  # the money did not go back


async def test_from_received_on_a_fee_is_kept_only_when_accepted(
    running_system: StackConfig,
    api: httpx.AsyncClient,
    design: dict[str, Any],
    unique: str,
) -> None:
    number = await paid_order(api, design)
    costs = (await api.get(f"/orders/{number}")).json()["costs"]
    floor = create_operator(f"refund-floor-{unique}@factory.example", "production")
    async with operator_client(running_system, floor) as ops:
        moved = await ops.post(f"/orders/{number}/stage", json={"stage": "received"})
        assert moved.status_code == 200, moved.text
    await until(functools.partial(_at, api, number, "received"))
    fee = 5_000 + line_vat(5_000, costs["vat_rate_bp"])  # the catalog's EUR 50 at received

    refused = await api.post(f"/orders/{number}/cancel")

    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/cancellation-fee-not-accepted")
    assert (problem["fee"], problem["refund"], problem["production_stage"]) == (
        fee,
        costs["total"] - fee,
        "received",
    )
    assert (await api.get(f"/orders/{number}")).json()["status"] == "work_in_process"

    accepted = await api.post(f"/orders/{number}/cancel", json={"accept_fee": True})

    assert accepted.status_code == 200, accepted.text
    order = accepted.json()
    assert (order["refund"]["amount"], order["refund"]["fee"]) == (costs["total"] - fee, fee)
    assert order["payment_status"] == "partially_refunded"
    assert order["production_stage"] is None
    note = await credit_note(api, number)
    assert note["total"] == costs["total"] - fee
    assert note["cancellation_fee"] == 5_000
    refused_body = await api.post(f"/orders/{number}/cancel", json={"accept_fee": "yes please"})
    assert refused_body.status_code in (400, 422)


async def test_a_payment_that_clears_after_cancellation_is_refunded_not_parked(
    running_system: StackConfig, api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    made = await api.post("/orders", json=checkout_body("late@e2e.example", design), headers=key())
    number = made.json()["order_number"]
    await until(lambda: _pay_page(api, number))
    started = await api.post(f"/orders/{number}/payment")  # the brand opens Stripe's form
    assert started.status_code == 200, started.text
    page = await _pay_page(api, number)
    assert page is not None

    assert (await api.post(f"/orders/{number}/cancel")).status_code == 200  # meanwhile
    await until(lambda: _pay_page(api, number, "void"))  # nothing more can be paid
    assert (await api.post(f"/orders/{number}/payment")).status_code == 409

    # The card payment started before completes anyway; Stripe says so.
    paid = await post_webhook(running_system, succeeded_event(page))

    assert paid.json()["outcome"] == "cleared and refunded: the order was cancelled"
    refunded = await until(functools.partial(_payment_status, api, number, "refunded"))
    assert refunded["status"] == "cancelled"
    assert refunded["refund"]["amount"] == page["total"]
    note = await credit_note(api, number)
    assert note["total"] == page["total"]
    await until(functools.partial(_noted, api, number, "after the order was cancelled"))


async def _noted(api: httpx.AsyncClient, number: str, words: str) -> bool:
    """The order's history says ``words`` (orders applied the late payment, not parked)."""
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    return any(words in (h.get("note") or "") for h in history)


async def _pay_page(
    api: httpx.AsyncClient, number: str, status: str = "open"
) -> dict[str, Any] | None:
    page = await api.get(f"/orders/{number}/payment")
    found: dict[str, Any] | None = page.json() if page.status_code == 200 else None
    return found if found and found["status"] == status else None


async def _payment_status(api: httpx.AsyncClient, number: str, status: str) -> Any:
    order = (await api.get(f"/orders/{number}")).json()
    return order if order["payment_status"] == status else None


async def test_finance_cancels_paid_orders_only(
    running_system: StackConfig, api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    made = await api.post("/tokens", json={"name": "finance", "role": "finance"})
    assert made.status_code == 201, made.text
    pending = await api.post(
        "/orders", json=checkout_body("fin@e2e.example", design), headers=key()
    )
    number = pending.json()["order_number"]
    paid = await paid_order(api, design)
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {made.json()['token']}"},
        timeout=15,
    ) as finance:
        refused = await finance.post(f"/orders/{number}/cancel")
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/forbidden")
        assert (await api.get(f"/orders/{number}")).json()["status"] == "pending_payment"
        cancelled = await finance.post(f"/orders/{paid}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["refund"]["status"] == "pending"


async def test_a_deposit_launches_production_and_the_balance_is_due_before_shipping(
    running_system: StackConfig, api: httpx.AsyncClient, design: dict[str, Any], unique: str
) -> None:
    body = checkout_body("halves@e2e.example", design, sizes={"42": 4, "43": 4})
    number = (await api.post("/orders", json=body, headers=key())).json()["order_number"]
    page = await until(lambda: _pay_page(api, number))
    total, deposit = page["total"], (page["total"] + 1) // 2
    assert total >= 149_900, "the design's 8 pairs reach the deposit minimum"
    assert (page["deposit"], page["balance"]) == (deposit, total - deposit)
    early = await api.post(f"/orders/{number}/payment", json={"amount": "balance"})
    assert early.status_code == 409, "no balance before the deposit"

    started = await api.post(f"/orders/{number}/payment", json={"amount": "deposit"})
    assert started.status_code == 200, started.text
    assert started.json()["amount"] == deposit
    assert (await simulate_success(number))["outcome"] == "deposit cleared"
    launched = await until(functools.partial(_payment_status, api, number, "deposit_paid"))
    assert (launched["status"], launched["balance_due"]) == ("work_in_process", total - deposit)
    [deposit_invoice] = await until(functools.partial(documents_of, api, number, "invoice"))
    assert (deposit_invoice["part"], deposit_invoice["total"]) == ("deposit", deposit)

    floor = create_operator(f"halves-floor-{unique}@factory.example", "production")
    dock = create_operator(f"halves-dock-{unique}@factory.example", "shipping")
    ups = {"carrier": "ups", "tracking_number": "1Z999AA10123456784"}
    async with (
        operator_client(running_system, floor) as ops,
        operator_client(running_system, dock) as shipping,
    ):
        for stage in ("quality_check", "ready_to_ship"):
            assert (
                await ops.post(f"/orders/{number}/stage", json={"stage": stage})
            ).status_code == 200
        held = (await api.get(f"/orders/{number}")).json()
        assert (held["production_stage"], held["hold_reason"]) == ("on_hold", "awaiting_balance")
        refused = await shipping.post(f"/shipments/shp_{number}/ship", json=ups)
        assert refused.status_code == 409, "a balance is owed"

        balance = await api.post(f"/orders/{number}/payment", json={"amount": "balance"})
        assert balance.json()["amount"] == total - deposit
        assert (await simulate_success(number))["outcome"] == "cleared"
        paid = await until(functools.partial(_payment_status, api, number, "paid"))
        await until(functools.partial(_at, api, number, "ready_to_ship"))
        assert paid["balance_due"] is None

        async def ships() -> bool:
            answer = await shipping.post(f"/shipments/shp_{number}/ship", json=ups)
            return answer.status_code == 200

        await until(ships)
    invoices = await until(lambda: _documents_when(api, number, lambda found: len(found) == 2))
    final = next(i for i in invoices if i["part"] == "balance")
    assert final["total"] == total - deposit
    assert deposit_invoice["invoice_number"] in final["adjustment_label"]


async def _documents_when(api: httpx.AsyncClient, number: str, test: Any) -> Any:
    found = await documents_of(api, number, "invoice")
    return found if test(found) else None


async def test_an_order_paid_in_two_halves_is_refunded_to_both_payments(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    body = checkout_body("halves-back@e2e.example", design, sizes={"42": 4, "43": 4})
    number = (await api.post("/orders", json=body, headers=key())).json()["order_number"]
    page = await until(lambda: _pay_page(api, number))
    await api.post(f"/orders/{number}/payment", json={"amount": "deposit"})
    assert (await simulate_success(number))["outcome"] == "deposit cleared"
    await until(functools.partial(_payment_status, api, number, "deposit_paid"))
    await api.post(f"/orders/{number}/payment", json={"amount": "balance"})
    assert (await simulate_success(number))["outcome"] == "cleared"
    await until(functools.partial(_payment_status, api, number, "paid"))

    cancelled = await api.post(f"/orders/{number}/cancel")  # queued: free

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["refund"]["amount"] == page["total"]

    async def two_notes() -> list[dict[str, Any]] | None:
        notes = await documents_of(api, number, "credit_note")
        return notes if len(notes) == 2 else None

    notes = await until(two_notes)
    assert sum(n["total"] for n in notes) == page["total"]
    invoices = await documents_of(api, number, "invoice")
    assert {n["credits"] for n in notes} == {i["invoice_number"] for i in invoices}
    refunded = await until(functools.partial(_payment_status, api, number, "refunded"))
    assert refunded["refund"]["amount"] == page["total"]
