"""One order through the real system: gateway -> orders (MongoDB + outbox) -> Kafka ->
notifications -> SMTP -> Mailpit."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest

from .conftest import checkout_body

pytestmark = pytest.mark.stack


async def wait_for_emails(mailpit: httpx.AsyncClient, to: str, count: int) -> list[dict[str, Any]]:
    """Poll Mailpit until ``count`` emails to ``to`` arrived (fails after 30 s)."""
    async with asyncio.timeout(30):
        while True:
            response = await mailpit.get("/search", params={"query": f"to:{to}"})
            response.raise_for_status()
            messages: list[dict[str, Any]] = response.json()["messages"]
            if len(messages) >= count:
                return messages
            await asyncio.sleep(0.2)


async def test_a_checked_out_order_is_numbered_pending_and_emailed(
    api: httpx.AsyncClient, mailpit: httpx.AsyncClient, unique: str, design: dict[str, Any]
) -> None:
    email = f"billing-{unique}@e2e.example"
    key = str(uuid.uuid4())

    response = await api.post(
        "/orders", json=checkout_body(email, design), headers={"Idempotency-Key": key}
    )

    assert response.status_code == 201, response.text
    order = response.json()
    assert re.fullmatch(r"BF-\d{6,}", order["order_number"])
    assert order["status"] == "pending_payment"
    assert order["pairs"] == 5
    assert response.headers["location"] == f"/api/v1/orders/{order['order_number']}"

    [message] = await wait_for_emails(mailpit, email, 1)
    assert order["order_number"] in message["Subject"]
    full = (await mailpit.get(f"/message/{message['ID']}")).json()
    assert order["order_number"] in full["Text"]
    assert "Pending Payment" in full["Text"]

    fetched = await api.get(f"/orders/{order['order_number']}")
    assert fetched.status_code == 200
    assert fetched.json()["sizes"] == {"41": 2, "42.5": 3}


async def test_a_retried_checkout_returns_the_same_order(
    api: httpx.AsyncClient, unique: str, design: dict[str, Any]
) -> None:
    key = str(uuid.uuid4())
    body = checkout_body(f"retry-{unique}@e2e.example", design)

    first = await api.post("/orders", json=body, headers={"Idempotency-Key": key})
    again = await api.post("/orders", json=body, headers={"Idempotency-Key": key})
    other = await api.post("/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json(), "the retry gets the first answer"
    assert again.headers["location"] == first.headers["location"]
    assert other.json()["order_number"] != first.json()["order_number"]
    changed = await api.post(
        "/orders", json={**body, "sizes": {"44": 1}}, headers={"Idempotency-Key": key}
    )
    assert changed.status_code == 422
    assert changed.json()["type"].endswith("/idempotency-key-reused")
    assert changed.headers["content-type"].startswith("application/problem+json")
    assert changed.json()["instance"] == "/api/v1/orders"


async def test_bad_requests_get_problem_details(
    api: httpx.AsyncClient, running_system: Any, design: dict[str, Any]
) -> None:
    invalid = await api.post(
        "/orders",
        json=checkout_body("x@e2e.example", design, order_type="huge", sizes={"42": 1}),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert invalid.status_code == 422
    problem = invalid.json()
    assert problem["type"].endswith("/validation-error")
    assert {
        "pointer": "#/order_type",
        "detail": "Input should be 'mto', 'mini_bulk' or 'bulk'",
    } in problem["errors"]

    no_key = await api.post("/orders", json=checkout_body("x@e2e.example", design))
    assert no_key.status_code == 428

    async with httpx.AsyncClient(base_url=running_system.gateway_url) as anonymous:
        unauthenticated = await anonymous.get("/api/v1/orders/BF-000001")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")

    missing = await api.get("/orders/BF-999999999")
    assert missing.status_code == 404


async def test_the_cli_creates_a_brand_whose_token_works(
    brand_from_cli: dict[str, Any], running_system: Any
) -> None:
    async with httpx.AsyncClient(
        base_url=running_system.gateway_url,
        headers={"Authorization": f"Bearer {brand_from_cli['token']}"},
    ) as client:
        response = await client.get("/api/v1/catalog")
    assert response.status_code == 200
