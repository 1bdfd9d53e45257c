"""The web UI's pages and its one route of its own (simulating a payment locally)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from bespoke_gateway.adapters.upstream import ServiceClient
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.accounts import Account, open_account
from bespoke_gateway.domain.ratelimit import RateLimiter
from bespoke_gateway.entrypoints.http import create_app
from bespoke_gateway.settings import GatewaySettings

from .fakes import SIGNER, FakeIdempotency, claims_of

SECRET = "whsec_local"


class Accounts:
    def __init__(self, account: Account) -> None:
        self.account = account

    async def ensure_indexes(self) -> None:
        return None

    async def account_id_for_token(self, token_hash: str) -> str | None:
        return self.account.account_id if token_hash == self.account.token_hash else None

    async def read_notices(self) -> int:
        return 0


class Payments:
    """The payments service's internal API: one open invoice, not yet started."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.webhooks: list[httpx.Request] = []
        self.started = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        account = claims_of(request, "payments").account_id or ""
        self.calls.append((request.method, request.url.path, account))
        if request.url.path == "/internal/invoices/BF-000001" and request.method == "GET":
            return httpx.Response(
                200,
                json={
                    "invoice_id": "inv_1",
                    "version": 1,
                    "target": "BF-000001",
                    "total": 12_300,
                    "currency": "EUR",
                    "payment_intent_id": "pi_1" if self.started else None,
                },
            )
        if request.url.path == "/internal/invoices/BF-000001/payment":
            self.started = True
            return httpx.Response(200, json={"payment_intent_id": "pi_1"})
        if request.url.path == "/internal/webhooks/stripe":
            self.webhooks.append(request)
            return httpx.Response(200, json={"outcome": "cleared"})
        return httpx.Response(404, json={"status": 404, "detail": "no invoice"})


async def client_for(secret: str | None) -> tuple[AsyncTestClient[Any], Payments, str]:
    account, token = open_account("Norte", "ops@norte.example", datetime.now(UTC))
    payments = Payments()

    def service(name: str) -> ServiceClient:
        transport = httpx.MockTransport(payments)
        return ServiceClient(
            name, httpx.AsyncClient(transport=transport, base_url=f"http://{name}"), SIGNER
        )

    runtime = GatewayRuntime(
        settings=GatewaySettings(payment_simulation_secret=secret),
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False),
        accounts=Accounts(account),  # type: ignore[arg-type]
        orders=service("orders"),
        design=service("design"),
        payments=service("payments"),
        shipping=service("shipping"),
        idempotency=FakeIdempotency(),
        limiter=RateLimiter(rate=100, burst=100),
    )
    return AsyncTestClient(create_app(runtime)), payments, token


@pytest.mark.parametrize(
    ("path", "script"),
    [
        ("/app/sign-in", "sign-in"),
        ("/app/orders", "orders"),
        ("/app/orders/BF-000001", "order"),
        ("/app/orders/BF-000001/pay", "pay"),
        ("/app/groups/SG-1/pay", "pay"),
        ("/app/designer", "designer"),
        ("/app/gallery", "gallery"),
        ("/app/checkout", "checkout"),
    ],
)
async def test_every_page_is_served_without_a_token_and_with_its_own_script(
    path: str, script: str
) -> None:
    client, _, _ = await client_for(None)
    async with client:
        page = await client.get(path)
        asset = await client.get(f"/app/static/{script}.js")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'src="/app/static/{script}.js"' in page.text
    assert '<html lang="en">' in page.text
    assert 'data-simulate-payments="false"' in page.text
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]


async def test_the_home_page_leads_to_the_order_pool_and_odd_ids_are_refused() -> None:
    client, _, _ = await client_for(None)
    async with client:
        home = await client.get("/", follow_redirects=False)
        odd = await client.get("/app/orders/<script>")
    assert home.status_code in (302, 307)
    assert home.headers["location"] == "/app/orders"
    assert odd.status_code in (400, 404, 422)
    assert odd.headers["content-type"].startswith("application/problem+json")  # never HTML


async def test_simulating_a_payment_exists_only_with_the_local_secret() -> None:
    client, payments, token = await client_for(None)
    async with client:
        anonymous = await client.post("/app/api/simulate-payment/order/BF-000001")
        off = await client.post(
            "/app/api/simulate-payment/order/BF-000001",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert anonymous.status_code == 401
    assert off.status_code == 404
    assert "stripe-mock" in off.json()["detail"]
    assert payments.calls == []


async def test_a_simulated_payment_is_a_signed_webhook_for_the_brand_s_invoice() -> None:
    client, payments, token = await client_for(SECRET)
    async with client:
        page = await client.get("/app/orders/BF-000001/pay")
        answer = await client.post(
            "/app/api/simulate-payment/order/BF-000001",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert 'data-simulate-payments="true"' in page.text
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"outcome": "cleared"}
    # read as the brand, started as the brand, then Stripe's webhook (no brand)
    assert [(m, p) for m, p, _ in payments.calls] == [
        ("GET", "/internal/invoices/BF-000001"),
        ("POST", "/internal/invoices/BF-000001/payment"),
        ("GET", "/internal/invoices/BF-000001"),
        ("POST", "/internal/webhooks/stripe"),
    ]
    assert {a for _, _, a in payments.calls[:3]} != {""}
    [webhook] = payments.webhooks
    timestamp, mac = (
        part.split("=", 1)[1] for part in webhook.headers["Stripe-Signature"].split(",")
    )
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + webhook.content, hashlib.sha256)
    assert mac == expected.hexdigest()
    event = json.loads(webhook.content)
    assert event["type"] == "payment_intent.succeeded"
    assert event["data"]["object"]["id"] == "pi_1"
    assert event["data"]["object"]["amount"] == 12_300
    assert event["data"]["object"]["metadata"]["target"] == "BF-000001"


async def test_every_response_tells_browsers_to_run_only_the_backoffices_own_code() -> None:
    client, _, _ = await client_for(None)
    async with client:
        for path in ("/app/sign-in", "/api/v1/orders", "/app/static/app.js", "/nowhere"):
            response = await client.get(path)
            policy = response.headers["content-security-policy"]
            assert "default-src 'self'" in policy, path
            assert "frame-ancestors 'none'" in policy, path
            assert "unsafe-inline" not in policy, path
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["referrer-policy"] == "no-referrer", path
        page = (await client.get("/app/sign-in")).text
        assert "<script>" not in page, "no inline script to allow"
        assert " style=" not in page, "no inline style to allow"
        assert (await client.get("/api/v1/schema/openapi.json")).status_code == 200
        for viewer in ("/api/v1/schema", "/api/v1/schema/swagger", "/api/v1/schema/redoc"):
            answer = await client.get(viewer)
            assert "cdn" not in answer.text.lower(), viewer
