"""The emails a brand receives, read back from Mailpit's API: real Kafka, the real
notifications service, real SMTP (Mailpit)."""

from __future__ import annotations

import asyncio
import io
import sys
import uuid
from typing import Any

import httpx
import pytest
from PIL import Image

from bespoke.payments import simulate_success
from bespoke.stack import processes
from bespoke.stack.config import StackConfig
from bespoke.stack.keys import CallsAsGateway
from bespoke.stack.lifecycle import Stack
from bespoke_contracts import ORDER_SUBMITTED, OrderSubmitted, examples

from .conftest import checkout_body
from .test_delivery import publish, wait_until_consumed
from .test_order_slice import wait_for_emails

pytestmark = pytest.mark.stack


async def full(mailpit: httpx.AsyncClient, message: dict[str, Any]) -> dict[str, Any]:
    response = await mailpit.get(f"/message/{message['ID']}")
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def by_subject(messages: list[dict[str, Any]], part: str) -> list[dict[str, Any]]:
    return [m for m in messages if part in m["Subject"]]


async def test_checkout_grouping_and_payment_each_email_the_brand(
    api: httpx.AsyncClient, mailpit: httpx.AsyncClient, design: dict[str, Any], unique: str
) -> None:
    email = f"brand-{unique}@e2e.example"
    numbers = []
    for sizes in ({"41": 2, "42": 2}, {"43": 3}):
        placed = await api.post(
            "/orders",
            json=checkout_body(email, design, sizes=sizes),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert placed.status_code == 201, placed.text
        numbers.append(placed.json()["order_number"])
    [first] = by_subject(await wait_for_emails(mailpit, email, 2), numbers[0])
    received = await full(mailpit, first)
    assert received["Subject"] == f"Order {numbers[0]} received - pending payment"
    for expected in (
        "Pending Payment",
        "MINI-BULK",
        "Construction:",
        "Shoe last:",
        "Sole unit:",
        "Raw materials per pair",
        "EU    41: 2 pairs",
        "Calle Mayor 1",
        "Total:",
        f"/api/v1/orders/{numbers[0]}/payment",
    ):
        assert expected in received["Text"], expected
    assert f"Pay order {numbers[0]}" in received["HTML"]
    # The shoe, drawn by design and carried inside the email as a PNG its HTML shows.
    [drawing] = received["Inline"]
    assert drawing["ContentType"] == "image/png"
    assert f'src="cid:{drawing["ContentID"]}"' in received["HTML"]
    png = await mailpit.get(f"/message/{first['ID']}/part/{drawing['PartID']}")
    png.raise_for_status()
    with Image.open(io.BytesIO(png.content)) as picture:
        assert (picture.format, picture.width) == ("PNG", 800)

    group = (await api.post("/shipping-groups", json={"order_numbers": numbers})).json()
    messages = await wait_for_emails(mailpit, email, 3)
    [grouped] = by_subject(messages, group["id"])
    group_mail = await full(mailpit, grouped)
    saving = f"EUR {group['saving'] // 100:,}.{group['saving'] % 100:02d}"
    assert f"saving {saving}" in group_mail["Subject"]
    assert f"/api/v1/shipping-groups/{group['id']}/payment" in group_mail["Text"]

    async def invoice_ready() -> bool:
        return (await api.get(f"/shipping-groups/{group['id']}/payment")).status_code == 200

    async with asyncio.timeout(30):
        while not await invoice_ready():  # noqa: ASYNC110 - polling another process
            await asyncio.sleep(0.2)
    await api.post(f"/shipping-groups/{group['id']}/payment")
    assert (await simulate_success(group["id"]))["outcome"] == "cleared"
    messages = await wait_for_emails(mailpit, email, 5)  # + two payments
    paid = by_subject(messages, "payment received - now Work In Process")
    assert sorted(m["Subject"].split()[1] for m in paid) == sorted(numbers)
    assert by_subject(messages, "awaiting production") == [], "the payment email says it"


async def test_a_redelivered_event_sends_nothing_new(
    running_system: StackConfig, mailpit: httpx.AsyncClient, unique: str
) -> None:
    email = f"redelivery-{unique}@e2e.example"
    event = _order_for(email)
    await publish(running_system.kafka_bootstrap, event, event)
    await wait_until_consumed(running_system.kafka_bootstrap, "notifications", ORDER_SUBMITTED)
    await wait_for_emails(mailpit, email, 1)
    await publish(running_system.kafka_bootstrap, event)
    await wait_until_consumed(running_system.kafka_bootstrap, "notifications", ORDER_SUBMITTED)
    await asyncio.sleep(2)  # the courier's next passes
    messages = (await mailpit.get("/search", params={"query": f"to:{email}"})).json()["messages"]
    assert len(messages) == 1


async def test_with_smtp_down_the_email_arrives_after_smtp_returns(
    running_system: StackConfig, mailpit: httpx.AsyncClient, unique: str
) -> None:
    stack = Stack(StackConfig())
    [smtp] = stack.components(["mailpit"])
    email = f"smtp-outage-{unique}@e2e.example"
    notifications = f"{running_system.service_url('notifications')}/internal/notifications/"
    assert processes.stop(smtp.pid_file), "Mailpit was not running under this stack"
    try:
        await publish(running_system.kafka_bootstrap, _order_for(email))
        operator = CallsAsGateway(running_system, "notifications")
        async with (
            httpx.AsyncClient(timeout=10, auth=operator) as client,
            asyncio.timeout(30),
        ):
            while True:  # consumed, attempted, waiting to retry with the error recorded
                pending = (await client.get(notifications, params={"status": "pending"})).json()
                mine = [d for d in pending if d["to"] == email]
                if mine and mine[0]["attempts"] >= 1:
                    break
                await asyncio.sleep(0.3)
        assert "Connect" in mine[0]["error"] or "refused" in mine[0]["error"].lower()
    finally:
        await stack.up(lambda line: print(line, file=sys.stderr), ["mailpit"])
    [message] = await wait_for_emails(mailpit, email, 1)
    assert "received - pending payment" in message["Subject"]


def _order_for(email: str) -> OrderSubmitted:
    """An `order.submitted` as the orders service would publish it, for a fresh address."""
    number = f"BF-9{uuid.uuid4().int % 10**8:08d}"
    event = examples.order_submitted(number)
    billing = examples.BILLING.model_copy(update={"email": email})
    return event.model_copy(
        update={
            "event_id": uuid.uuid4(),
            "payload": event.payload.model_copy(update={"billing": billing}),
        }
    )
