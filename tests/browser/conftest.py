"""A real browser (Debian's Chromium, driven by Playwright) against the running system."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from bespoke.stack.config import REPO_ROOT

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


async def shot(page: Page, name: str) -> Path:
    """A full-page screenshot saved as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
