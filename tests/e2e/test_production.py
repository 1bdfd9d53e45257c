"""After Work In Process, on the real stack: operators move a paid order through every
production stage to shipped with tracking, the brand sees each stage and its history;
a floor station's scan over Kafka (as the downstream principal) moves an order once,
and one that cannot apply lands in the dead-letter topic with its reason; a brand
orders again at today's price."""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from bespoke.floor import stage_report
from bespoke.payments import simulate_success
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import client_options
from bespoke_contracts import STAGE_REPORTED, ProductionStage, dead_letter_topic
from bespoke_contracts.topics import DOWNSTREAM

from .conftest import checkout_body
from .test_delivery import publish_as, wait_until_consumed
from .test_operators import create_operator
from .test_order_slice import wait_for_emails
from .test_shipping import until

pytestmark = pytest.mark.stack

FLOOR = ["received", "cutting", "closing", "lasting", "soling", "finishing", "quality_check"]


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def paid_order(
    api: httpx.AsyncClient, design: dict[str, Any], email: str = "floor@e2e.example"
) -> str:
    """An order checked out to ``email``, paid, and queued for the floor."""
    made = await api.post("/orders", json=checkout_body(email, design), headers=key())
    assert made.status_code == 201, made.text
    number: str = made.json()["order_number"]
    await until(functools.partial(_has_invoice, api, number))
    assert (await simulate_success(number))["outcome"] == "cleared"
    await until(functools.partial(_at, api, number, "queued"))
    return number


async def _has_invoice(api: httpx.AsyncClient, number: str) -> bool:
    return (await api.get(f"/orders/{number}/payment")).status_code == 200


async def _at(api: httpx.AsyncClient, number: str, stage: str) -> bool:
    order: dict[str, Any] = (await api.get(f"/orders/{number}")).json()
    return order.get("production_stage") == stage


async def _status(api: httpx.AsyncClient, number: str, status: str) -> dict[str, Any] | None:
    order: dict[str, Any] = (await api.get(f"/orders/{number}")).json()
    return order if order["status"] == status else None


def operator_client(running_system: StackConfig, operator: dict[str, Any]) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1/ops",
        headers={"Authorization": f"Bearer {operator['token']}"},
        timeout=15,
    )


async def test_an_operator_moves_an_order_through_every_stage_to_shipped(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
    mailpit: httpx.AsyncClient,
    unique: str,
) -> None:
    email = f"brand-{unique}@e2e.example"
    number = await paid_order(api, design, email)
    launched = (await api.get(f"/orders/{number}")).json()
    assert launched["payment_status"] == "paid"
    assert launched["days_in_production"] == 0
    assert launched["estimated_ship_date"] > launched["wip_started_at"][:10]
    assert launched["production_stage_explanation"]
    assert launched["late"] is False

    brand_on_ops = await api.get(f"{running_system.gateway_url}/api/v1/ops/orders")
    assert brand_on_ops.status_code == 403, "a brand's token on an ops route"
    assert brand_on_ops.json()["type"].endswith("/forbidden")

    floor = create_operator(f"floor-{unique}@factory.example", "production")
    dock = create_operator(f"dock-{unique}@factory.example", "shipping")
    async with (
        operator_client(running_system, floor) as ops,
        operator_client(running_system, dock) as shipping,
    ):
        board = (await ops.get("/orders", params={"account_id": brand["account_id"]})).json()
        assert number in [o["order_number"] for o in board["items"]]
        queued = await ops.get("/orders", params={"production_stage": "queued", "limit": 200})
        assert number in [o["order_number"] for o in queued.json()["items"]]

        for stage in FLOOR:
            moved = await ops.post(f"/orders/{number}/stage", json={"stage": stage})
            assert moved.status_code == 200, moved.text
            assert (await api.get(f"/orders/{number}")).json()["production_stage"] == stage
        back = await ops.post(f"/orders/{number}/stage", json={"stage": "cutting"})
        assert back.status_code == 409, "rework needs a note"
        assert "note" in back.json()["detail"]
        rework = await ops.post(
            f"/orders/{number}/stage", json={"stage": "finishing", "note": "re-burnish toes"}
        )
        assert rework.status_code == 200, rework.text
        for stage in ("quality_check", "ready_to_ship", "ready_to_ship"):  # the last: a retry
            assert (
                await ops.post(f"/orders/{number}/stage", json={"stage": stage})
            ).status_code == 200
        assert (
            await ops.post(f"/orders/{number}/stage", json={"stage": "lasting"})
        ).status_code == 409

        shipment = f"shp_{number}"
        cannot = await ops.post(
            f"/shipments/{shipment}/ship", json={"carrier": "ups", "tracking_number": "1Z9999"}
        )
        assert cannot.status_code == 403, "the floor does not ship"

        async def ready() -> bool:
            found = await shipping.get(f"/shipments/{shipment}")
            return found.status_code == 200 and found.json()["status"] == "ready_to_ship"

        await until(ready)
        bad = await shipping.post(
            f"/shipments/{shipment}/ship", json={"carrier": "pigeon", "tracking_number": "x"}
        )
        assert bad.status_code in (400, 422), bad.text
        shipped = await shipping.post(
            f"/shipments/{shipment}/ship",
            json={"carrier": "ups", "tracking_number": "1Z999AA10123456784"},
        )
        assert shipped.status_code == 200, shipped.text

    order = await until(functools.partial(_status, api, number, "shipped"))
    assert order["tracking"] == {
        "carrier": "ups",
        "number": "1Z999AA10123456784",
        "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    }
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    stages = [(h["production_stage"], h["rework"]) for h in history if h["production_stage"]]
    assert stages == [
        ("queued", False),
        *[(s, False) for s in FLOOR],
        ("finishing", True),
        ("quality_check", False),
        ("ready_to_ship", False),
    ]
    assert {h["actor"] for h in history if h["production_stage"] not in (None, "queued")} == {
        f"operator:{floor['operator_id']}"
    }
    assert [h["status"] for h in history if not h["production_stage"]] == [
        "pending_payment",
        "work_in_process",
        "shipped",
    ]
    # Checkout, payment, on the floor, shipped: and no email for any other stage.
    messages = await wait_for_emails(mailpit, email, 4)
    subjects = [m["Subject"] for m in messages]
    assert len(subjects) == 4, subjects
    assert f"Order {number} is on the factory floor" in subjects
    assert f"Shipment of {number}: shipped" in subjects


async def _dead_letter(bootstrap: str, event_id: str) -> dict[str, str]:
    consumer = AIOKafkaConsumer(
        dead_letter_topic(STAGE_REPORTED),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **client_options(),
    )
    await consumer.start()
    try:
        async with asyncio.timeout(30):
            while True:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        if json.loads(record.value).get("event_id") == event_id:
                            return {k: v.decode() for k, v in record.headers}
    finally:
        await consumer.stop()


async def test_a_floor_scan_over_kafka_moves_an_order_once_and_an_impossible_one_is_parked(
    running_system: StackConfig, api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    number = await paid_order(api, design)
    bespoke = Path(sys.executable).parent / "bespoke"
    scan = await asyncio.create_subprocess_exec(
        str(bespoke),
        "floor",
        "scan",
        number,
        "lasting",
        "--station",
        "lasting-1",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await scan.communicate()
    assert scan.returncode == 0
    scanned = json.loads(out)
    assert scanned["stage"] == "lasting"
    await until(functools.partial(_at, api, number, "lasting"))
    entry = (await api.get(f"/orders/{number}/history")).json()["items"][-1]
    assert (entry["production_stage"], entry["station"]) == ("lasting", "lasting-1")
    assert entry["cause"] == f"event:{scanned['event_id']}"

    again = stage_report(number, ProductionStage.SOLING, "soling-1")
    await publish_as(DOWNSTREAM, running_system.kafka_bootstrap, again, again)
    await until(functools.partial(_at, api, number, "soling"))
    await wait_until_consumed(running_system.kafka_bootstrap, "orders", STAGE_REPORTED)
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert [h["production_stage"] for h in history].count("soling") == 1, "applied once"

    backwards = stage_report(number, ProductionStage.CUTTING, "cutting-2")
    unknown = stage_report("BF-999998", ProductionStage.CUTTING, "cutting-2")
    await publish_as(DOWNSTREAM, running_system.kafka_bootstrap, backwards, unknown)
    parked = await _dead_letter(running_system.kafka_bootstrap, str(backwards.event_id))
    assert "cannot go back to cutting" in parked["dlq-error"]
    missing = await _dead_letter(running_system.kafka_bootstrap, str(unknown.event_id))
    assert "unknown order BF-999998" in missing["dlq-error"]
    assert (await api.get(f"/orders/{number}")).json()["production_stage"] == "soling"


async def test_order_again_is_a_new_pending_order_at_today_s_price(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    number = await paid_order(api, design)
    first = (await api.get(f"/orders/{number}")).json()
    assert (await api.post(f"/orders/{number}/clone")).status_code == 428, "needs a key"
    headers = key()
    cloned = await api.post(f"/orders/{number}/clone", headers=headers)
    assert cloned.status_code == 201, cloned.text
    retried = await api.post(f"/orders/{number}/clone", headers=headers)
    assert retried.status_code in (200, 201)
    assert retried.json()["order_number"] == cloned.json()["order_number"]
    again = cloned.json()
    assert again["order_number"] != number
    assert cloned.headers["location"] == f"/api/v1/orders/{again['order_number']}"
    assert again["status"] == "pending_payment"
    assert again["payment_status"] == "unpaid"
    for field in ("design_id", "design_version", "sizes", "shipping_address", "billing"):
        assert again[field] == first[field], field
    # Priced by today's catalog (unchanged here; the unit tests change it).
    assert again["costs"]["manufacturing"] == first["costs"]["manufacturing"]
    assert (await api.post("/orders/BF-999997/clone", headers=key())).status_code == 404
