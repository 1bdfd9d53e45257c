from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from bespoke_gateway.adapters.upstream import ServiceClient
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.accounts import hash_token, open_account
from bespoke_gateway.domain.ratelimit import RateLimiter
from bespoke_gateway.entrypoints.http import create_app
from bespoke_gateway.service_layer.ports import AccountRepository, IdempotencyStore
from bespoke_gateway.settings import GatewaySettings

from .fakes import SIGNER, claims_of

BODY = {
    "design_id": "des_1",
    "design_version": 1,
    "bom_hash": "sha256:x",
    "order_type": "mto",
    "sizes": {"42": 1},
    "shipping_address": {
        "name": "N",
        "line1": "L",
        "city": "C",
        "postal_code": "1",
        "country": "ES",
    },
    "billing": {
        "name": "N",
        "email": "a@b.example",
        "address": {"name": "N", "line1": "L", "city": "C", "postal_code": "1", "country": "ES"},
    },
    "labeling": "unlabeled",
}


class Orders:
    """Stands in for the orders service's internal API."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.refuse_next = 0
        self.down = False
        self.created: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.refuse_next:
            self.refuse_next -= 1
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        if request.headers["Idempotency-Key"] == "used":
            return httpx.Response(
                409,
                json={
                    "type": "https://x/problems/idempotency-key-reused",
                    "status": 409,
                    "instance": "/internal/orders",
                },
                headers={"content-type": "application/problem+json"},
            )
        key = request.headers["Idempotency-Key"]
        if key in self.created:  # as the orders service answers a retry: the order now
            return httpx.Response(
                200,
                json={"order_number": "BF-000009", "status": "work_in_process"},
                headers={"Idempotent-Replayed": "true"},
            )
        self.created.add(key)
        return httpx.Response(201, json={"order_number": "BF-000009", "status": "pending_payment"})


@pytest.fixture
async def setup(accounts: AccountRepository, replies: IdempotencyStore) -> Any:
    orders = Orders()
    account, token = open_account("Norte", "ops@norte.example", datetime.now(UTC))
    await accounts.add(account)
    runtime = GatewayRuntime(
        settings=GatewaySettings(),
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False),
        accounts=accounts,
        orders=ServiceClient(
            "orders",
            httpx.AsyncClient(transport=httpx.MockTransport(orders), base_url="http://orders"),
            SIGNER,
        ),
        design=ServiceClient(
            "design",
            httpx.AsyncClient(transport=httpx.MockTransport(orders), base_url="http://design"),
            SIGNER,
        ),
        payments=ServiceClient(
            "payments",
            httpx.AsyncClient(transport=httpx.MockTransport(orders), base_url="http://payments"),
            SIGNER,
        ),
        shipping=ServiceClient(
            "shipping",
            httpx.AsyncClient(transport=httpx.MockTransport(orders), base_url="http://shipping"),
            SIGNER,
        ),
        idempotency=replies,
        limiter=RateLimiter(rate=1, burst=8),
    )
    async with AsyncTestClient(create_app(runtime)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, orders, account


async def test_checkout_is_forwarded_for_the_token_s_brand(setup: Any) -> None:
    client, orders, account = setup

    response = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "k1"})

    assert response.status_code == 201
    assert response.headers["location"] == "/api/v1/orders/BF-000009"
    [forwarded] = orders.requests
    claims = claims_of(forwarded, "orders")
    assert (claims.realm, claims.account_id, claims.role) == ("brands", account.account_id, "owner")
    assert claims.actor == f"token:{account.account_id}"
    assert "X-Bespoke-Account-Id" not in forwarded.headers, "the brand rides in the credential"
    assert forwarded.headers["Idempotency-Key"] == "k1"
    assert json.loads(forwarded.content)["sizes"] == {"42": 1}


async def test_requests_without_a_valid_token_are_refused(setup: Any) -> None:
    client, orders, _ = setup
    for header in ("", "Bearer", "Bearer not-a-token", "Basic abc"):
        response = await client.post(
            "/api/v1/orders", json=BODY, headers={"Authorization": header, "Idempotency-Key": "k"}
        )
        assert response.status_code == 401, header
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert orders.requests == []


async def test_invalid_bodies_and_missing_keys_never_reach_the_service(setup: Any) -> None:
    client, orders, _ = setup
    invalid = await client.post(
        "/api/v1/orders",
        json={**BODY, "sizes": {"42": 1, "big": 2}},
        headers={"Idempotency-Key": "k"},
    )
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["pointer"].startswith("#/sizes")
    no_key = await client.post("/api/v1/orders", json=BODY)
    assert no_key.status_code == 428
    assert orders.requests == []


async def test_service_problems_pass_through_with_the_public_path(setup: Any) -> None:
    client, _, _ = setup
    response = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "used"})
    assert response.status_code == 409
    assert response.json()["instance"] == "/api/v1/orders"


async def test_an_unreachable_service_is_a_503_problem(setup: Any) -> None:
    client, orders, _ = setup
    orders.down = True
    response = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "k"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "orders service is not answering" in response.json()["detail"]
    orders.down = False
    retried = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "k"})
    assert retried.status_code == 201, "a failed attempt does not hold the key"


async def test_a_retry_gets_the_first_answer_again(setup: Any) -> None:
    client, orders, _ = setup
    first = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "k7"})
    again = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "k7"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content, "the first answer, not the order as it is now"
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers.get("idempotent-replayed") is None
    assert orders.created == {"k7"}
    other = await client.post(
        "/api/v1/orders", json={**BODY, "sizes": {"43": 1}}, headers={"Idempotency-Key": "k7"}
    )
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    orders.down = True
    unreachable = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "k7"})
    assert (unreachable.status_code, unreachable.content) == (201, first.content)
    orders.down = False
    refused = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "used"})
    assert refused.status_code == 409


def test_tokens_are_stored_only_as_hashes() -> None:
    account, token = open_account("Norte", "ops@norte.example", datetime.now(UTC))
    assert token.startswith("bsk_")
    assert token not in repr(account)
    assert account.token_hash == hash_token(token)


async def test_a_token_over_its_rate_gets_429_with_retry_after(setup: Any) -> None:
    client, _, _ = setup
    statuses = [(await client.get("/api/v1/orders")).status_code for _ in range(10)]
    assert 429 in statuses
    limited = await client.get("/api/v1/orders")
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["type"].endswith("/rate-limited")


def test_the_bucket_refills_at_the_rate() -> None:
    limiter = RateLimiter(rate=2, burst=2)
    assert [limiter.take("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert limiter.take("b", 0.0) == 0.0, "each brand has its own bucket"
    assert limiter.take("a", 0.5) == 0.0
    assert limiter.retry_after(0.2) == 1


async def test_a_refused_connection_is_retried_once(setup: Any) -> None:
    client, orders, _ = setup
    orders.refuse_next = 1
    response = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "r1"})
    assert response.status_code == 201
    orders.refuse_next = 2
    response = await client.post("/api/v1/orders", json=BODY, headers={"Idempotency-Key": "r2"})
    assert response.status_code == 503


async def test_an_address_flooding_with_bad_tokens_is_refused_before_any_lookup(
    setup: Any,
) -> None:
    client, _, _ = setup
    runtime = client.app.state.runtime
    runtime.address_limiter = RateLimiter(rate=1, burst=5)
    looked_up = 0
    account_id_for_token = runtime.accounts.account_id_for_token

    async def counting(token_hash: str) -> Any:
        nonlocal looked_up
        looked_up += 1
        return await account_id_for_token(token_hash)

    runtime.accounts.account_id_for_token = counting
    bad = {"Authorization": "Bearer bsk_guess"}
    statuses = [(await client.get("/api/v1/orders", headers=bad)).status_code for _ in range(12)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    assert looked_up == 5, "refused by address before the token is looked up"
    webhook = await client.post("/api/v1/webhooks/stripe", content=b"{}")
    assert webhook.status_code == 429, "the webhook route too"
    assert (await client.get("/health/live")).status_code == 200, "health is never limited"


def test_refilled_buckets_are_dropped_so_many_addresses_cannot_grow_the_table() -> None:
    limiter = RateLimiter(rate=10, burst=10, prune_above=100)
    for n in range(1000):
        limiter.take(f"address:10.0.{n // 256}.{n % 256}", now=float(n))
    assert len(limiter._buckets) <= 101
