"""Signed calls between services: a service answers only what a caller it trusts signed
for it, takes the brand from the credential alone, and keeps its operator routes to
operators."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from litestar import get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from pymongo import AsyncMongoClient

from bespoke_platform.app import AccountId, Actor, operators_only, service_app
from bespoke_platform.credentials import (
    OPERATORS,
    CredentialSigner,
    InvalidCredential,
    load_trusted_keys,
    new_key,
    private_pem,
    public_jwk,
    signed,
    signer_from,
    verifier_from,
)

GATEWAY_KEY, ORDERS_KEY, STRANGER_KEY, MAIL_KEY = new_key(), new_key(), new_key(), new_key()
GATEWAY = CredentialSigner("gateway", "gw-1", GATEWAY_KEY)
TRUSTED = json.dumps(
    {
        "gateway": [public_jwk("gw-1", GATEWAY_KEY)],
        "orders": [public_jwk("or-1", ORDERS_KEY)],
        "notifications": [public_jwk("no-1", MAIL_KEY)],
    }
)


@get("/internal/things")
async def things(account_id: AccountId, actor: Actor) -> dict[str, Any]:
    return {"account_id": account_id, "actor": actor}


@get("/internal/designs/{design_id:str}/preview.svg")
async def drawing(design_id: FromPath[str], account_id: AccountId) -> dict[str, str]:
    return {"drawn": design_id, "for": account_id}


@get("/internal/factory", guards=[operators_only])
async def factory() -> dict[str, str]:
    return {"for": "operators"}


@pytest.fixture
async def design() -> Any:
    """A service (``design``) that trusts the gateway and orders."""
    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", serverSelectionTimeoutMS=100),
        route_handlers=[things, drawing, factory],
        credentials=verifier_from("design", TRUSTED),
    )
    async with AsyncTestClient(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_brand_comes_from_a_verified_credential_only(design: Any) -> None:
    token = GATEWAY.mint("design", account_id="acc_1", actor="user:usr_ana", role="owner")
    answer = await design.get("/internal/things", headers=bearer(token))
    assert answer.json() == {"account_id": "acc_1", "actor": "user:usr_ana"}

    header_only = await design.get("/internal/things", headers={"X-Bespoke-Account-Id": "acc_1"})
    assert header_only.status_code == 401
    assert header_only.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "token",
    [
        GATEWAY.mint("orders", account_id="acc_1"),  # for another service
        CredentialSigner("gateway", "gw-1", STRANGER_KEY).mint("design", account_id="acc_1"),
        CredentialSigner("orders", "gw-1", GATEWAY_KEY).mint("design", account_id="acc_1"),
        CredentialSigner("gateway", "or-1", ORDERS_KEY).mint("design", account_id="acc_1"),
        GATEWAY.mint("design", account_id="acc_1", now=datetime.now(UTC) - timedelta(minutes=2)),
        jwt.encode({"iss": "gateway", "aud": "design", "acc": "acc_1"}, "secret", "HS256"),
        "not a token",
    ],
    ids=[
        "another-audience",
        "an-untrusted-key",
        "a-key-speaking-for-another-caller",
        "orders-key-claiming-the-gateway",
        "expired",
        "an-hmac-token",
        "garbage",
    ],
)
async def test_anything_but_a_trusted_callers_fresh_credential_is_401(
    design: Any, token: str
) -> None:
    assert (await design.get("/internal/things", headers=bearer(token))).status_code == 401


async def test_health_needs_none_and_nothing_else_slips_through(design: Any) -> None:
    for path in ("/health", "/health/live", "/health/ready"):
        assert (await design.get(path)).status_code != 401, path
    for path in ("/health/../internal/things", "/metrics", "/internal/things?x=/health"):
        assert (await design.get(path)).status_code in (401, 404), path


async def test_a_service_calls_with_its_own_credential(design: Any) -> None:
    orders = CredentialSigner("orders", "or-1", ORDERS_KEY)
    answer = await design.get("/internal/things", headers=signed(orders, "design", "acc_2"))
    assert answer.json()["account_id"] == "acc_2"
    no_brand = await design.get("/internal/things", headers=signed(orders, "design"))
    assert no_brand.status_code == 403, "a brand route needs a brand"


async def test_a_caller_limited_to_some_routes_is_refused_the_rest(design: Any) -> None:
    """Notifications may read design's drawings and nothing else of design, although its
    credential verifies (``CALLS_LIMITED``); orders, not limited, reaches both."""
    mail = CredentialSigner("notifications", "no-1", MAIL_KEY)
    drawn = await design.get(
        "/internal/designs/des_1/preview.svg", headers=signed(mail, "design", "acc_1")
    )
    assert drawn.json() == {"drawn": "des_1", "for": "acc_1"}
    refused = await design.get("/internal/things", headers=signed(mail, "design", "acc_1"))
    assert refused.status_code == 403
    assert "notifications may not call GET /internal/things" in refused.json()["detail"]
    nested = await design.get(
        "/internal/designs/des_1/preview.svg/../../things", headers=signed(mail, "design", "acc_1")
    )
    assert nested.status_code in (403, 404)
    orders = CredentialSigner("orders", "or-1", ORDERS_KEY)
    assert (
        await design.get("/internal/things", headers=signed(orders, "design", "acc_1"))
    ).status_code == 200


async def test_the_factory_s_routes_take_operators_only(design: Any) -> None:
    operator = GATEWAY.mint("design", realm=OPERATORS, actor="operator:op_1", role="admin")
    brand = GATEWAY.mint("design", account_id="acc_1", role="owner")
    assert (await design.get("/internal/factory", headers=bearer(operator))).status_code == 200
    assert (await design.get("/internal/factory", headers=bearer(brand))).status_code == 403


async def test_a_service_with_no_trusted_callers_answers_no_one() -> None:
    app = service_app(
        mongo=AsyncMongoClient("mongodb://127.0.0.1:1", connect=False),
        route_handlers=[things],
        credentials=verifier_from("design", ""),
    )
    token = GATEWAY.mint("design", account_id="acc_1")
    async with AsyncTestClient(app) as client:
        assert (await client.get("/internal/things", headers=bearer(token))).status_code == 401


def test_keys_come_from_settings_and_rotate_by_trusting_two() -> None:
    signer = signer_from("gateway", private_pem(GATEWAY_KEY), "gw-2")
    assert signer is not None
    assert signer_from("design", "", "") is None
    with pytest.raises(ValueError, match="key id"):
        signer_from("gateway", private_pem(GATEWAY_KEY), "")
    both = json.dumps(
        {"gateway": [public_jwk("gw-1", GATEWAY_KEY), public_jwk("gw-2", GATEWAY_KEY)]}
    )
    assert set(load_trusted_keys(both)["gateway"]) == {"gw-1", "gw-2"}
    verifier = verifier_from("design", both)
    assert verifier.verify(signer.mint("design", account_id="acc_1")).account_id == "acc_1"
    with pytest.raises(InvalidCredential):
        verifier_from("design", TRUSTED).verify(signer.mint("design", account_id="acc_1"))
