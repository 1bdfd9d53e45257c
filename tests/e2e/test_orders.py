"""Checkout priced by the design and shipping services, labeling, and order management."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from .conftest import checkout_body

pytestmark = pytest.mark.stack


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_checkout_is_priced_from_the_quote_and_the_shipping_rate(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    sizes = {"41": 4, "42": 4, "43": 4}
    estimate = (
        await api.post(
            "/estimates",
            json={"design_id": design["id"], "order_type": "mini_bulk", "sizes": sizes},
        )
    ).json()

    response = await api.post(
        "/orders",
        json=checkout_body("a@e2e.example", design, sizes=sizes, labeling="custom_stamps"),
        headers=key(),
    )

    assert response.status_code == 201, response.text
    order = response.json()
    costs = order["costs"]
    assert costs["per_pair"] == estimate["per_pair"]
    assert costs["manufacturing"] == estimate["manufacturing"]
    assert costs["shipping"] > 0
    catalog = (await api.get("/catalog")).json()
    [stamps] = [c for c in catalog["customizations"] if c["id"] == "custom_stamps"]
    assert costs["customization"] == stamps["price"], "the catalog's price, on the first order"
    assert costs["subtotal"] == costs["manufacturing"] + costs["shipping"] + costs["customization"]
    assert costs["total"] == costs["subtotal"] + costs["vat"]
    assert order["labeling"] == "custom_stamps"
    assert order["specification"]["style"] == design["style"]
    assert order["specification"]["bill_of_materials"] == design["bill_of_materials"]

    later = await api.post(
        "/orders", json=checkout_body("a@e2e.example", design, labeling=None), headers=key()
    )
    assert later.status_code == 201, later.text
    assert later.json()["labeling"] == "custom_stamps"
    assert later.json()["costs"]["customization"] == 0
    mismatch = await api.post(
        "/orders", json=checkout_body("a@e2e.example", design, labeling="unlabeled"), headers=key()
    )
    assert mismatch.status_code == 409


async def test_the_first_order_must_choose_labeling(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    response = await api.post(
        "/orders", json=checkout_body("a@e2e.example", design, labeling=None), headers=key()
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/labeling-required")


async def test_a_stale_bill_of_materials_gets_the_current_one(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    response = await api.post(
        "/orders",
        json=checkout_body("a@e2e.example", design, bom_hash="sha256:stale"),
        headers=key(),
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["bom_hash"] == design["bom_hash"]
    assert problem["bill_of_materials"] == design["bill_of_materials"]


async def test_sizes_and_bands_are_checked_at_checkout(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    response = await api.post(
        "/orders",
        json=checkout_body("a@e2e.example", design, order_type="mto", sizes={"49": 2}),
        headers=key(),
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"#/sizes/49", "#/order_type"}


async def test_fifty_concurrent_checkouts_get_fifty_distinct_numbers(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    body = checkout_body("load@e2e.example", design)
    responses = await asyncio.gather(
        *(api.post("/orders", json=body, headers=key()) for _ in range(50))
    )
    assert [r.status_code for r in responses] == [201] * 50
    numbers = {r.json()["order_number"] for r in responses}
    assert len(numbers) == 50


async def test_cancel_while_pending_and_the_history_says_why_and_who(
    api: httpx.AsyncClient, design: dict[str, Any], brand: dict[str, Any]
) -> None:
    order = (
        await api.post("/orders", json=checkout_body("a@e2e.example", design), headers=key())
    ).json()
    number = order["order_number"]
    script = (await api.post("/tokens", json={"name": "cancels", "role": "admin"})).json()

    cancelled = await api.post(
        f"/orders/{number}/cancel",
        headers={"X-Request-Id": "req-cancel-1", "Authorization": f"Bearer {script['token']}"},
    )
    again = await api.post(f"/orders/{number}/cancel")
    history = (await api.get(f"/orders/{number}/history")).json()

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert [(h["status"], h["cause"].split(":")[0]) for h in history["items"]] == [
        ("pending_payment", "request"),
        ("cancelled", "request"),
    ]
    assert history["items"][1]["cause"] == "request:req-cancel-1"
    assert [h["actor"] for h in history["items"]] == [
        f"token:{brand['account_id']}",  # checked out with the brand's own token
        f"api-token:{script['id']}",  # cancelled by a script's API token
    ]
