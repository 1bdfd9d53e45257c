"""The factory's operators: a realm apart. They sign in at /api/v1/ops/session or use an
operator token; a brand's credential on an operator route is 403, and theirs on a brand
route is 403."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from bespoke.stack.config import StackConfig

pytestmark = pytest.mark.stack

PASSWORD = "factory floor passphrase 7"


def create_operator(email: str, role: str) -> dict[str, Any]:
    """An operator made with the real command, the password on standard input."""
    bespoke = Path(sys.executable).parent / "bespoke"
    result = subprocess.run(
        [str(bespoke), "operators", "create", "--email", email, "--role", role, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    operator: dict[str, Any] = json.loads(result.stdout)
    assert operator["role"] == role
    assert operator["token"].startswith("bso_")
    return operator


async def test_operators_and_brands_each_keep_to_their_own_routes(
    running_system: StackConfig, brand: dict[str, Any], unique: str
) -> None:
    operator = create_operator(f"floor-{unique}@factory.example", "production")
    as_operator = {"Authorization": f"Bearer {operator['token']}"}
    as_brand = {"Authorization": f"Bearer {brand['token']}"}
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1", timeout=15
    ) as client:
        who = await client.get("/ops/session", headers=as_operator)
        assert who.status_code == 200, who.text
        assert (who.json()["operator_id"], who.json()["role"]) == (
            operator["operator_id"],
            "production",
        )
        brand_there = await client.get("/ops/session", headers=as_brand)
        assert brand_there.status_code == 403
        assert brand_there.json()["type"].endswith("/forbidden")
        operator_here = await client.get("/orders", headers=as_operator)
        assert operator_here.status_code == 403
        assert operator_here.json()["type"].endswith("/forbidden")


async def test_an_operator_signs_in_with_a_cookie_of_the_factory_realm(
    running_system: StackConfig, unique: str
) -> None:
    email = f"desk-{unique}@factory.example"
    create_operator(email, "support")
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1", timeout=15
    ) as browser:
        as_brand_user = await browser.post("/session", json={"email": email, "password": PASSWORD})
        assert as_brand_user.status_code == 401, "an operator is no brand user"
        signed = await browser.post("/ops/session", json={"email": email, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith("bespoke_ops_session=")
        assert "HttpOnly" in cookie
        assert (await browser.get("/ops/session")).json()["role"] == "support"
        assert (await browser.get("/orders")).status_code == 403, "not a brand's"
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        assert (await browser.delete("/ops/session", headers=csrf)).status_code == 204
        assert (await browser.get("/ops/session")).status_code == 401
