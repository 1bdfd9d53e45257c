"""Group Shipping on the real stack: the gateway, the shipping, orders and payments
services, Kafka, FerretDB and stripe-mock."""

from __future__ import annotations

import asyncio
import functools
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from bespoke.accounts import create_account
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import client_options
from bespoke_contracts import SHIPMENT_STATUS_CHANGED
from bespoke_contracts.vat import vat_on_lines

from .conftest import checkout_body
from .test_operators import create_operator

pytestmark = pytest.mark.stack


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def until(check: Callable[[], Awaitable[Any]], seconds: float = 30) -> Any:
    """Poll ``check`` until it returns something truthy."""
    async with asyncio.timeout(seconds):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.2)


async def checkout(
    api: httpx.AsyncClient, design: dict[str, Any], sizes: dict[str, int], **changes: Any
) -> dict[str, Any]:
    response = await api.post(
        "/orders",
        json=checkout_body("ship@e2e.example", design, sizes=sizes, **changes),
        headers=key(),
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def status_of(api: httpx.AsyncClient, number: str) -> str:
    status: str = (await api.get(f"/orders/{number}")).json()["status"]
    return status


async def test_three_orders_grouped_are_paid_once_and_ship_together(
    api: httpx.AsyncClient, design: dict[str, Any], running_system: StackConfig, unique: str
) -> None:
    orders = [
        await checkout(api, design, sizes)
        for sizes in ({"41": 2, "42": 3}, {"43": 5}, {"40": 4, "44": 4})
    ]
    numbers = [o["order_number"] for o in orders]
    group_key = key()
    response = await api.post(
        "/shipping-groups", json={"order_numbers": numbers}, headers=group_key
    )
    assert response.status_code == 201, response.text
    group = response.json()
    assert response.headers["location"].endswith(f"/shipping-groups/{group['id']}")
    assert group["status"] == "open"
    assert group["order_numbers"] == numbers
    assert group["pairs"] == 18
    individual = sum(o["costs"]["shipping"] for o in orders)
    assert group["individual_shipping_cost"] == individual
    assert group["saving"] == individual - group["shipping_cost"] > 0
    assert sum(group["allocations"].values()) == group["shipping_cost"]
    assert group["shipping_cost"] / 18 < individual / 18
    replay = await api.post("/shipping-groups", json={"order_numbers": numbers}, headers=group_key)
    assert (replay.status_code, replay.json()["id"]) == (201, group["id"])
    assert replay.headers["idempotent-replayed"] == "true"
    assert (await api.get(f"/shipping-groups/{group['id']}")).json() == group

    async def group_invoice() -> dict[str, Any] | None:
        page = await api.get(f"/shipping-groups/{group['id']}/payment")
        return page.json() if page.status_code == 200 else None

    invoice = await until(group_invoice)
    assert invoice["order_numbers"] == numbers
    assert invoice["shipping"] == group["shipping_cost"]
    assert invoice["manufacturing"] == sum(o["costs"]["manufacturing"] for o in orders)
    assert invoice["subtotal"] == sum(o["costs"]["subtotal"] for o in orders) - group["saving"]
    # VAT on each order's lines, its share of the group's shipping instead of its own.
    rate = orders[0]["costs"]["vat_rate_bp"]
    lines = [
        amount
        for o in orders
        for amount in (
            o["costs"]["manufacturing"],
            group["allocations"][o["order_number"]],
            o["costs"]["customization"],
        )
    ]
    assert (invoice["vat_rate_bp"], invoice["vat"]) == (rate, vat_on_lines(lines, rate))
    assert invoice["total"] == invoice["subtotal"] + invoice["vat"]
    await until(lambda: _in_group(api, numbers[1], group["id"]))
    order = (await api.get(f"/orders/{numbers[1]}")).json()
    assert order["shipping_group"] == {
        "group_id": group["id"],
        "allocation": group["allocations"][numbers[1]],
    }
    assert (await api.post(f"/orders/{numbers[0]}/payment")).status_code == 409, (
        "paid with its group, not on its own"
    )
    assert (await api.get(f"/orders/{numbers[0]}/shipment")).status_code == 404, "not paid yet"

    started = await api.post(f"/shipping-groups/{group['id']}/payment")
    assert started.status_code == 200, started.text
    assert (await simulate_success(group["id"]))["outcome"] == "cleared"
    for number in numbers:
        await until(functools.partial(_is, api, number, "work_in_process"))

    async def shipment() -> dict[str, Any] | None:
        found = await api.get(f"/shipping-groups/{group['id']}/shipment")
        return found.json() if found.status_code == 200 else None

    shipped = await until(shipment)
    assert shipped["id"] == f"shp_{group['id']}"
    assert shipped["status"] == "awaiting_production"
    assert (shipped["order_numbers"], shipped["pairs"]) == (numbers, 18)
    assert (await api.get(f"/orders/{numbers[2]}/shipment")).json() == shipped
    paid = (await api.get(f"/shipping-groups/{group['id']}")).json()
    assert (paid["status"], paid["shipment_id"]) == ("paid", shipped["id"])
    refused = await api.delete(f"/shipping-groups/{group['id']}")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")

    # The factory finishes the orders; the group ships once its slowest order is done.
    floor = create_operator(f"floor-{unique}@factory.example", "production")
    dock = create_operator(f"dock-{unique}@factory.example", "shipping")
    ops_url = f"{running_system.gateway_url}/api/v1/ops"
    async with (
        httpx.AsyncClient(base_url=ops_url, headers=_bearer(floor), timeout=15) as ops,
        httpx.AsyncClient(base_url=ops_url, headers=_bearer(dock), timeout=15) as shipping,
    ):
        for number in numbers[:2]:
            moved = await ops.post(f"/orders/{number}/stage", json={"stage": "ready_to_ship"})
            assert moved.status_code == 200, moved.text
        await until(functools.partial(_waits_for, shipping, shipped["id"], [numbers[2]]))
        ups = {"carrier": "ups", "tracking_number": "1ZE2E0000001"}
        early = await shipping.post(f"/shipments/{shipped['id']}/ship", json=ups)
        assert early.status_code == 409, "a group waits for its slowest order"
        assert numbers[2] in early.json()["detail"]
        await ops.post(f"/orders/{numbers[2]}/stage", json={"stage": "ready_to_ship"})
        await until(functools.partial(_waits_for, shipping, shipped["id"], []))
        done = await shipping.post(f"/shipments/{shipped['id']}/ship", json=ups)
        assert done.status_code == 200, done.text
        delivered = await shipping.post(f"/shipments/{shipped['id']}/deliver")
        assert delivered.status_code == 200, delivered.text
    final = (await api.get(f"/orders/{numbers[0]}/shipment")).json()
    assert (final["status"], final["tracking_number"], final["carrier"]) == (
        "delivered",
        "1ZE2E0000001",
        "ups",
    )
    assert [h["status"] for h in final["history"]] == [
        "awaiting_production",
        "ready_to_ship",
        "shipped",
        "delivered",
    ]
    for number in numbers:
        await until(functools.partial(_is, api, number, "delivered"))
    stages = await _published_stages(running_system.kafka_bootstrap, shipped["id"], 4)
    assert stages == [
        (None, "awaiting_production"),
        ("awaiting_production", "ready_to_ship"),
        ("ready_to_ship", "shipped"),
        ("shipped", "delivered"),
    ]


def _bearer(operator: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {operator['token']}"}


async def _waits_for(shipping: httpx.AsyncClient, shipment_id: str, numbers: list[str]) -> bool:
    found: dict[str, Any] = (await shipping.get(f"/shipments/{shipment_id}")).json()
    waiting: list[str] = found["waiting_for"]
    return waiting == numbers


async def _is(api: httpx.AsyncClient, number: str, status: str) -> bool:
    return await status_of(api, number) == status


async def _published_stages(bootstrap: str, shipment_id: str, count: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        SHIPMENT_STATUS_CHANGED,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **client_options(),
    )
    await consumer.start()
    stages: dict[str, Any] = {}  # by event id: delivery is at least once
    try:
        # Until all arrived or 30 s passed; then the assertion shows what did arrive.
        deadline = asyncio.get_running_loop().time() + 30
        while len(stages) < count and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if record.key == shipment_id.encode():
                        event = json.loads(record.value)
                        payload = event["payload"]
                        stages.setdefault(
                            event["event_id"], (payload["from_status"], payload["to_status"])
                        )
    finally:
        await consumer.stop()
    return list(stages.values())


async def test_every_refusal_is_a_clear_problem(
    api: httpx.AsyncClient, design: dict[str, Any], running_system: StackConfig, unique: str
) -> None:
    a, b, c, paid = [(await checkout(api, design, {"42": 2}))["order_number"] for _ in range(4)]
    elsewhere = await checkout(
        api,
        design,
        {"42": 2},
        shipping_address={
            "name": "Atelier Sur",
            "line1": "Calle Real 9",
            "city": "Sevilla",
            "postal_code": "41001",
            "country": "ES",
        },
    )
    await until(lambda: _has_invoice(api, paid))
    await api.post(f"/orders/{paid}/payment")
    assert (await simulate_success(paid))["outcome"] == "cleared"
    await until(lambda: _is(api, paid, "work_in_process"))
    other = await create_account(name=f"Other {unique}", email=f"other-{unique}@e2e.example")
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {other['token']}"},
        timeout=15,
    ) as intruder:
        foreign = await intruder.post("/shipping-groups", json={"order_numbers": [a, b]})
        assert foreign.status_code == 404, "another brand's orders do not exist for it"

    async def problem(numbers: list[str], status: int) -> dict[str, Any]:
        response = await api.post("/shipping-groups", json={"order_numbers": numbers})
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body: dict[str, Any] = response.json()
        assert body["status"] == status
        assert body["detail"]
        return body

    fewer = await problem([a], 422)
    assert fewer["errors"][0]["pointer"] == "#/order_numbers"
    await problem([a, a], 422)
    paid_problem = await problem([a, paid], 409)
    assert paid_problem["errors"][0]["pointer"] == "#/order_numbers/1"
    assert "work_in_process" in paid_problem["detail"]
    mismatch = await problem([a, elsewhere["order_number"]], 422)
    assert any("city" in e["detail"] for e in mismatch["errors"])
    await problem([a, "BF-999999"], 404)

    group = (await api.post("/shipping-groups", json={"order_numbers": [a, b]})).json()
    taken = await problem([c, b], 409)
    assert group["id"] in taken["detail"]

    # Orders knows of the group once shipment.grouped arrives: edits and cancels wait.
    await until(lambda: _in_group(api, a, group["id"]))
    blocked = await api.post(f"/orders/{a}/cancel")
    assert blocked.status_code == 409
    assert f"/shipping-groups/{group['id']}" in blocked.json()["detail"]

    dissolved = await api.delete(f"/shipping-groups/{group['id']}")
    assert (dissolved.status_code, dissolved.json()["status"]) == (200, "dissolved")
    assert (await api.delete(f"/shipping-groups/{group['id']}")).status_code == 200
    await until(lambda: _in_group(api, a, None))

    async def own_invoice_back() -> bool:
        page = (await api.get(f"/orders/{a}/payment")).json()
        return bool(page["status"] == "open")

    await until(own_invoice_back)
    regrouped = await api.post("/shipping-groups", json={"order_numbers": [c, b]})
    assert regrouped.status_code == 201, regrouped.text


async def _has_invoice(api: httpx.AsyncClient, number: str) -> bool:
    return (await api.get(f"/orders/{number}/payment")).status_code == 200


async def _in_group(api: httpx.AsyncClient, number: str, group_id: str | None) -> bool:
    group = (await api.get(f"/orders/{number}")).json()["shipping_group"]
    return (group["group_id"] if group else None) == group_id


async def test_a_group_takes_at_most_fifty_orders(api: httpx.AsyncClient) -> None:
    numbers = [f"BF-{n:06d}" for n in range(1, 52)]
    response = await api.post("/shipping-groups", json={"order_numbers": numbers}, headers=key())
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/order_numbers"]
