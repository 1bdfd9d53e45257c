"""Invitations and password resets through the gateway, the emails read back from
Mailpit: the link sets a password once and signs the person in, a used or replaced link
is refused, a reset ends every other session, and a reset request never tells whether
an email has an account."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from bespoke.stack.config import StackConfig

from .test_notifications import full
from .test_order_slice import wait_for_emails
from .test_session import PASSWORD, create_user, sign_in

pytestmark = pytest.mark.stack

NEW_PASSWORD = "resoled welted brogues 7"
LINK = re.compile(r"(https?://\S+/app/password)#token=(bsl_[A-Za-z0-9_-]+)")


async def link_in_email(mailpit: httpx.AsyncClient, to: str, count: int = 1) -> str:
    """The secret of the newest password link emailed to ``to``."""
    messages = await wait_for_emails(mailpit, to, count)
    message = await full(mailpit, messages[0])  # newest first
    found = LINK.search(message["Text"])
    assert found, message["Text"]
    assert f'href="{found.group(0)}"' in message["HTML"]
    return found.group(2)


async def test_an_invited_user_sets_a_password_from_the_email_and_is_signed_in(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, mailpit: httpx.AsyncClient, unique: str
) -> None:
    email = f"invited-{unique}@e2e.example"
    invited = await api.post("/users", json={"email": email, "role": "designer", "name": "Bea"})
    assert invited.status_code == 201, invited.text
    user = invited.json()
    assert (user["email"], user["role"], user["status"]) == (email, "designer", "invited")

    messages = await wait_for_emails(mailpit, email, 1)
    assert "invited to E2E Brand" in messages[0]["Subject"]
    secret = await link_in_email(mailpit, email)
    assert (await sign_in(browser, email, NEW_PASSWORD)).status_code == 401, "no password yet"

    weak = await browser.post("/password", json={"token": secret, "password": "short"})
    assert weak.status_code == 422, "a weak password leaves the link usable"
    accepted = await browser.post("/password", json={"token": secret, "password": NEW_PASSWORD})
    assert accepted.status_code == 200, accepted.text
    assert "bespoke_session=" in accepted.headers["set-cookie"]
    me = (await browser.get("/session")).json()
    assert (me["user_id"], me["role"], me["email"]) == (user["user_id"], "designer", email)

    again = await browser.post("/password", json={"token": secret, "password": NEW_PASSWORD})
    assert again.status_code == 400
    assert again.json()["type"].endswith("/password-link-invalid")
    listed = {u["user_id"]: u for u in (await api.get("/users")).json()["items"]}
    assert listed[user["user_id"]]["status"] == "active"


async def test_a_second_invitation_replaces_the_first_link(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, mailpit: httpx.AsyncClient, unique: str
) -> None:
    email = f"twice-{unique}@e2e.example"
    assert (await api.post("/users", json={"email": email, "role": "viewer"})).status_code == 201
    first = await link_in_email(mailpit, email)
    assert (await api.post("/users", json={"email": email, "role": "finance"})).status_code == 201
    second = await link_in_email(mailpit, email, count=2)
    assert second != first

    stale = await browser.post("/password", json={"token": first, "password": NEW_PASSWORD})
    assert stale.status_code == 400
    fresh = await browser.post("/password", json={"token": second, "password": NEW_PASSWORD})
    assert fresh.json()["role"] == "finance"


async def test_who_may_invite_whom(
    brand: dict[str, Any], api: httpx.AsyncClient, browser: httpx.AsyncClient, unique: str
) -> None:
    create_user(brand, f"admin-{unique}@e2e.example", "admin")
    create_user(brand, f"designer-{unique}@e2e.example", "designer")
    taken = await api.post(
        "/users", json={"email": f"ADMIN-{unique}@e2e.example", "role": "viewer"}
    )
    assert taken.status_code == 409

    async def invite_as(person: str, email: str, role: str) -> httpx.Response:
        """``person`` signs in and invites ``email`` in ``role`` (with the CSRF token)."""
        csrf = (await sign_in(browser, person)).json()["csrf_token"]
        body = {"email": email, "role": role}
        return await browser.post("/users", json=body, headers={"X-CSRF-Token": csrf})

    admin = f"admin-{unique}@e2e.example"
    owner = await invite_as(admin, f"new-owner-{unique}@e2e.example", "owner")
    assert owner.status_code == 403, "only an owner makes an owner"
    no_csrf = await browser.post(
        "/users", json={"email": f"x-{unique}@e2e.example", "role": "viewer"}
    )
    assert no_csrf.status_code == 403
    refused = await invite_as(f"designer-{unique}@e2e.example", f"y-{unique}@e2e.example", "viewer")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/forbidden")


async def test_a_reset_by_email_ends_every_session_and_the_old_password(
    brand: dict[str, Any], browser: httpx.AsyncClient, mailpit: httpx.AsyncClient, unique: str
) -> None:
    email = f"forgetful-{unique}@e2e.example"
    create_user(brand, email, "viewer")
    assert (await sign_in(browser, email)).status_code == 200
    async with httpx.AsyncClient(base_url=str(browser.base_url), timeout=15) as other:
        known = await other.post("/password-resets", json={"email": email.upper()})
        unknown = await other.post(
            "/password-resets", json={"email": f"nobody-{unique}@e2e.example"}
        )
        assert (known.status_code, unknown.status_code) == (202, 202)
        assert known.json() == unknown.json(), "the answer never tells"
        assert "set-cookie" not in known.headers

        secret = await link_in_email(mailpit, email)
        changed = await other.post("/password", json={"token": secret, "password": NEW_PASSWORD})
        assert changed.status_code == 200, changed.text
        assert (await other.get("/session")).status_code == 200, "signed in by the link"

    assert (await browser.get("/session")).status_code == 401, "the other session ended"
    assert (await sign_in(browser, email, PASSWORD)).status_code == 401
    assert (await sign_in(browser, email, NEW_PASSWORD)).status_code == 200
    nobody = await mailpit.get("/search", params={"query": f"to:nobody-{unique}@e2e.example"})
    assert nobody.json()["messages"] == []


async def test_no_password_or_link_secret_reaches_a_log(
    running_system: StackConfig,
    api: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    mailpit: httpx.AsyncClient,
    unique: str,
) -> None:
    email = f"logged-{unique}@e2e.example"
    password = f"never in a log {unique}"
    assert (await api.post("/users", json={"email": email, "role": "viewer"})).status_code == 201
    secret = await link_in_email(mailpit, email)
    await browser.post("/password", json={"token": secret, "password": "short"})  # refused
    assert (
        await browser.post("/password", json={"token": secret, "password": password})
    ).is_success
    await sign_in(
        browser, email, password + " wrong"
    )  # a failed sign-in is logged, not its password
    assert (await sign_in(browser, email, password)).status_code == 200

    for service in ("gateway", "notifications"):
        log = (running_system.logs_dir / f"{service}.log").read_text(errors="replace")
        for secret_text in (password, secret):
            assert secret_text not in log, f"{service}.log holds a secret"
