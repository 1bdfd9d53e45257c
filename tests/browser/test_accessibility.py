"""Every page of the backoffice and the operator console, with something on it, checked
by axe-core at a desktop's and a phone's width: no critical or serious violation, and
nothing wider than the window."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from bespoke.accounts import create_operator
from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role
from tests.e2e.test_shipping import until

from .conftest import SCREENSHOTS, accessibility_problems, brand_api, checked_out, cloned
from .test_production_ui import paid_orders
from .test_web_ui import PASSWORD, user

pytestmark = pytest.mark.stack

WIDTHS = (1280, 390)


@dataclass(frozen=True)
class Pages:
    """What the pages show: a brand with a paid order, two pending ones in a group, a
    design and its share link; an operator."""

    owner: str
    operator: str
    paid: str
    pending: str
    group: str
    design: dict[str, Any]
    share: str


async def brand_with_everything(
    running_system: StackConfig, brand: dict[str, Any], unique: str
) -> Pages:
    paid = (await paid_orders(running_system, brand, 1))[0]
    async with brand_api(running_system, brand) as owner:
        design = await cloned(owner, "gal_country_derby")
        pending = [await checked_out(owner, design) for _ in range(2)]
        for number in pending:

            async def invoiced(n: str = number) -> bool:
                return (await owner.get(f"/orders/{n}/payment")).status_code == 200

            await until(invoiced)
        formed = await owner.post(
            "/shipping-groups",
            json={"order_numbers": pending},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert formed.status_code == 201, formed.text
        shared = await owner.post(f"/designs/{design['id']}/share", json={})
        assert shared.status_code == 201, shared.text
    operator = f"ops-{unique}@factory.example"
    await create_operator(operator, OperatorRole.ADMIN, PASSWORD, name="Console admin")
    return Pages(
        owner=await user(brand, Role.OWNER),
        operator=operator,
        paid=paid,
        pending=pending[0],
        group=formed.json()["id"],
        design=design,
        share=shared.json()["url"].rsplit("/share/", 1)[1],
    )


async def sign_in(page: Page, url: str, email: str) -> None:
    await page.goto(url)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def audit(page: Page, url: str, ready: str, found: dict[str, list[str]], key: str) -> None:
    """Open ``url``, wait until ``ready`` (a selector) shows and the page's calls are done,
    and keep what axe-core and the width check find."""
    await page.goto(url)
    await expect(page.locator(ready).first).to_be_visible()
    await page.wait_for_load_state("networkidle")
    problems = await accessibility_problems(page)
    if problems:
        found[key] = problems


async def test_the_check_finds_a_serious_violation_and_an_overflow(page: Page) -> None:
    """The audit can fail: an image without a text alternative and a box wider than a
    phone are both reported."""
    await page.set_viewport_size({"width": 390, "height": 800})
    await page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<div id="wide" style="width: 2000px">wide</div></main></body></html>'
    )
    problems = await accessibility_problems(page)
    assert any(p.startswith("critical image-alt") for p in problems), problems
    assert any(p.startswith("overflows: 20") and "div#wide" in p for p in problems), problems


async def designer_with_a_conflict(page: Page, url: str, found: dict[str, list[str]]) -> None:
    """The designer showing a conflict passes too, and keeps the picture, the price and
    the conflicts' count in the window while the field that caused it is in its middle."""
    await page.goto(url)
    await expect(page.locator("#design-preview")).to_be_visible()
    await page.get_by_label("Construction").select_option("blake_stitched")
    sole = page.get_by_label("Sole unit")
    await sole.select_option("commando")
    await expect(sole).to_have_attribute("aria-invalid", "true")
    await sole.evaluate("field => field.scrollIntoView({ block: 'center' })")
    window = page.viewport_size or {"width": 1280, "height": 900}
    height = window["height"]
    for shown in ("#design-preview", "#price-per-pair", "#conflict-count"):
        box = await page.locator(shown).bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > height:
            found.setdefault("designer with a conflict", []).append(
                f"{shown} out of the window beside the sole unit: {box}"
            )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"designer-conflict-{window['width']}px.png")
    problems = await accessibility_problems(page)
    if problems:
        found.setdefault("designer with a conflict", []).extend(problems)


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_page_passes_axe_and_fits_the_window(
    browser: Browser,
    running_system: StackConfig,
    brand: dict[str, Any],
    unique: str,
    width: int,
) -> None:
    base = running_system.gateway_url
    pages = await brand_with_everything(running_system, brand, unique)
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", is_mobile=width < 600
    )
    context.set_default_timeout(15_000)
    page = await context.new_page()
    found: dict[str, list[str]] = {}
    design, version = pages.design["id"], pages.design["version"]
    try:
        # Signed out: sign-in, the password page, a shared design, the console's sign-in.
        await audit(page, f"{base}/app/sign-in", "form:visible", found, "sign-in")
        await audit(page, f"{base}/app/password", "form:visible", found, "password")
        await audit(page, f"{base}/share/{pages.share}", "#shared-side", found, "share")
        await audit(page, f"{base}/ops", "form:visible", found, "ops sign-in")

        await sign_in(page, f"{base}/app/sign-in?next=/app/orders", pages.owner)
        await expect(page.locator("#who")).to_contain_text("Ana")
        brand_pages = {
            "orders": ("/app/orders", f"text={pages.paid}"),
            "order": (f"/app/orders/{pages.paid}", "#order-preview"),
            "pay order": (f"/app/orders/{pages.pending}/pay", "h1:visible"),
            "pay group": (f"/app/groups/{pages.group}/pay", "h1:visible"),
            "designer": (f"/app/designer?design={design}", "#design-preview"),
            "gallery": ("/app/gallery", "main img"),
            "checkout": (f"/app/checkout?design={design}&version={version}", "#confirm-title"),
            "stamps": ("/app/stamps", "h1:visible"),
            "users": ("/app/users", "h1:visible"),
            "tokens": ("/app/tokens", "h1:visible"),
        }
        for key, (path, ready) in brand_pages.items():
            await audit(page, f"{base}{path}", ready, found, key)
        await designer_with_a_conflict(page, f"{base}/app/designer?design={design}", found)

        await sign_in(page, f"{base}/ops", pages.operator)
        await expect(page.get_by_role("heading", name="Production board")).to_be_visible()
        await audit(page, f"{base}/ops", f"li[data-order='{pages.paid}']", found, "ops board")
        await audit(page, f"{base}/ops/stamps", "h1:visible", found, "ops stamps")
    finally:
        await context.close()
    assert found == {}, "\n".join(f"{key}: {p}" for key, ps in found.items() for p in ps)
