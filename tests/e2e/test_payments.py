"""Paying an order on the real stack: stripe-mock, signed webhooks, Kafka, both services."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from bespoke.payments import simulate_success
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_payments.settings import PaymentsSettings

from .conftest import checkout_body

pytestmark = pytest.mark.stack

SECRET = PaymentsSettings().stripe_webhook_secret


async def pending_order(api: httpx.AsyncClient, design: dict[str, Any]) -> str:
    response = await api.post(
        "/orders",
        json=checkout_body("pay@e2e.example", design),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    number: str = response.json()["order_number"]
    async with asyncio.timeout(30):  # the invoice opens from order.submitted
        while True:
            if (await api.get(f"/orders/{number}/payment")).status_code == 200:
                return number
            await asyncio.sleep(0.2)


async def wait_for_status(api: httpx.AsyncClient, number: str, status: str) -> None:
    async with asyncio.timeout(30):
        while True:
            if (await api.get(f"/orders/{number}")).json()["status"] == status:
                return
            await asyncio.sleep(0.2)


async def post_webhook(running_system: Any, payload: bytes, signature: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=running_system.gateway_url) as stripe:
        return await stripe.post(
            "/api/v1/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )


async def test_a_paid_order_goes_to_work_in_process(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    number = await pending_order(api, design)
    page = (await api.get(f"/orders/{number}/payment")).json()
    order = (await api.get(f"/orders/{number}")).json()
    assert page["total"] == order["costs"]["total"]
    assert page["manufacturing"] + page["shipping"] + page["customization"] == page["subtotal"]
    assert page["subtotal"] + page["vat"] == page["total"]

    first = (await api.post(f"/orders/{number}/payment")).json()
    second = (await api.post(f"/orders/{number}/payment")).json()
    assert first["client_secret"]
    assert first["payment_intent_id"] == second["payment_intent_id"], (
        "paying twice: one PaymentIntent"
    )

    result = await simulate_success(number)
    assert result["outcome"] == "cleared"
    await wait_for_status(api, number, "work_in_process")
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert [(h["status"], h["production_stage"]) for h in history] == [
        ("pending_payment", None),
        ("work_in_process", None),
        ("work_in_process", "queued"),  # launched: queued for the floor
    ]
    assert (await api.post(f"/orders/{number}/payment")).status_code == 409


async def test_bad_webhooks_change_nothing(
    api: httpx.AsyncClient, design: dict[str, Any], running_system: Any
) -> None:
    number = await pending_order(api, design)
    await api.post(f"/orders/{number}/payment")
    invoice = (await api.get(f"/orders/{number}/payment")).json()

    event = succeeded_event(invoice)
    payload = json.dumps(event).encode()
    forged = await post_webhook(running_system, payload, sign(payload, "whsec_someone_else"))
    stale = await post_webhook(
        running_system, payload, sign(payload, SECRET, int(time.time()) - 3600)
    )
    unsigned = await post_webhook(running_system, payload, "")
    assert (forged.status_code, stale.status_code, unsigned.status_code) == (400, 400, 400)
    assert forged.headers["content-type"].startswith("application/problem+json")

    short = succeeded_event(invoice, amount=invoice["total"] - 1)
    short_payload = json.dumps(short).encode()
    flagged = await post_webhook(running_system, short_payload, sign(short_payload, SECRET))
    assert flagged.json()["outcome"] == "flagged"
    replay = await post_webhook(running_system, short_payload, sign(short_payload, SECRET))
    assert replay.json()["outcome"] == "duplicate"

    await asyncio.sleep(1)
    assert (await api.get(f"/orders/{number}")).json()["status"] == "pending_payment"
    assert (await api.get(f"/orders/{number}/payment")).json()["status"] == "open"
