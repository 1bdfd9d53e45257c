"""The gateway's promises, walked over EVERY route of the committed OpenAPI document:
no route answers without a valid token; no brand can see or touch another's resources
(a 404, never a 403 that would reveal they exist); tokens can be revoked."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bespoke.accounts import create_account, create_user
from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.permissions import Role

from .conftest import checkout_body

PASSWORD = "sturdy leather insoles 42"

pytestmark = pytest.mark.stack

OPENAPI = json.loads((Path(__file__).parents[2] / "services/gateway/openapi.json").read_text())
ROUTES = sorted((method.upper(), path) for path, ops in OPENAPI["paths"].items() for method in ops)
PUBLIC = {
    ("POST", "/api/v1/webhooks/stripe"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/ops/session"),
    ("POST", "/api/v1/password-resets"),
    ("POST", "/api/v1/password"),
    ("GET", "/api/v1/shared/{secret}"),
}
"""Stripe's webhook (its signature is its credential), signing in and setting a password
from an emailed link (before there is any; the link's secret is the proof), and a shared
design's page (its link's secret is the proof)."""
THE_CALLERS_OWN = {("GET", "/api/v1/session"), ("DELETE", "/api/v1/session")}
"""Routes about the caller themself: no brand's resources to keep apart."""
THE_FACTORYS = {(m, p) for m, p in ROUTES if p.startswith("/api/v1/ops/")}
"""Operators' routes: a brand's credential there is 403 (tests/e2e/test_operators.py)."""


LOGO = (
    "logo.svg",
    b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9" height="9"/></svg>',
    "image/svg+xml",
)


def fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


async def test_no_route_answers_without_a_valid_token(running_system: StackConfig) -> None:
    ids = {
        "design_id": "des_x",
        "order_number": "BF-000001",
        "group_id": "SG-X",
        "token_id": "tok_x",
        "user_id": "usr_x",
        "invoice_number": "INV-2026-000001",
    }
    # Ids that are words of public paths: no route skips authentication by containing one.
    words = dict.fromkeys(ids, "health") | {"order_number": "metrics", "group_id": "webhooks"}
    async with httpx.AsyncClient(base_url=running_system.gateway_url, timeout=15) as client:
        for method, path in ROUTES:
            if (method, path) in PUBLIC:
                continue
            for headers, named in (
                ({}, ids),
                ({"Authorization": "Bearer bsk_no"}, ids),
                ({}, words),
            ):
                response = await client.request(method, fill(path, named), headers=headers, json={})
                assert response.status_code == 401, (method, path, named, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert response.headers["www-authenticate"].startswith("Bearer")
        schema = await client.get("/api/v1/schema/openapi.json")
        assert schema.status_code == 200, "the API's documentation is public"
        assert (await client.get("/health/ready")).status_code == 200


async def _brand_client(running_system: StackConfig, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=running_system.gateway_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )


async def test_brands_cannot_see_or_touch_each_other_s_resources_on_any_route(
    running_system: StackConfig, unique: str
) -> None:
    owner = await create_account(name=f"Owner {unique}", email=f"owner-{unique}@e2e.example")
    other = await create_account(name=f"Other {unique}", email=f"other-{unique}@e2e.example")
    a = await _brand_client(running_system, owner["token"])
    b = await _brand_client(running_system, other["token"])
    try:
        design = (
            await a.post(
                "/api/v1/gallery/gal_country_derby/clone",
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
        ).json()
        numbers = []
        for _ in range(3):
            placed = await a.post(
                "/api/v1/orders",
                json=checkout_body(f"owner-{unique}@e2e.example", design),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            assert placed.status_code == 201, placed.text
            numbers.append(placed.json()["order_number"])
        group = await a.post("/api/v1/shipping-groups", json={"order_numbers": numbers[1:]})
        assert group.status_code == 201, group.text
        token = await a.post("/api/v1/tokens", json={"name": "owner's script"})
        assert token.status_code == 201, token.text
        person = await create_user(
            owner["account_id"], f"person-{unique}@e2e.example", Role.FINANCE, PASSWORD
        )
        link = await a.post(f"/api/v1/designs/{design['id']}/share")
        assert link.status_code == 201, link.text
        stamp = await a.post("/api/v1/stamps", data={"kind": "insole"}, files={"artwork": LOGO})
        assert stamp.status_code == 201, stamp.text
        ids = {
            "design_id": design["id"],
            "order_number": numbers[0],
            "group_id": group.json()["id"],
            "token_id": token.json()["id"],
            "user_id": person["user_id"],
            "invoice_number": "INV-2026-000001",  # issued to some brand; never B's
            "stamp_id": stamp.json()["id"],
            "share_id": link.json()["id"],
        }
        async with asyncio.timeout(30):  # the owner's invoices exist: B must still not see them
            while (await a.get(f"/api/v1/orders/{numbers[0]}/payment")).status_code != 200:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        fake_ids = {
            "design_id": "des_000000000000000000000000",
            "order_number": "BF-999999",
            "group_id": "SG-AAAAAAAAAA",
            "token_id": "tok_0000000000000000",
            "user_id": "usr_000000000000000000000000",
            "invoice_number": "INV-1999-999999",
            "stamp_id": "stp_000000000000000000000000",
            "share_id": "shr_0000000000000000",
        }
        full_design = (await a.get(f"/api/v1/designs/{design['id']}")).json()
        bodies: dict[tuple[str, str], Callable[[], Any]] = {
            ("PUT", "/api/v1/designs/{design_id}"): lambda: {
                k: full_design[k]
                for k in (
                    "name",
                    "style",
                    "construction",
                    "last",
                    "materials",
                    "sole_unit",
                    "elements",
                )
                if k in full_design
            },
            ("PATCH", "/api/v1/orders/{order_number}"): lambda: {"sizes": {"42": 2}},
            ("PATCH", "/api/v1/users/{user_id}"): lambda: {"role": "viewer"},
            ("POST", "/api/v1/orders"): lambda: checkout_body("b@e2e.example", design),
            ("POST", "/api/v1/estimates"): lambda: {
                "design_id": design["id"],
                "design_version": design["version"],
                "order_type": "mini_bulk",
                "sizes": {"42": 2},
            },
            ("POST", "/api/v1/shipping-groups"): lambda: {"order_numbers": numbers[1:]},
            ("POST", "/api/v1/stamps/{stamp_id}/request-changes"): lambda: {"comment": "bigger"},
        }
        uploads = {("POST", "/api/v1/stamps/{stamp_id}/artwork")}
        shared = {
            ("GET", "/api/v1/catalog"),
            ("GET", "/api/v1/gallery"),
            *PUBLIC,
            *THE_CALLERS_OWN,
            *THE_FACTORYS,
        }
        creates_own = {
            ("POST", "/api/v1/designs"),
            ("POST", "/api/v1/tokens"),
            ("POST", "/api/v1/stamps"),
        }
        lists = {
            ("GET", "/api/v1/designs"),
            ("GET", "/api/v1/invoices"),
            ("GET", "/api/v1/orders"),
            ("GET", "/api/v1/shipping-groups"),
            ("GET", "/api/v1/stamps"),
            ("GET", "/api/v1/tokens"),
            ("GET", "/api/v1/users"),
        }
        walked = set()
        for method, path in ROUTES:
            route = (method, path)
            if route in shared or route in creates_own:
                walked.add(route)
                continue
            url = fill(path, ids)
            body = bodies.get(route, lambda: None)()
            headers = {"Idempotency-Key": str(uuid.uuid4())}
            files = {"artwork": LOGO} if route in uploads else None
            response = await b.request(method, url, json=body, files=files, headers=headers)
            if route in lists:
                assert response.status_code == 200, (route, response.text)
                seen = json.dumps(response.json())
                for value in (design["id"], *numbers, *(ids[k] for k in ids if k != "design_id")):
                    assert value not in seen, (route, value)
            else:
                # Exactly what a made-up id gets: nothing tells "exists, not yours" apart.
                made_up = await b.request(
                    method,
                    fill(path, fake_ids),
                    json=_swap(body, ids, fake_ids),
                    files=files,
                    headers=headers,
                )
                assert response.status_code in (404, 422), (route, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert (response.status_code, response.json()["type"]) == (
                    made_up.status_code,
                    made_up.json()["type"],
                ), (route, response.text, made_up.text)
            walked.add(route)
        assert walked == set(ROUTES), "every route is walked"

        # Nothing of the owner's changed.
        assert (await a.get(f"/api/v1/orders/{numbers[0]}")).json()["status"] == "pending_payment"
        assert (await a.get(f"/api/v1/shipping-groups/{ids['group_id']}")).json()[
            "status"
        ] == "open"
        assert (await a.get(f"/api/v1/designs/{design['id']}")).json()["version"] == design[
            "version"
        ]
        owners_tokens = (await a.get("/api/v1/tokens")).json()["items"]
        assert [t["id"] for t in owners_tokens] == [ids["token_id"]], "not revoked by B"
        [still] = (await a.get("/api/v1/users")).json()["items"]
        assert (still["role"], still["status"]) == ("finance", "active"), "B changed no one"
    finally:
        await a.aclose()
        await b.aclose()


def _bespoke(*args: str) -> dict[str, Any]:
    command = [str(Path(sys.executable).parent / "bespoke"), "accounts", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


async def test_a_revoked_token_stops_working_and_a_new_one_works(
    running_system: StackConfig, unique: str
) -> None:
    brand = _bespoke("create", "--name", f"Revoke {unique}", "--email", f"r-{unique}@e2e.example")
    async with httpx.AsyncClient(base_url=running_system.gateway_url, timeout=15) as client:

        async def status(token: str) -> int:
            response = await client.get(
                "/api/v1/orders", headers={"Authorization": f"Bearer {token}"}
            )
            return response.status_code

        async def refused_within(token: str, seconds: float) -> bool:
            """A gateway that remembers the token forgets it when it next reads the
            notices of revoked tokens (every second)."""
            deadline = time.monotonic() + seconds
            while await status(token) != 401:
                if time.monotonic() > deadline:
                    return False
                await asyncio.sleep(0.1)
            return True

        assert await status(brand["token"]) == 200  # now remembered by the gateway
        assert _bespoke("revoke", brand["account_id"])["token"] == "revoked"
        assert await refused_within(brand["token"], 2.0)
        fresh = _bespoke("token", brand["account_id"])
        assert fresh["token"].startswith("bsk_")
        assert fresh["token"] != brand["token"]
        assert await status(fresh["token"]) == 200
        assert await status(brand["token"]) == 401
    code, output = _bespoke_failing("revoke", "acc_nobody")
    assert code != 0
    assert "no brand acc_nobody" in output


def _bespoke_failing(*args: str) -> tuple[int, str]:
    command = [str(Path(sys.executable).parent / "bespoke"), "accounts", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def _swap(body: Any, ids: dict[str, str], fake: dict[str, str]) -> Any:
    """The same body with every real id replaced by its made-up twin."""
    if body is None:
        return None
    text = json.dumps(body)
    for name, value in ids.items():
        text = text.replace(value, fake[name])
    return json.loads(text)
