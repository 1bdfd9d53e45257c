"""A real browser (Debian's Chromium, driven by Playwright) against the running system."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from bespoke.browser import axe_script
from bespoke.stack.config import REPO_ROOT, StackConfig
from tests.e2e.conftest import checkout_body

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = REPO_ROOT / ".stack" / "artifacts" / "screenshots"
"""Every screenshot the browser tests take (git-ignored; CI keeps the folder)."""

# The machine's network is closed: keep Chromium from calling home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        pytest.fail(
            "no Chromium on this machine: install it with `uv run bespoke browser install` "
            "(Debian's chromium package; `make test` does it)",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser tab; the test fails if the page broke the gateway's Content
    Security Policy anywhere (a script or style it would refuse)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    refused: list[str] = []
    opened.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    await context.close()
    assert refused == [], "the page did something its Content Security Policy refuses"


SERIOUS = ("critical", "serious")
"""The impacts of an axe-core violation that fail a page."""


async def accessibility_problems(page: Page) -> list[str]:
    """What axe-core (from npm, run inside the page) finds critical or serious on the page
    as it is now, and whether the page is wider than the window (a phone scrolls
    sideways); empty when the page passes."""
    script = axe_script(StackConfig().stack_dir)
    if not script.exists():
        pytest.fail("no axe-core here: `uv run bespoke browser install` fetches it", pytrace=False)
    if not await page.evaluate("typeof window.axe === 'object'"):
        # Evaluated by the driver, not loaded by the page: its Content Security Policy
        # (scripts from the gateway only) stays as it is for everything else.
        await page.evaluate(script.read_text())
    found: list[dict[str, Any]] = await page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
    )
    problems = [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in SERIOUS
    ]
    wide: list[Any] = await page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const past = [...document.body.querySelectorAll("*")]
                .filter((e) => e.getBoundingClientRect().right > width + 0.5)
                .slice(0, 5)
                .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                    + (e.className && typeof e.className === "string" ? "." + e.className : ""));
            return [document.documentElement.scrollWidth, width, past];
        }"""
    )
    if wide[0] > wide[1]:
        problems.append(f"overflows: {wide[0]} px wide in a {wide[1]} px window ({wide[2]})")
    return problems


async def shot(page: Page, name: str, full_page: bool = True) -> Path:
    """A screenshot saved as a test artifact: the whole page, or what the window shows
    from the top (where a sticky panel sits as a person sees it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if not full_page:
        await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(path), full_page=full_page)
    return path


def brand_api(running_system: StackConfig, brand: dict[str, Any]) -> httpx.AsyncClient:
    """The gateway's API as the brand's owner (its API token)."""
    return httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {brand['token']}"},
        timeout=15,
    )


async def cloned(owner: httpx.AsyncClient, gallery_id: str) -> dict[str, Any]:
    """A gallery design cloned into the brand."""
    answer = await owner.post(
        f"/gallery/{gallery_id}/clone", headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert answer.status_code in (200, 201), answer.text
    design: dict[str, Any] = answer.json()
    return design


async def checked_out(owner: httpx.AsyncClient, design: dict[str, Any], **body: Any) -> str:
    """An order of ``design`` placed through the API; its number."""
    placed = await owner.post(
        "/orders",
        json=checkout_body("billing@norte.example", design, **body),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 201, placed.text
    number: str = placed.json()["order_number"]
    return number
