"""What the system refuses to believe, tried from outside as an attacker inside the
cluster would (or as a brand would hit by accident): a service's own port answers only
calls the gateway (or a calling service) signed for it, the factory's internal routes
only operators, and a payment that does not pay what an order costs now never starts
production."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bespoke.stack.config import StackConfig
from bespoke.stack.keys import CallsAsGateway

from .test_delivery import payment_for, publish, wait_until_consumed
from .test_payments import pending_order

pytestmark = pytest.mark.stack


async def test_a_one_cent_payment_cleared_event_starts_no_production(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    number = await pending_order(api, design)
    order = (await api.get(f"/orders/{number}")).json()
    total = order["costs"]["total"]
    forged = payment_for(brand["account_id"], order, "forger@e2e.example", amount=1)
    await publish(running_system.kafka_bootstrap, forged)
    await wait_until_consumed(running_system.kafka_bootstrap, "orders", "payment.cleared")

    order = (await api.get(f"/orders/{number}")).json()
    assert order["status"] == "pending_payment", "one cent for EUR " + str(total / 100)
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert [h["status"] for h in history] == ["pending_payment"]


INTERNAL = {
    "design": "/internal/designs",
    "orders": "/internal/orders",
    "payments": "/internal/invoices/BF-000001",
    "shipping": "/internal/groups",
    "notifications": "/internal/notifications/",
}
"""A route of each service's own port that answers a brand (or the factory)."""


@pytest.mark.parametrize("service", sorted(INTERNAL))
async def test_a_service_port_answers_no_header_only_call(
    running_system: StackConfig, brand: dict[str, Any], service: str
) -> None:
    url = running_system.service_url(service) + INTERNAL[service]
    async with httpx.AsyncClient(timeout=10) as client:
        claimed = await client.get(url, headers={"X-Bespoke-Account-Id": brand["account_id"]})
        assert claimed.status_code == 401, claimed.text
        for_another = CallsAsGateway(running_system, "orders" if service != "orders" else "design")
        misdirected = await client.get(url, auth=for_another)
        assert misdirected.status_code == 401, "a credential is for one service only"
        as_gateway = CallsAsGateway(running_system, service, account_id=brand["account_id"])
        if service == "notifications":  # the send log: the factory's operators only
            assert (await client.get(url, auth=as_gateway)).status_code == 403
            as_gateway = CallsAsGateway(running_system, service)
        answered = await client.get(url, auth=as_gateway)
        assert answered.status_code in (200, 404), answered.text
        health = await client.get(running_system.service_url(service) + "/health/live")
        assert health.status_code == 200, "health needs no credential"


async def test_payments_operator_routes_take_no_brand(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    number = await pending_order(api, design)
    url = f"{running_system.service_url('payments')}/internal/operator/invoices/{number}"
    async with httpx.AsyncClient(timeout=10) as client:
        as_brand = CallsAsGateway(running_system, "payments", account_id=brand["account_id"])
        assert (await client.get(url, auth=as_brand)).status_code == 403
        as_operator = CallsAsGateway(running_system, "payments")
        assert (await client.get(url, auth=as_operator)).status_code == 200
