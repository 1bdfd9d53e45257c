"""Custom stamps on the real stack: vector artwork accepted by its content and served
back so it cannot run; hostile or oversized files refused with nothing stored; a paid
custom-stamps order held until the brand approves the factory's proof, then queued;
one never approved reminded, then launched unlabeled when its hold runs out."""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from bespoke.accounts import create_account
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke_contracts.vat import line_vat
from bespoke_orders.bootstrap import bootstrap
from bespoke_orders.service_layer.stamps import HoldSweep, sweep_stamp_holds
from bespoke_orders.settings import OrdersSettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.mongo import connect

from .conftest import checkout_body
from .test_operators import create_operator
from .test_order_slice import wait_for_emails
from .test_production import _at, _has_invoice, key, operator_client
from .test_shipping import until

pytestmark = pytest.mark.stack

LOGO = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">'
    b'<rect width="120" height="40" fill="#fff"/>'
    b'<path d="M10 30 L30 10 L50 30 Z" fill="#000"/></svg>'
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 120 40\n%%EndComments\n"
    b"newpath 10 10 moveto 110 10 lineto 4 setlinewidth stroke\nshowpage\n%%EOF\n"
)


def pdf() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.write(out)
    return out.getvalue()


def hostile(body: bytes, root: bytes = b"") -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        + root
        + b">"
        + body
        + b"</svg>"
    )


async def send(
    api: httpx.AsyncClient,
    data: bytes,
    name: str,
    kind: str = "insole",
    mime: str = "image/svg+xml",
) -> httpx.Response:
    return await api.post("/stamps", data={"kind": kind}, files={"artwork": (name, data, mime)})


async def stored_files(running_system: StackConfig, account_id: str) -> int:
    """How many files the brand has in the stamps' GridFS bucket (orders' database)."""
    client = connect(running_system.mongodb_url)
    try:
        files = client[OrdersSettings().mongodb_database]["stamp_files.files"]
        return await files.count_documents({"metadata.account_id": account_id})
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("data", "name", "kind", "content_type"),
    [
        (LOGO, "logo.svg", "insole", "image/svg+xml"),
        (pdf(), "logo.pdf", "sole", "application/pdf"),
        (EPS, "logo.eps", "insole", "application/postscript"),
    ],
    ids=["svg", "pdf", "eps"],
)
async def test_vector_artwork_is_accepted_and_served_back_so_it_cannot_run(
    api: httpx.AsyncClient,
    running_system: StackConfig,
    brand: dict[str, Any],
    data: bytes,
    name: str,
    kind: str,
    content_type: str,
) -> None:
    # The client's content type is not believed: the content says what the file is.
    response = await send(api, data, name, kind, mime="application/octet-stream")
    assert response.status_code == 201, response.text
    stamp = response.json()
    assert (stamp["kind"], stamp["status"]) == (kind, "artwork_received")
    assert stamp["artwork"]["content_type"] == content_type
    assert stamp["artwork"]["bytes"] == len(data)
    assert len(stamp["artwork"]["sha256"]) == 64
    assert await stored_files(running_system, brand["account_id"]) >= 1

    served = await api.get(f"/stamps/{stamp['id']}/artwork")
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"].startswith(content_type)
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"
    if content_type == "image/svg+xml":
        assert "sandbox" in served.headers["content-security-policy"]
        thumbnail = await api.get(f"/stamps/{stamp['id']}/thumbnail")
        assert thumbnail.status_code == 200
        assert thumbnail.content.startswith(b"\x89PNG")
    listed = (await api.get("/stamps")).json()["items"]
    assert [s["id"] for s in listed] == [stamp["id"]]


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (hostile(b"<script>alert(document.cookie)</script>"), "<script>"),
        (hostile(b"<rect/>", b' onload="alert(1)"'), "onload"),
        (hostile(b'<use xlink:href="https://evil.example/logo.svg#a"/>'), "outside the file"),
        (
            hostile(b'<image href="data:image/png;base64,iVBORw0KGgo=" width="9" height="9"/>'),
            "embeds an image",
        ),
        (BOMB, "DTD or entities"),
        (PNG, "raster image"),
    ],
    ids=["script", "onload", "external-href", "embedded-png", "entity-bomb", "png-named-svg"],
)
async def test_hostile_artwork_is_refused_with_its_reason_and_nothing_is_stored(
    api: httpx.AsyncClient,
    running_system: StackConfig,
    brand: dict[str, Any],
    data: bytes,
    reason: str,
) -> None:
    response = await send(api, data, "logo.svg")
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in problem["errors"]] == ["#/artwork"] * len(problem["errors"])
    assert reason in problem["detail"]
    assert (await api.get("/stamps")).json()["items"] == []
    assert await stored_files(running_system, brand["account_id"]) == 0


async def test_a_file_over_10_mb_is_413_whether_announced_or_streamed(
    api: httpx.AsyncClient, running_system: StackConfig, brand: dict[str, Any]
) -> None:
    big = b"<svg " + b" " * (12 * 1024 * 1024) + b"/>"
    announced = await send(api, big, "big.svg")
    assert announced.status_code == 413, announced.text
    assert announced.json()["status"] == 413

    boundary = uuid.uuid4().hex

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: cut off as it crosses
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ninsole\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="artwork"; '
            'filename="big.svg"\r\nContent-Type: image/svg+xml\r\n\r\n'
        ).encode()
        for _ in range(12):
            yield b" " * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = await api.post(
        "/stamps",
        content=chunked(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert streamed.status_code == 413, streamed.text
    assert (await api.get("/stamps")).json()["items"] == []
    assert await stored_files(running_system, brand["account_id"]) == 0


async def test_another_brand_cannot_see_or_answer_a_stamp(
    api: httpx.AsyncClient, running_system: StackConfig, unique: str
) -> None:
    stamp = (await send(api, LOGO, "logo.svg")).json()
    other = await create_account(name=f"Other {unique}", email=f"other-{unique}@e2e.example")
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {other['token']}"},
        timeout=15,
    ) as intruder:
        for path in ("", "/artwork", "/thumbnail"):
            assert (await intruder.get(f"/stamps/{stamp['id']}{path}")).status_code == 404
        assert (await intruder.post(f"/stamps/{stamp['id']}/approve")).status_code == 404


async def custom_stamps_order(api: httpx.AsyncClient, design: dict[str, Any], email: str) -> str:
    """A brand's first order, with custom stamps, paid: it waits for the stamps."""
    body = checkout_body(email, design, labeling="custom_stamps")
    made = await api.post("/orders", json=body, headers=key())
    assert made.status_code == 201, made.text
    number: str = made.json()["order_number"]
    assert made.json()["costs"]["customization"] > 0
    await until(functools.partial(_has_invoice, api, number))
    assert (await simulate_success(number))["outcome"] == "cleared"
    await until(functools.partial(_at, api, number, "on_hold"))
    order = (await api.get(f"/orders/{number}")).json()
    assert order["hold_reason"] == "awaiting_stamps"
    return number


async def test_a_paid_order_waits_for_the_stamps_until_the_brand_approves_the_proof(
    api: httpx.AsyncClient,
    running_system: StackConfig,
    mailpit: httpx.AsyncClient,
    design: dict[str, Any],
    unique: str,
) -> None:
    email = f"stamps-{unique}@e2e.example"
    number = await custom_stamps_order(api, design, email)
    stamp = (await send(api, LOGO, "logo.svg")).json()

    operator = create_operator(f"proofs-{unique}@factory.example", "production")
    async with operator_client(running_system, operator) as ops:
        queue = (await ops.get("/stamps", params={"status": "artwork_received"})).json()
        assert stamp["id"] in [s["id"] for s in queue["items"]]
        artwork = await ops.get(f"/stamps/{stamp['id']}/artwork")
        assert artwork.content == LOGO
        proofed = await ops.post(
            f"/stamps/{stamp['id']}/proof",
            data={"note": "30 mm wide, centred on the heel"},
            files={"proof": ("proof.png", PNG, "image/png")},
        )
        assert proofed.status_code == 200, proofed.text
        assert proofed.json()["status"] == "proof_sent"
        # The factory cannot answer for the brand, nor a brand act as the factory.
        assert (
            await ops.post(f"/stamps/{stamp['id']}/status", json={"status": "ready"})
        ).status_code == 409
    assert (await api.get(f"/stamps/{stamp['id']}/proof")).content == PNG
    assert (await api.get(f"/orders/{number}")).json()["production_stage"] == "on_hold"

    approved = await api.post(f"/stamps/{stamp['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    order = (await api.get(f"/orders/{number}")).json()
    assert (order["production_stage"], order["hold_reason"], order["labeling"]) == (
        "queued",
        None,
        "custom_stamps",
    )
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert "stamps are approved" in (history[-1]["note"] or "")

    subjects = {m["Subject"] for m in await wait_for_emails(mailpit, email, 5)}
    assert f"Order {number} waits for your stamps" in subjects
    assert "Your insole stamp's proof is ready for your approval" in subjects
    assert f"Order {number} is in production" in subjects


class Later(SystemClock):
    """The real clock, some days on: the hold's rules run as they will then."""

    def __init__(self, days: float) -> None:
        self.delta = timedelta(days=days)

    def now(self) -> datetime:
        return super().now() + self.delta


async def test_an_unapproved_order_is_reminded_then_launched_unlabeled_after_the_hold(
    api: httpx.AsyncClient,
    running_system: StackConfig,
    mailpit: httpx.AsyncClient,
    design: dict[str, Any],
    unique: str,
) -> None:
    email = f"unlabeled-{unique}@e2e.example"
    number = await custom_stamps_order(api, design, email)
    await send(api, LOGO, "logo.svg")  # artwork sent, never approved
    # The orders service's own hold rules, with a clock days ahead; its events are
    # published by the running service's relay, and emailed by notifications.
    runtime = bootstrap(OrdersSettings(mongodb_url=running_system.mongodb_url))
    try:

        async def sweep(days: float) -> HoldSweep:
            deps = dataclasses.replace(runtime.deps, clock=Later(days))
            return await sweep_stamp_holds(deps)

        assert number not in (await sweep(6.5)).reminded
        assert number in (await sweep(7.5)).reminded
        assert number not in (await sweep(8)).reminded  # once
        assert number in (await sweep(10.1)).unlabeled
    finally:
        await runtime.mongo.close()
        await runtime.design.aclose()
        await runtime.shipping.aclose()
    order = (await api.get(f"/orders/{number}")).json()
    assert (order["production_stage"], order["labeling"]) == ("queued", "unlabeled")
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert "not approved in time" in (history[-1]["note"] or "")
    # The stamp development it paid for goes back, with a credit note of that line.
    customization = order["costs"]["customization"]
    assert customization > 0
    credit_notes = await until(functools.partial(_credit_notes, api, number))
    [note] = credit_notes
    assert note["total"] == customization + line_vat(customization, order["costs"]["vat_rate_bp"])
    order = (await api.get(f"/orders/{number}")).json()
    assert order["payment_status"] == "partially_refunded"
    subjects = {m["Subject"] for m in await wait_for_emails(mailpit, email, 6)}
    assert any(s.startswith(f"Order {number} launches unlabeled on") for s in subjects)
    assert f"Order {number} launched unlabeled" in subjects
    assert any(s.startswith("Refund of") and number in s for s in subjects)


async def _credit_notes(api: httpx.AsyncClient, number: str) -> list[dict[str, Any]]:
    found = (await api.get("/invoices", params={"order_number": number})).json()["items"]
    return [i for i in found if i["kind"] == "credit_note"]
