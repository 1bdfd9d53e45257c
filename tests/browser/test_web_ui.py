"""The backoffice in a real browser: a brand designs, checks out twice, finds both orders
Pending Payment in the pool, groups them, pays once and sees both Work In Process."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from pypdf import PdfReader

from bespoke.accounts import create_operator, create_user
from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.operators import OperatorRole
from bespoke_gateway.domain.permissions import Role
from tests.e2e.conftest import checkout_body
from tests.e2e.test_invitations import link_in_email

from .conftest import shot

pytestmark = pytest.mark.stack

ADDRESS = {
    "name": "Atelier Norte",
    "line1": "Calle Mayor 1",
    "city": "Elda",
    "postal_code": "03600",
    "country": "ES",
}


PASSWORD = "sturdy leather insoles 42"


async def user(brand: dict[str, Any], role: Role) -> str:
    """A user of the brand in ``role``; returns their email."""
    email = f"{role.value}-{brand['account_id']}@browser.example"
    await create_user(brand["account_id"], email, role, PASSWORD, name=f"Ana {role.value}")
    return email


async def refused_then_signed_in(page: Page, email: str) -> None:
    """On a sign-in form: a wrong password is refused, then the right one is sent."""
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("wrong email or password")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/app/orders")
    await expect(page).to_have_url(re.compile(r"/app/sign-in\?next="))  # not signed in yet
    await shot(page, "01-sign-in")
    await refused_then_signed_in(page, email)
    await expect(page).to_have_url(re.compile(r"/app/orders"))
    await expect(page.locator("#who")).to_contain_text(email.split("-")[0])


async def check_out(page: Page, first: bool, vat_id: str | None = None) -> str:
    await expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    await page.get_by_label("I confirm these raw materials").check()
    await page.get_by_label(re.compile(r"MINI-BULK")).check()
    await page.get_by_label("Pairs in EU size 42", exact=True).fill("2")
    await page.get_by_label("Pairs in EU size 43", exact=True).fill("3")
    await expect(page.locator("#estimate")).to_contain_text("5 pairs")
    for field, value in ADDRESS.items():
        await page.locator(f"#ship-{field}").fill(value)
    await page.get_by_label("Billing name").fill("Atelier Norte SL")
    await page.get_by_label("Billing email").fill("billing@norte.example")
    labeling = page.get_by_role("heading", name="4. Your first order: labeling")
    if first:
        await expect(labeling).to_be_visible()
        await page.get_by_label("Unlabeled (no brand or logo engraved)").check()
        await shot(page, "04-checkout")
    else:
        await expect(labeling).to_be_hidden()
    if vat_id:
        # A VAT number with a wrong check digit is refused at checkout, naming the field.
        await page.get_by_label("VAT id (optional)").fill(
            vat_id[:-1] + str((int(vat_id[-1]) + 1) % 10)
        )
        await page.get_by_role("button", name="Place order").click()
        await expect(page.locator("#checkout-errors")).to_contain_text("not a valid ES VAT number")
        await page.get_by_label("VAT id (optional)").fill(vat_id)
    await page.get_by_role("button", name="Place order").click()
    number = page.locator("#placed-number")
    await expect(number).to_have_text(re.compile(r"BF-\d{6,}"))
    if first:
        await shot(page, "05-order-placed")
    return await number.inner_text()


async def test_design_checkout_group_and_pay_in_the_browser(
    page: Page, browser: Browser, running_system: StackConfig, brand: dict[str, Any]
) -> None:
    base = running_system.gateway_url
    await sign_in(page, base, await user(brand, Role.OWNER))
    no_token = await page.evaluate("JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert no_token == "[{},{}]", "the session is an HttpOnly cookie: nothing in JS storage"
    await expect(page.get_by_text("No orders match")).to_be_visible()

    # Get Inspired: clone a gallery design into the brand.
    await page.get_by_role("link", name="Get Inspired").first.click()
    card = page.get_by_role("img", name="Country full-brogue derby, drawn from its choices")
    await expect(card).to_be_visible()
    assert await card.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    await page.get_by_role("button", name="Clone and edit Country full-brogue derby").click()
    await expect(page).to_have_url(re.compile(r"/app/designer\?design="))
    price = page.locator("#price-per-pair")
    await expect(price).to_have_text(re.compile(r"€"))
    before = await price.inner_text()

    # An incompatible choice is explained as it is made, then undone.
    sole = page.get_by_label("Sole unit")
    original_sole = await sole.input_value()
    construction = page.get_by_label("Construction")
    await construction.select_option("blake_stitched")
    await expect(
        page.get_by_role("option", name=re.compile(r"not with Blake stitched")).first
    ).to_be_attached()
    await sole.select_option("commando")
    await expect(page.locator("#conflicts")).to_contain_text("Sole unit")
    await expect(page.get_by_role("button", name="Save design")).to_be_disabled()
    # ... at the field itself, and by Save, whose link takes the person to the field.
    await expect(sole).to_have_attribute("aria-invalid", "true")
    described = await sole.get_attribute("aria-describedby")
    assert described, "the sole unit names its conflict's message"
    await expect(page.locator(f"#{described}")).to_contain_text("Blake stitched")
    await expect(page.locator("#conflict-count")).to_have_text(re.compile(r"^1 conflict"))
    await page.locator("#conflicts").get_by_role("link", name="Sole unit").click()
    await expect(sole).to_be_focused()
    await shot(page, "03-designer-conflict", full_page=False)
    await construction.select_option("goodyear_welted")
    await sole.select_option(original_sole)
    await expect(page.locator("#conflicts")).to_be_empty()
    await expect(sole).not_to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#conflict-count")).to_be_hidden()

    # A change re-prices and redraws live, and saving makes a new version.
    drawing = page.get_by_role("img", name=re.compile(r"^Derby in Pebble grain"))
    await expect(drawing).to_be_visible()
    drawn_before = await drawing.get_attribute("src")
    await expect(page.get_by_label("Buckles option")).to_be_disabled()  # not ticked
    await expect(page.get_by_label("Laces option")).to_be_enabled()
    upper = page.get_by_label("Upper material")
    await upper.focus()
    await upper.select_option("museum_calf")
    await expect(page.get_by_label("Upper colour")).to_have_value("antique_brown")
    await expect(upper).to_be_focused()  # the materials were drawn again; focus stayed
    await expect(price).not_to_have_text(before)
    redrawn = page.get_by_role("img", name=re.compile(r"^Derby in Museum calf"))
    await expect(redrawn).to_be_visible()
    assert await redrawn.get_attribute("src") != drawn_before
    await expect(page.locator("#bom")).to_contain_text("Museum calf")
    await page.get_by_label("Design name").fill("Country derby, museum calf")
    await page.get_by_role("button", name="Save design").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved as version 2")
    await shot(page, "02-designer", full_page=False)

    # A share link opens the design, drawn, without signing in, and without prices.
    await page.get_by_role("button", name="Share a link").click()
    share_url = await page.get_by_label("The share link").input_value()
    assert re.fullmatch(r"http://[^/]+/share/[A-Za-z0-9_-]{32,}", share_url), share_url
    visitor = await browser.new_context(locale="en-GB")
    try:
        shared = await visitor.new_page()
        await shared.goto(share_url)
        await expect(
            shared.get_by_role("heading", name="Country derby, museum calf")
        ).to_be_visible()
        side = shared.get_by_role("img", name=re.compile(r"^Derby in Museum calf.*side view"))
        assert await side.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
        assert "€" not in await shared.locator("main").inner_text()
        await expect(shared.get_by_role("link", name="Sign in to order it")).to_have_attribute(
            "href", re.compile(r"^/app/sign-in\?next=%2Fapp%2Fcheckout")
        )
        await shared.goto(share_url[:-4] + "AAAA")
        await expect(shared.locator("#shared-gone")).to_be_visible()
    finally:
        await visitor.close()

    # Two orders of it; the first asks about labeling.
    await page.get_by_role("link", name="Order this design").click()
    checkout_url = page.url
    first = await check_out(page, first=True)
    await page.goto(checkout_url)
    second = await check_out(page, first=False, vat_id="ESA28017895")
    assert first != second

    # Both in the pool as Pending Payment, each with its Pay action.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Order pool").click()
    for number in (first, second):
        row = page.locator(f"tr[data-order='{number}']")
        await expect(row.locator("td[data-label=Stage] .badge")).to_have_text("Pending Payment")
        await expect(row.get_by_role("link", name="Pay")).to_be_visible()
        # ... its design version drawn as a thumbnail beside its name.
        thumb = row.locator("td[data-label=Model] img.thumb")
        await expect(thumb).to_have_attribute("src", re.compile(r"/preview\.svg\?version=2$"))
        assert await thumb.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    await page.get_by_label("Status").select_option("pending_payment")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.locator("tbody tr")).to_have_count(2)
    await shot(page, "06-order-pool")

    # Group Shipping: the saving is shown before confirming.
    await page.get_by_label(f"Select {first} for Group Shipping").check()
    await page.get_by_label(f"Select {second} for Group Shipping").check()
    await page.get_by_role("button", name=re.compile(r"Group Shipping \(2 selected\)")).click()
    dialog = page.get_by_role("dialog", name="Group Shipping")
    await expect(dialog.locator("#group-saving")).to_have_text(re.compile(r"€"), timeout=30_000)
    await shot(page, "07-group-shipping")
    await dialog.get_by_role("button", name="Confirm group").click()

    # One payment for the group (stripe-mock: the simulation control is there).
    await expect(page).to_have_url(re.compile(r"/app/groups/SG-[A-Z0-9]+/pay"))
    await expect(page.locator("#summary")).to_contain_text(first)
    await expect(page.locator("#summary")).to_contain_text("Subtotal (net)")
    await expect(page.locator("#summary")).to_contain_text("VAT 21 %")  # billed in Spain
    await expect(page.locator("#summary")).to_contain_text("Spanish VAT (IVA) 21 %")
    # Over EUR 1,499 it may be paid in two halves; this brand pays all of it at once.
    await expect(page.locator("#deposit-offer")).to_contain_text("due before shipping")
    await expect(page.get_by_role("button", name=re.compile(r"^Pay the deposit"))).to_be_visible()
    await page.get_by_role("button", name="Pay now").click()
    await expect(page.get_by_text("Card payment (Stripe test mode)")).to_be_visible()
    await shot(page, "08-pay")
    await page.get_by_role("button", name="Simulate successful payment").click()
    await expect(page.locator("#paid")).to_contain_text("launched to production", timeout=30_000)

    # Both orders Work In Process, with their timeline.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Order pool").click()
    await page.get_by_label("Status").select_option("")
    await page.get_by_role("button", name="Apply").click()
    for number in (first, second):
        row = page.locator(f"tr[data-order='{number}']")
        await expect(row.locator("td[data-label=Stage] .badge")).to_have_text("Queued")
        await expect(row.locator("td[data-label=Payment]")).to_have_text("Paid")
    # The group's invoice, downloadable from the pool (issued a moment after payment).
    for _ in range(20):
        await page.wait_for_timeout(500)  # the page renders what it fetched
        if await page.locator(f"tr[data-order='{first}'] td[data-label=Invoice] a").count():
            break
        await page.reload()
    pool_invoice = page.locator(f"tr[data-order='{first}'] td[data-label=Invoice] a")
    await expect(pool_invoice).to_have_text(re.compile(r"^INV-\d{4}-\d{6}$"))
    async with page.expect_download() as from_pool:
        await pool_invoice.click()
    assert (await from_pool.value).suggested_filename == f"{await pool_invoice.inner_text()}.pdf"
    await shot(page, "09-order-pool-paid")
    await page.get_by_role("link", name=first, exact=True).click()
    await expect(page.locator("#timeline")).to_contain_text("Work In Process")
    await expect(page.locator("#timeline")).to_contain_text("Pending Payment")
    await expect(page.locator("#production-facts")).to_contain_text("Estimated ship date")
    # Its group's invoice, issued from the payment: a download of a real PDF.
    link = page.get_by_role("link", name=re.compile(r"^Invoice INV-\d{4}-\d{6} \(PDF\)$"))
    for _ in range(20):  # issued a moment after the payment cleared
        if await link.count():
            break
        await page.reload()
    async with page.expect_download() as downloading:
        await link.click()
    download = await downloading.value
    assert re.fullmatch(r"INV-\d{4}-\d{6}\.pdf", download.suggested_filename)
    pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert first in text
    assert second in text, "one invoice for the group's orders"
    assert "VAT 21 %" in text
    drawn = page.locator("#order-preview")
    await expect(drawn).to_have_attribute("alt", re.compile(r"version 2\), drawn from its choices"))
    assert await drawn.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    # The specification reads in the catalog's names, not its ids.
    spec = page.locator("#spec")
    await expect(spec).to_contain_text("Classic round toe (LC-101)")
    await expect(spec).to_contain_text("Museum calf")
    await expect(spec).not_to_contain_text("_")
    await shot(page, "10-order-detail")

    # The brand cancels one paid order of the group before the floor has it: its share
    # is refunded in full, with a credit note; the rest of the group ships on.
    await page.get_by_role("button", name="Cancel order").click()
    cancelling = page.get_by_role("dialog", name=f"Cancel order {first}?")
    await expect(cancelling).to_contain_text("refunded in full")
    await cancelling.get_by_role("button", name="Cancel order").click()
    await expect(page.locator("#flash")).to_contain_text("is being refunded")
    await expect(page.locator("#order-status")).to_contain_text("Cancelled")
    await expect(page.locator("#payment-status")).to_have_text("Refunded")
    await expect(page.locator("#refund-facts")).to_contain_text("€")
    note = page.get_by_role("link", name=re.compile(r"^Credit note CN-\d{4}-\d{6} \(PDF\)$"))
    for _ in range(20):  # issued, and the refund confirmed, a moment after it is made
        await page.wait_for_timeout(500)  # the page renders what it fetched
        if await note.count() and await page.locator("#refund-status").inner_text() == "Refunded":
            break
        await page.reload()
    await expect(note).to_be_visible()
    await expect(page.locator("#refund-status")).to_have_text("Refunded")  # stripe-mock: at once
    await shot(page, "11-order-cancelled-refunded")
    # Its Pay page now says there is nothing to pay (and offers no Pay now).
    await page.goto(f"{base}/app/orders/{first}/pay")
    await expect(page.locator("#paid")).to_contain_text("was cancelled")
    await expect(page.get_by_role("button", name="Pay now")).to_be_hidden()


async def test_a_viewer_sees_orders_but_no_pay_or_checkout_controls(
    page: Page, running_system: StackConfig, brand: dict[str, Any]
) -> None:
    base = running_system.gateway_url
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {brand['token']}"}
    ) as owner:
        design = (
            await owner.post(
                "/gallery/gal_city_oxford/clone", headers={"Idempotency-Key": str(uuid.uuid4())}
            )
        ).json()
        placed = await owner.post(
            "/orders",
            json=checkout_body("billing@norte.example", design),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert placed.status_code == 201, placed.text
        number = placed.json()["order_number"]

    await sign_in(page, base, await user(brand, Role.VIEWER))
    row = page.locator(f"tr[data-order='{number}']")
    await expect(row.locator("td[data-label=Stage] .badge")).to_have_text("Pending Payment")
    await expect(row.get_by_role("link", name="Pay")).to_have_count(0)
    await expect(page.get_by_label(f"Select {number} for Group Shipping")).to_be_hidden()
    await expect(page.locator("#group-selected")).to_be_hidden()
    await page.get_by_role("link", name=number, exact=True).click()
    await expect(page.locator("#timeline")).to_contain_text("Pending Payment")
    await expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)
    await expect(page.locator("#edit-section")).to_be_hidden()
    await page.goto(f"{base}/app/checkout?design={design['id']}&version={design['version']}")
    await expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    await expect(page.get_by_role("button", name="Place order")).to_be_hidden()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/app/sign-in"))


async def test_an_operator_signs_in_to_the_console_apart_from_the_brands(
    page: Page, running_system: StackConfig, unique: str
) -> None:
    email = f"floor-{unique}@factory.example"
    await create_operator(email, OperatorRole.PRODUCTION, PASSWORD, name="Floor lead")
    base = running_system.gateway_url
    await page.goto(f"{base}/ops")
    await expect(page.get_by_role("heading", name="Operator console")).to_be_visible()
    await refused_then_signed_in(page, email)
    await expect(page.locator("#ops-who")).to_have_text("Floor lead (production)")
    await expect(page.get_by_role("heading", name="Production board")).to_be_visible()
    await page.goto(f"{base}/app/orders")  # an operator is no brand user
    await expect(page).to_have_url(re.compile(r"/app/sign-in"))
    await page.goto(f"{base}/ops")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Operator console")).to_be_visible()


async def test_an_admin_invites_a_designer_who_joins_from_the_email(
    page: Page, browser: Browser, running_system: StackConfig, brand: dict[str, Any], unique: str
) -> None:
    base = running_system.gateway_url
    await sign_in(page, base, await user(brand, Role.ADMIN))
    await page.get_by_role("link", name="Users").click()
    await expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    invitee = f"designer-{unique}@browser.example"
    await page.get_by_label("Email").fill(invitee)
    await page.get_by_label("Name").fill("Bea Designer")
    await expect(page.get_by_label("Role").locator("option[value=owner]")).to_have_count(0)
    await page.get_by_label("Role").select_option("designer")
    await page.get_by_role("button", name="Send invitation").click()
    await expect(page.locator("#invite-result")).to_contain_text(f"Invitation sent to {invitee}")
    await expect(page.locator(f"tr[data-user='{invitee}'] .badge")).to_have_text("Invited")
    await shot(page, "12-users")

    async with httpx.AsyncClient(base_url=f"{running_system.mailpit_api_url}/api/v1") as mailpit:
        secret = await link_in_email(mailpit, invitee)
    context = await browser.new_context(locale="en-GB")
    joining = await context.new_page()
    await joining.goto(f"{base}/app/password#token={secret}")
    await expect(joining.get_by_role("heading", name="Choose your password")).to_be_visible()
    await expect(joining).not_to_have_url(re.compile("token="))  # the secret leaves the bar
    await joining.get_by_label("New password").fill(PASSWORD)
    await joining.get_by_label("Repeat it").fill(PASSWORD)
    await joining.get_by_role("button", name="Set password").click()
    await expect(joining).to_have_url(re.compile(r"/app/orders"))
    await expect(joining.locator("#who")).to_contain_text("Bea Designer")
    await expect(joining.get_by_role("link", name="Users")).to_be_hidden()
    await expect(joining.get_by_role("link", name="API tokens")).to_be_hidden()
    await context.close()

    await page.reload()
    row = page.locator(f"tr[data-user='{invitee}']")
    await expect(row.locator(".badge")).to_have_text("Active")
    await row.get_by_label(f"Role of {invitee}").select_option("viewer")
    await expect(page.get_by_role("alert")).to_contain_text(f"{invitee} is now viewer")
    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Deactivate").click()
    await expect(row.locator(".badge")).to_have_text("Deactivated")


async def test_an_owner_makes_an_api_token_sees_it_once_and_revokes_it(
    page: Page, running_system: StackConfig, brand: dict[str, Any]
) -> None:
    base = running_system.gateway_url
    await sign_in(page, base, await user(brand, Role.OWNER))
    await page.get_by_role("link", name="API tokens").click()
    await page.get_by_label("Name").fill("ERP sync")
    await page.get_by_label("Role").select_option("viewer")
    await page.get_by_role("button", name="Create token").click()
    await expect(page.locator("#token-result")).to_contain_text("it is not shown again")
    secret = await page.get_by_label("The new token").input_value()
    assert secret.startswith("bsa_")
    row = page.locator("tr[data-token='ERP sync']")
    await expect(row).to_contain_text("Viewer")
    await shot(page, "13-api-tokens")
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {secret}"}
    ) as script:
        assert (await script.get("/orders")).status_code == 200
        page.once("dialog", lambda dialog: dialog.accept())
        await row.get_by_role("button", name="Revoke").click()
        await expect(page.locator("tr[data-token='ERP sync']")).to_have_count(0)
        assert (await script.get("/orders")).status_code == 401


async def test_a_forgotten_password_is_reset_from_the_sign_in_page(
    page: Page, running_system: StackConfig, brand: dict[str, Any]
) -> None:
    base = running_system.gateway_url
    email = await user(brand, Role.FINANCE)
    await page.goto(f"{base}/app/sign-in")
    await page.get_by_role("link", name="Forgot your password?").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Email me a link").click()
    await expect(page.get_by_role("alert")).to_contain_text("a link is on its way")
    async with httpx.AsyncClient(base_url=f"{running_system.mailpit_api_url}/api/v1") as mailpit:
        secret = await link_in_email(mailpit, email)
    await page.goto(f"{base}/app/password#token={secret}")
    await page.get_by_label("New password").fill("a brand new pair of lasts")
    await page.get_by_label("Repeat it").fill("a brand new pair of lasts")
    await page.get_by_role("button", name="Set password").click()
    await expect(page.locator("#who")).to_contain_text("Ana finance")
