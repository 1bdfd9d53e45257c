"""Every change a person makes names them: in the events downstream systems read
(`actor` of the envelope), in the order's history, a design version's `updated_by` and a
shipping group's `formed_by` and `dissolved_by`: a signed-in user as `user:usr_…`, a
script as `api-token:tok_…`, the brand's own token as `token:acc_…`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bespoke_contracts import (
    ORDER_REVISED,
    ORDER_STATUS_CHANGED,
    ORDER_SUBMITTED,
    SHIPMENT_GROUPED,
    SHIPMENT_UNGROUPED,
)

from .conftest import Events, checkout_body, event
from .test_session import create_user, sign_in
from .test_shipping import until

pytestmark = pytest.mark.stack


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_each_change_names_the_person_or_script_that_made_it(
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    from_now: Events,
    unique: str,
) -> None:
    admin = create_user(brand, f"attributed-{unique}@e2e.example", "admin")
    signed = await sign_in(browser, f"attributed-{unique}@e2e.example")
    as_admin = {"X-CSRF-Token": signed.json()["csrf_token"]}
    person = f"user:{admin['user_id']}"

    cloned = await browser.post("/gallery/gal_country_derby/clone", headers=key() | as_admin)
    assert cloned.status_code == 201, cloned.text
    design = cloned.json()
    assert design["updated_by"] == person
    stored = (await api.get(f"/designs/{design['id']}")).json()
    assert stored["updated_by"] == person, "kept with the version"

    numbers = []
    for _ in range(2):
        placed = await browser.post(
            "/orders",
            json=checkout_body(f"billing-{unique}@e2e.example", design),
            headers=key() | as_admin,
        )
        assert placed.status_code == 201, placed.text
        numbers.append(placed.json()["order_number"])
    submitted = await from_now.first(
        lambda r: r.topic == ORDER_SUBMITTED and r.key == numbers[0].encode()
    )
    assert event(submitted)["actor"] == person

    script = (await api.post("/tokens", json={"name": "grouper", "role": "admin"})).json()
    formed = await api.post(
        "/shipping-groups",
        json={"order_numbers": numbers},
        headers=key() | {"Authorization": f"Bearer {script['token']}"},
    )
    assert formed.status_code == 201, formed.text
    group = formed.json()
    assert group["formed_by"] == f"api-token:{script['id']}"
    grouped = await from_now.first(
        lambda r: r.topic == SHIPMENT_GROUPED and r.key == group["id"].encode()
    )
    assert event(grouped)["actor"] == f"api-token:{script['id']}"

    dissolved = await browser.delete(f"/shipping-groups/{group['id']}", headers=as_admin)
    assert dissolved.status_code == 200, dissolved.text
    assert dissolved.json()["dissolved_by"] == person
    ungrouped = await from_now.first(
        lambda r: r.topic == SHIPMENT_UNGROUPED and r.key == group["id"].encode()
    )
    assert event(ungrouped)["actor"] == person
    stored_group = (await api.get(f"/shipping-groups/{group['id']}")).json()
    assert (stored_group["formed_by"], stored_group["dissolved_by"]) == (
        f"api-token:{script['id']}",
        person,
    )

    async def released() -> bool:  # orders hears of the dissolution a moment later
        return not (await api.get(f"/orders/{numbers[0]}")).json().get("shipping_group")

    await until(released)
    cancelled = await browser.post(f"/orders/{numbers[0]}/cancel", headers=as_admin)
    assert cancelled.status_code == 200, cancelled.text
    changed = await from_now.first(
        lambda r: (
            r.topic == ORDER_STATUS_CHANGED and event(r)["payload"]["order_number"] == numbers[0]
        )
    )
    assert event(changed)["actor"] == person

    edited = await api.patch(f"/orders/{numbers[1]}", json={"sizes": {"42": 3}})
    assert edited.status_code == 200, edited.text
    revised = await from_now.first(
        lambda r: r.topic == ORDER_REVISED and event(r)["payload"]["order_number"] == numbers[1]
    )
    assert event(revised)["actor"] == f"token:{brand['account_id']}"
    history = (await api.get(f"/orders/{numbers[0]}/history")).json()["items"]
    assert [h["actor"] for h in history] == [person, person]
