"""After payment, in a real browser: an operator finds a brand's order on the production
board, moves it (and another, selected together) through the floor, opens its job
ticket as a PDF and ships it; the brand's pool shows its stage (explained on focus),
days in production, estimated ship date, payment status and tracking, fits a 1280-px
screen and stacks on a phone; the brand orders it again."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from bespoke.accounts import create_operator
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role
from tests.e2e.test_shipping import until

from .conftest import brand_api, checked_out, cloned, shot
from .test_web_ui import PASSWORD, refused_then_signed_in, sign_in, user

pytestmark = pytest.mark.stack

STAGE_NAMES = {
    "cutting": "Cutting",
    "lasting": "Lasting",
    "quality_check": "Quality check",
    "ready_to_ship": "Ready to ship",
}


async def paid_orders(running_system: StackConfig, brand: dict[str, Any], count: int) -> list[str]:
    """``count`` orders of the brand, checked out and paid through the API."""
    async with brand_api(running_system, brand) as owner:
        design = await cloned(owner, "gal_city_oxford")
        numbers = [await checked_out(owner, design) for _ in range(count)]
        for number in numbers:

            async def invoiced(n: str = number) -> bool:
                answer = await owner.get(f"/orders/{n}/payment")
                return answer.status_code == 200

            await until(invoiced)
            assert (await simulate_success(number))["outcome"] == "cleared"

            async def queued(n: str = number) -> bool:
                order: dict[str, Any] = (await owner.get(f"/orders/{n}")).json()
                return order.get("production_stage") == "queued"

            await until(queued)
    return numbers


async def move(page: Page, numbers: list[str], stage: str, note: str = "") -> None:
    for number in numbers:
        await page.locator(f"li[data-order='{number}']").get_by_role("checkbox").check()
    await page.get_by_label(re.compile(r"^Move \d+ selected to")).select_option(stage)
    await page.get_by_label("Note (rework: what)").fill(note)
    await page.get_by_role("button", name="Move", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(
        f"{len(numbers)} of {len(numbers)} moved"
    )
    column = page.get_by_role("region", name=re.compile("^" + STAGE_NAMES[stage]))
    for number in numbers:  # the board is drawn again, with the cards where they went
        await expect(column.locator(f"li[data-order='{number}']")).to_be_visible()
        await expect(
            column.locator(f"li[data-order='{number}']").get_by_role("checkbox")
        ).not_to_be_checked()


async def test_an_operator_moves_tickets_and_ships_and_the_brand_follows_in_its_pool(
    page: Page, browser: Browser, running_system: StackConfig, brand: dict[str, Any], unique: str
) -> None:
    first, second = await paid_orders(running_system, brand, 2)
    base = running_system.gateway_url
    email = f"floor-{unique}@factory.example"
    await create_operator(email, OperatorRole.ADMIN, PASSWORD, name="Floor lead")

    await page.goto(f"{base}/ops")
    await refused_then_signed_in(page, email)
    await page.get_by_label("Brand (account id)").fill(brand["account_id"])
    await page.get_by_role("button", name="Apply").click()
    queued = page.get_by_role("region", name=re.compile(r"^Queued"))
    await expect(queued.locator(f"li[data-order='{first}']")).to_be_visible()
    await expect(queued.locator(f"li[data-order='{second}']")).to_be_visible()

    # Both selected at once: one move for the two tickets.
    await move(page, [first, second], "cutting")
    cutting = page.get_by_role("region", name=re.compile(r"^Cutting"))
    await expect(cutting.locator("li")).to_have_count(2)
    await shot(page, "11-operator-console")

    # A move back without a note is refused, with the reason, and nothing moves.
    await move(page, [first], "quality_check")
    await page.locator(f"li[data-order='{first}']").get_by_role("checkbox").check()
    await page.get_by_label(re.compile(r"^Move \d+ selected to")).select_option("lasting")
    await page.get_by_role("button", name="Move", exact=True).click()
    await expect(page.locator("#move-result")).to_contain_text("say what in a note")
    await move(page, [first], "lasting", note="re-last the left shoe")
    await move(page, [first], "ready_to_ship")

    # The job ticket opens as a PDF, with the shoe drawn (orders asks design for it).
    ticket = page.locator(f"li[data-order='{first}']").get_by_role("link", name="Job ticket")
    href = await ticket.get_attribute("href")
    assert href == f"/api/v1/ops/orders/{first}/ticket"
    answer = await page.request.get(base + href)
    assert answer.ok
    assert answer.headers["content-type"] == "application/pdf"
    pdf = await answer.body()
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1, "the drawing is on the ticket"
    assert "could not be had" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    # Ship it: the shipment is ready once its order is (a moment later, from the event).
    await page.locator(f"li[data-order='{first}']").get_by_role("button", name="Ship").click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Ship shp_"))
    await dialog.get_by_label("Carrier").select_option("dhl")
    await dialog.get_by_label("Tracking number").fill("JD014600006281230704")
    for _ in range(30):
        await dialog.get_by_role("button", name="Ship").click()
        # Shipped (the dialog closes), or refused while the shipment waits for its order.
        await page.wait_for_function(
            "() => !document.getElementById('ship-dialog').open"
            " || document.getElementById('ship-error').textContent.includes('waits for')"
        )
        if not await dialog.is_visible():
            break
        await page.wait_for_timeout(500)
    await expect(page.get_by_role("status")).to_contain_text("shipped")

    # The brand's pool: stage explained on focus, days, estimate, payment, tracking.
    viewer = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    brand_page = await viewer.new_page()
    await sign_in(brand_page, base, await user(brand, Role.OWNER))
    shipped = brand_page.locator(f"tr[data-order='{first}']")
    await until_text(
        brand_page, shipped.locator("td[data-label=Tracking]"), "DHL JD014600006281230704"
    )
    tracking = shipped.locator("td[data-label=Tracking] a")
    assert (await tracking.get_attribute("href") or "").startswith("https://www.dhl.com/")
    in_cutting = brand_page.locator(f"tr[data-order='{second}']")
    stage = in_cutting.locator("td[data-label=Stage] .badge")
    await expect(stage).to_have_text("Cutting")
    await stage.focus()
    await expect(in_cutting.get_by_role("tooltip")).to_be_visible()
    await expect(in_cutting.get_by_role("tooltip")).to_contain_text("cut to the patterns")
    await expect(in_cutting.locator("td[data-label=Payment]")).to_have_text("Paid")
    await expect(in_cutting.locator("td[data-label='Days in production']")).to_have_text("0")
    estimate = in_cutting.locator("td[data-label='Est. ship']")
    await expect(estimate).to_have_text(re.compile(r"^\d{1,2} \w{3} \d{4}$"))
    await brand_page.get_by_label("Stage").select_option("cutting")
    await brand_page.get_by_role("button", name="Apply").click()
    await expect(brand_page.locator("tbody tr")).to_have_count(1)
    await brand_page.get_by_label("Stage").select_option("")
    await brand_page.get_by_label("Payment").select_option("paid")
    await brand_page.get_by_role("button", name="Apply").click()
    await expect(brand_page.locator("tbody tr")).to_have_count(2)
    wrap = brand_page.locator(".table-wrap")
    widths = await wrap.evaluate(
        "w => [w.scrollWidth, w.clientWidth, [...w.querySelectorAll('thead th')].map(t => t.offsetWidth)]"
    )
    assert widths[0] <= widths[1], f"the pool fits a 1280-px screen without scrolling: {widths}"
    await shot(brand_page, "15-order-pool-in-production")

    # On a phone, each order is a stacked card with every field labelled.
    await brand_page.set_viewport_size({"width": 390, "height": 844})
    card = brand_page.locator(f"tr[data-order='{second}']")
    await expect(card.locator("td[data-label=Tracking]")).to_be_visible()
    box = await card.locator("td[data-label=Tracking]").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390, "nothing off the side of a phone"
    await shot(brand_page, "14-order-pool-phone")

    # Order again: a new pending order, numbered.
    await brand_page.set_viewport_size({"width": 1280, "height": 900})
    await brand_page.goto(f"{base}/app/orders/{first}")
    await expect(brand_page.locator("#production-facts")).to_contain_text("Tracking")
    await brand_page.get_by_role("button", name="Order again").click()
    await expect(brand_page).not_to_have_url(re.compile(rf"/app/orders/{first}$"))
    await expect(brand_page.locator("#order-status")).to_have_text("Pending Payment")
    await viewer.close()


async def until_text(page: Page, locator: Locator, text: str) -> None:
    """Reload the page until ``locator`` shows ``text`` (the order ships from an event)."""
    for _ in range(30):
        if text in (await locator.inner_text()):
            return
        await page.wait_for_timeout(500)
        await page.reload()
    await expect(locator).to_contain_text(text)
