"""The order pool and editing orders, through the gateway."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bespoke_orders.settings import OrdersSettings
from bespoke_platform.mongo import connect

from .conftest import checkout_body
from .test_delivery import payment_for, publish, wait_until_consumed

pytestmark = pytest.mark.stack


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def place(api: httpx.AsyncClient, design: dict[str, Any], **changes: Any) -> dict[str, Any]:
    response = await api.post(
        "/orders", json=checkout_body("pool@e2e.example", design, **changes), headers=key()
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def test_the_pool_filters_searches_and_pages_stably(
    api: httpx.AsyncClient, design: dict[str, Any]
) -> None:
    placed = [await place(api, design) for _ in range(5)]
    await api.post(f"/orders/{placed[0]['order_number']}/cancel")
    numbers = [o["order_number"] for o in placed]

    first = (await api.get("/orders", params={"limit": 2})).json()
    assert [o["order_number"] for o in first["items"]] == numbers[::-1][:2]
    late = await place(api, design)  # arrives while the client pages
    seen = [o["order_number"] for o in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (await api.get("/orders", params={"limit": 2, "cursor": cursor})).json()
        seen += [o["order_number"] for o in page["items"]]
        cursor = page["next_cursor"]
    assert seen == numbers[::-1], "no order twice, none skipped"
    assert late["order_number"] not in seen

    oldest = (await api.get("/orders", params={"sort": "oldest", "limit": 100})).json()["items"]
    assert [o["order_number"] for o in oldest] == [*numbers, late["order_number"]]
    cancelled = (await api.get("/orders", params={"status": "cancelled"})).json()["items"]
    assert [o["order_number"] for o in cancelled] == [numbers[0]]
    searched = (await api.get("/orders", params={"q": numbers[2][-4:]})).json()["items"]
    assert numbers[2] in [o["order_number"] for o in searched]
    by_design = (
        await api.get("/orders", params={"design_id": design["id"], "order_type": "mini_bulk"})
    ).json()
    assert len(by_design["items"]) == 6
    none_yet = (await api.get("/orders", params={"created_to": "2020-01-01T00:00:00Z"})).json()
    assert none_yet["items"] == []
    for hostile in ("d²", "d" + "9" * 25, "d-1", "a12", "d" * 41):  # a12: the other sort's
        refused = await api.get("/orders", params={"cursor": hostile})
        assert refused.status_code in (400, 422), (hostile, refused.text)
    bad = await api.get("/orders", params={"cursor": "zzz"})
    assert bad.status_code == 400


async def test_edits_re_price_pending_orders_and_paid_orders_are_final(
    api: httpx.AsyncClient, brand: dict[str, Any], design: dict[str, Any], running_system: Any
) -> None:
    order = await place(api, design)
    number = order["order_number"]

    edited = await api.patch(f"/orders/{number}", json={"sizes": {"42": 12, "43": 12}})
    assert edited.status_code == 200, edited.text
    new = edited.json()
    assert new["version"] == 2
    assert new["costs"]["manufacturing"] == new["costs"]["per_pair"] * 24
    assert new["costs"]["per_pair"] < order["costs"]["per_pair"], "24 pairs earn a price break"
    refused = await api.patch(f"/orders/{number}", json={"sizes": {"60": 1}})
    assert refused.status_code == 422

    await publish(
        running_system.kafka_bootstrap, payment_for(brand["account_id"], new, "pool@e2e.example")
    )
    await wait_until_consumed(running_system.kafka_bootstrap, "orders", "payment.cleared")
    after_payment = await api.patch(f"/orders/{number}", json={"sizes": {"42": 2}})
    assert after_payment.status_code == 409
    assert (await api.get(f"/orders/{number}")).json()["version"] == 2


async def test_an_order_s_document_does_not_grow_with_its_edits(
    api: httpx.AsyncClient, design: dict[str, Any], running_system: Any
) -> None:
    number = (await place(api, design))["order_number"]
    for pairs in (4, 5, 6):
        edited = await api.patch(f"/orders/{number}", json={"sizes": {"42": pairs}})
        assert edited.status_code == 200, edited.text
    mongo = connect(running_system.mongodb_url)
    try:
        db = mongo[OrdersSettings().mongodb_database]
        doc = await db.orders.find_one({"_id": number})
        assert doc is not None
        assert doc["version"] == 4
        assert not doc.get("previous_versions"), "earlier versions are kept apart"
        kept = await db.order_versions.find({"order_number": number}).to_list()
        assert sorted(v["version"] for v in kept) == [1, 2, 3]
    finally:
        await mongo.close()
