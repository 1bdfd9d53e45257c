"""Custom stamps in a real browser: a brand's paid order waits for its stamps and says
what to do; the brand drops its artwork on the Stamps page and sees its thumbnail; an
operator sends a proof from the console's Stamps page; the brand approves it, and the
held order moves on to the queue."""

from __future__ import annotations

import base64
import functools
import re
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from bespoke.accounts import create_operator
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role
from tests.e2e.test_production import _at
from tests.e2e.test_shipping import until

from .conftest import brand_api, checked_out, cloned, shot
from .test_web_ui import PASSWORD, refused_then_signed_in, user

pytestmark = pytest.mark.stack

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" width="200" height="80">'
    '<rect width="200" height="80" fill="#fff"/>'
    '<path d="M20 60 L60 20 L100 60 Z M110 20 h20 v40 h-20 Z" fill="#000"/></svg>'
)
PROOF_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


async def held_order(running_system: StackConfig, brand: dict[str, Any]) -> str:
    """The brand's first order, with custom stamps, paid: it waits for them."""
    async with brand_api(running_system, brand) as owner:
        number = await checked_out(
            owner, await cloned(owner, "gal_city_oxford"), labeling="custom_stamps"
        )

        async def invoiced() -> bool:
            return (await owner.get(f"/orders/{number}/payment")).status_code == 200

        await until(invoiced)
        assert (await simulate_success(number))["outcome"] == "cleared"
        await until(functools.partial(_at, owner, number, "on_hold"))
    return number


async def drop_file(page: Page, selector: str, name: str, content: str, mime: str) -> None:
    """Drag a file onto the drop zone, as a person does from their desktop."""
    await page.locator(selector).evaluate(
        """(zone, [name, content, mime]) => {
            const data = new DataTransfer();
            data.items.add(new File([content], name, { type: mime }));
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
            }
        }""",
        [name, content, mime],
    )


async def test_artwork_a_proof_and_an_approval_launch_the_held_order(
    page: Page, browser: Browser, running_system: StackConfig, brand: dict[str, Any], unique: str
) -> None:
    base = running_system.gateway_url
    number = await held_order(running_system, brand)
    email = await user(brand, Role.OWNER)

    # The order says why it waits and what to do.
    await page.goto(f"{base}/app/orders/{number}")
    await refused_then_signed_in(page, email)
    await expect(page.locator("#hold-reason")).to_have_text("Your custom stamps to be approved")
    await page.locator("#hold-todo").get_by_role("link", name="Stamps page").click()
    await expect(page.get_by_role("heading", name="Custom stamps")).to_be_visible()

    # A file that is not artwork is refused with the reason; then the logo is dropped.
    await page.get_by_label("Artwork file").set_input_files(
        {"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": PROOF_PNG}
    )
    await page.get_by_role("button", name="Send artwork").click()
    await expect(page.locator("#upload-result")).to_contain_text("raster image")
    await drop_file(page, "#dropzone", "norte-logo.svg", LOGO, "image/svg+xml")
    await expect(page.locator("#drop-hint")).to_have_text("Chosen: norte-logo.svg")
    await page.get_by_role("button", name="Send artwork").click()
    await expect(page.locator("#upload-result")).to_contain_text("artwork received")
    card = page.locator("li[data-stamp='insole']")
    await expect(card).to_contain_text("the factory is drawing the proof")
    thumbnail = card.get_by_role("img", name=re.compile("norte-logo.svg"))
    await expect(thumbnail).to_be_visible()
    # Drawn: decoded once loaded (decode() fails for a broken image).
    assert await thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

    # The factory's operator sends the proof from the console's Stamps page.
    operator_email = f"proofs-{unique}@factory.example"
    await create_operator(operator_email, OperatorRole.PRODUCTION, PASSWORD, name="Proofs")
    factory = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        console = await factory.new_page()
        await console.goto(f"{base}/ops/stamps")
        await refused_then_signed_in(console, operator_email)
        await expect(console.get_by_role("heading", name="Stamps", exact=True)).to_be_visible()
        await console.get_by_label("Brand (account id)").fill(brand["account_id"])
        await console.get_by_role("button", name="Apply").click()
        queued = console.locator("#stamp-queue > li")
        await expect(queued).to_have_count(1)
        await queued.get_by_label("Proof (PDF, PNG or SVG)").set_input_files(
            {"name": "proof.png", "mimeType": "image/png", "buffer": PROOF_PNG}
        )
        await queued.get_by_label("Note for the brand").fill("30 mm wide, centred on the heel")
        # The queue loaded again (here by Apply) keeps the file and note chosen on a
        # stamp that has not changed.
        async with console.expect_response(lambda r: "/api/v1/ops/stamps?" in r.url):
            await console.get_by_role("button", name="Apply").click()
        await console.wait_for_load_state("networkidle")
        await expect(queued.get_by_label("Note for the brand")).to_have_value(
            "30 mm wide, centred on the heel"
        )
        await shot(console, "17-operator-stamps")
        await queued.get_by_role("button", name="Send the proof").click()
        await expect(console.get_by_role("status")).to_contain_text("Proof sent")
    finally:
        await factory.close()

    # The brand sees the proof and approves it; the held order moves on.
    await page.reload()
    await expect(card).to_contain_text("Proof ready: your answer is needed")
    await expect(card.locator(".proof-link")).to_contain_text("proof.png")
    await expect(card).to_contain_text("30 mm wide, centred on the heel")
    await shot(page, "16-stamps")
    await card.get_by_role("button", name="Approve the proof").click()
    await expect(page.locator("#flash")).to_contain_text("approved")
    await expect(card).to_contain_text("Approved")
    await page.goto(f"{base}/app/orders/{number}")
    await expect(page.locator("#production-facts")).to_contain_text("Queued")
    await expect(page.locator("#hold-reason")).to_have_count(0)
    await expect(page.locator("#timeline")).to_contain_text("stamps are approved")
