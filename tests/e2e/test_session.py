"""Brand users signing in through the gateway: a cookie-held session, CSRF on changes,
the user's current role on every request, one answer for a wrong email or password, and
failed sign-ins throttled."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bespoke.accounts import gateway_settings
from bespoke.stack.config import StackConfig
from bespoke_gateway.adapters.people import MongoUsers
from bespoke_gateway.domain.permissions import Role
from bespoke_gateway.domain.users import UserStatus
from bespoke_platform.mongo import connect

pytestmark = pytest.mark.stack

PASSWORD = "sturdy leather insoles 42"


def create_user(brand: dict[str, Any], email: str, role: str) -> dict[str, Any]:
    """A brand user made with the real command, the password on standard input."""
    bespoke = Path(sys.executable).parent / "bespoke"
    result = subprocess.run(
        [
            *(str(bespoke), "users", "create", "--account", brand["account_id"]),
            *("--email", email, "--role", role, "--password-stdin"),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    user: dict[str, Any] = json.loads(result.stdout)
    assert (user["account_id"], user["role"]) == (brand["account_id"], role)
    return user


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Any:
    return await client.post("/session", json={"email": email, "password": password})


async def set_user(user_id: str, **changes: Any) -> None:
    """What an admin's change to a user does, straight in the gateway's database."""
    settings = gateway_settings()
    mongo = connect(settings.mongodb_url)
    try:
        users = MongoUsers(mongo[settings.mongodb_database])
        user = await users.get(user_id)
        assert user is not None
        await users.save(dataclasses.replace(user, **changes))
    finally:
        await mongo.close()


async def test_a_user_signs_in_works_in_their_role_and_signs_out(
    brand: dict[str, Any], browser: httpx.AsyncClient, unique: str
) -> None:
    user = create_user(brand, f"Viewer-{unique}@E2E.example", "viewer")

    signed = await sign_in(browser, f"viewer-{unique}@e2e.example")  # any case

    assert signed.status_code == 200, signed.text
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("bespoke_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie, "plain http on the local stack"
    session = signed.json()
    assert (session["user_id"], session["role"]) == (user["user_id"], "viewer")
    assert (await browser.get("/session")).json()["user_id"] == user["user_id"]
    assert (await browser.get("/orders")).status_code == 200, "a viewer reads"

    no_csrf = await browser.post("/orders", json={})
    assert no_csrf.status_code == 403
    assert no_csrf.json()["type"].endswith("/csrf-token-invalid")
    csrf = {"X-CSRF-Token": session["csrf_token"]}
    refused = await browser.post("/orders", json={}, headers=csrf)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/forbidden"), "a viewer may not check out"

    out = await browser.delete("/session", headers=csrf)
    assert out.status_code == 204
    assert (await browser.get("/orders")).status_code == 401
    browser.cookies.set("bespoke_session", cookie.split(";")[0].split("=", 1)[1])
    assert (await browser.get("/orders")).status_code == 401, "the old cookie is dead"


async def test_the_cookie_is_secure_behind_an_https_ingress(
    brand: dict[str, Any], browser: httpx.AsyncClient, unique: str
) -> None:
    create_user(brand, f"https-{unique}@e2e.example", "viewer")
    signed = await browser.post(
        "/session",
        json={"email": f"https-{unique}@e2e.example", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" in signed.headers["set-cookie"]


async def within_a_second(answer: Callable[[], Awaitable[object]], wanted: object) -> None:
    """``answer`` gives ``wanted`` within the time every gateway takes to read the
    notices of changes (1 s, and a little for a busy machine)."""
    async with asyncio.timeout(3):
        while True:
            if await answer() == wanted:
                return
            await asyncio.sleep(0.1)


async def test_a_role_change_or_deactivation_applies_within_a_second(
    brand: dict[str, Any], browser: httpx.AsyncClient, unique: str
) -> None:
    """A change written by any process (here straight in the database, as another
    gateway would) reaches every gateway with its notices."""
    user = create_user(brand, f"later-admin-{unique}@e2e.example", "viewer")
    csrf = {
        "X-CSRF-Token": (await sign_in(browser, f"later-admin-{unique}@e2e.example")).json()[
            "csrf_token"
        ]
    }
    assert (await browser.post("/orders", json={}, headers=csrf)).status_code == 403

    async def check_out() -> int:
        return (await browser.post("/orders", json={}, headers=csrf)).status_code

    await set_user(user["user_id"], role=Role.ADMIN)
    await within_a_second(check_out, 422)  # past the role check: the empty body is refused

    async def orders() -> int:
        return (await browser.get("/orders")).status_code

    await set_user(user["user_id"], status=UserStatus.DEACTIVATED)
    await within_a_second(orders, 401)
    assert (await sign_in(browser, f"later-admin-{unique}@e2e.example")).status_code == 401


async def test_a_wrong_email_and_a_wrong_password_get_the_same_answer(
    brand: dict[str, Any], browser: httpx.AsyncClient, unique: str
) -> None:
    create_user(brand, f"known-{unique}@e2e.example", "finance")
    wrong_password = await sign_in(browser, f"known-{unique}@e2e.example", "not the password")
    unknown_email = await sign_in(browser, f"unknown-{unique}@e2e.example", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert "set-cookie" not in wrong_password.headers


async def test_failed_sign_ins_for_an_email_are_throttled_whether_it_exists_or_not(
    brand: dict[str, Any], browser: httpx.AsyncClient, unique: str
) -> None:
    create_user(brand, f"target-{unique}@e2e.example", "owner")
    answers = {}
    for email in (f"target-{unique}@e2e.example", f"ghost-{unique}@e2e.example"):
        statuses = [(await sign_in(browser, email, "guess")).status_code for _ in range(6)]
        answers[email] = statuses
        locked = await sign_in(browser, email)  # the right password, for the real one
        assert locked.status_code == 429, "within a second of the fifth failure"
        assert int(locked.headers["retry-after"]) >= 1
        assert locked.json()["type"].endswith("/sign-in-throttled")
    existing, ghost = answers.values()
    assert existing == ghost == [401] * 5 + [429], "the same, whether the email exists or not"


async def test_an_api_token_works_in_its_role_and_stops_when_revoked(
    brand: dict[str, Any], running_system: StackConfig
) -> None:
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {brand['token']}"},
        timeout=15,
    ) as owner:
        made = await owner.post("/tokens", json={"name": "ERP sync", "role": "finance"})
        assert made.status_code == 201, made.text
        token = made.json()
        listed = (await owner.get("/tokens")).json()["items"]
        assert [t["id"] for t in listed] == [token["id"]]
        assert "token" not in listed[0], "the secret is shown once"

        script = {"Authorization": f"Bearer {token['token']}"}
        assert (await owner.get("/orders", headers=script)).status_code == 200
        refused = await owner.post("/orders", json={}, headers=script)
        assert refused.status_code == 403, "finance may not check out"
        escalate = await owner.post("/tokens", json={"name": "more"}, headers=script)
        assert escalate.status_code == 403, "finance may not manage tokens"
        used = (await owner.get("/tokens")).json()["items"][0]
        assert used["last_used_at"] is not None

        assert (await owner.delete(f"/tokens/{token['id']}")).status_code == 204
        assert (await owner.get("/orders", headers=script)).status_code == 401
        assert (await owner.delete(f"/tokens/{token['id']}")).status_code == 404


async def test_an_admin_changes_a_role_and_deactivates_a_user(
    brand: dict[str, Any], running_system: StackConfig, unique: str
) -> None:
    viewer = create_user(brand, f"managed-{unique}@e2e.example", "viewer")
    async with (
        httpx.AsyncClient(
            base_url=f"{running_system.gateway_url}/api/v1",
            headers={"Authorization": f"Bearer {brand['token']}"},
            timeout=15,
        ) as owner,
        httpx.AsyncClient(base_url=f"{running_system.gateway_url}/api/v1", timeout=15) as them,
    ):
        signed = await sign_in(them, f"managed-{unique}@e2e.example")
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        listed = (await owner.get("/users")).json()["items"]
        assert [u["user_id"] for u in listed] == [viewer["user_id"]]

        changed = await owner.patch(f"/users/{viewer['user_id']}", json={"role": "designer"})
        assert changed.json()["role"] == "designer"

        async def their_role() -> str:
            return str((await them.get("/session")).json()["role"])

        await within_a_second(their_role, "designer")
        assert (await them.get("/users")).status_code == 403, "a designer manages no one"

        gone = await owner.delete(f"/users/{viewer['user_id']}")
        assert gone.json()["status"] == "deactivated"
        assert (await them.get("/orders", headers=csrf)).status_code == 401, "at once"
