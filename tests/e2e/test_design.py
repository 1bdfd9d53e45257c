"""Designing through the gateway, against the running design service and FerretDB."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from bespoke.stack.config import StackConfig
from bespoke.stack.keys import CallsAsGateway

pytestmark = pytest.mark.stack

OXFORD: dict[str, Any] = {
    "name": "Office oxford",
    "style": "oxford",
    "construction": "goodyear_welted",
    "last": "LC-101",
    "sole_unit": "leather_single",
    "materials": {
        "upper": {"material": "box_calf", "colour": "black"},
        "lining": {"material": "nappa_lining", "colour": "natural"},
    },
    "elements": [
        {"element": "brogueing", "option": "semi"},
        {"element": "laces", "option": "waxed_cotton_black"},
    ],
}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def test_the_catalog_lists_options_and_rules(api: httpx.AsyncClient) -> None:
    response = await api.get("/catalog")
    assert response.status_code == 200
    catalog = response.json()
    assert len(catalog["styles"]) >= 8
    for section in ("constructions", "lasts", "materials", "sole_units", "elements", "order_types"):
        assert catalog[section], section
    assert "commando" not in catalog["compatibility"]["construction_sole_units"]["blake_stitched"]


async def test_a_design_is_created_versioned_estimated_and_archived(api: httpx.AsyncClient) -> None:
    created = await api.post("/designs", json=OXFORD, headers=key())
    assert created.status_code == 201, created.text
    v1 = created.json()
    assert v1["version"] == 1
    assert v1["bom_hash"].startswith("sha256:")
    assert {line["component"] for line in v1["bill_of_materials"]} >= {
        "Upper",
        "Lining",
        "Sole unit",
        "Laces",
    }
    assert created.headers["location"] == f"/api/v1/designs/{v1['id']}"

    suede = {
        **OXFORD,
        "materials": {**OXFORD["materials"], "upper": {"material": "suede", "colour": "snuff"}},
    }
    updated = await api.put(f"/designs/{v1['id']}", json=suede, headers={"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    v2 = updated.json()
    assert (v2["version"], v2["latest_version"]) == (2, 2)
    assert v2["bom_hash"] != v1["bom_hash"]
    stale = await api.put(f"/designs/{v1['id']}", json=OXFORD, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    old = await api.get(f"/designs/{v1['id']}", params={"version": 1})
    assert old.json()["bom_hash"] == v1["bom_hash"]
    assert old.json()["materials"]["upper"]["material"] == "box_calf"

    estimate = await api.post(
        "/estimates",
        json={
            "design_id": v1["id"],
            "order_type": "mini_bulk",
            "sizes": {"41": 4, "42": 4, "42.5": 4},
        },
    )
    assert estimate.status_code == 200, estimate.text
    price = estimate.json()
    assert price["design_version"] == 2
    assert price["pairs"] == 12
    assert price["manufacturing"] == price["per_pair"] * 12
    assert price["per_pair"] < price["base_per_pair"]
    assert price["currency"] == "EUR"
    too_many = await api.post(
        "/estimates", json={"design_id": v1["id"], "order_type": "mto", "pairs": 3}
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["pointer"] == "#/order_type"

    archived = await api.post(f"/designs/{v1['id']}/archive")
    assert archived.json()["status"] == "archived"
    active = (await api.get("/designs")).json()["items"]
    assert v1["id"] not in {d["id"] for d in active}
    everything = (await api.get("/designs", params={"status": "all"})).json()["items"]
    assert v1["id"] in {d["id"] for d in everything}


async def test_an_unbuildable_design_gets_every_conflict(api: httpx.AsyncClient) -> None:
    bad = {
        **OXFORD,
        "construction": "blake_stitched",
        "sole_unit": "commando",
        "last": "LS-400",
        "elements": [{"element": "tassels", "option": "matching"}],
    }
    response = await api.post("/designs", json=bad, headers=key())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/unbuildable-design")
    assert problem["instance"] == "/api/v1/designs"
    by_pointer = {e["pointer"]: e["detail"] for e in problem["errors"]}
    assert set(by_pointer) == {"#/sole_unit", "#/last", "#/elements/0/element"}
    assert by_pointer["#/sole_unit"].startswith("sole unit 'commando' cannot be Blake stitched")


async def test_a_gallery_design_is_cloned_into_the_brand(api: httpx.AsyncClient) -> None:
    gallery = await api.get("/gallery", params={"style": "oxford"})
    assert gallery.status_code == 200
    ids = [d["id"] for d in gallery.json()["items"]]
    assert "gal_city_oxford" in ids
    assert all(d["style"] == "oxford" for d in gallery.json()["items"])

    clone_key = key()
    clone = await api.post(
        "/gallery/gal_city_oxford/clone", json={"name": "My city oxford"}, headers=clone_key
    )
    assert clone.status_code == 201, clone.text
    mine = clone.json()
    assert mine["name"] == "My city oxford"
    assert mine["cloned_from"] == {"design_id": "gal_city_oxford", "version": 1}
    assert mine["version"] == 1
    again = await api.post(
        "/gallery/gal_city_oxford/clone", json={"name": "My city oxford"}, headers=clone_key
    )
    assert (again.status_code, again.json()["id"]) == (201, mine["id"])
    assert again.headers["idempotent-replayed"] == "true"
    listed = (await api.get("/designs")).json()["items"]
    assert [d["id"] for d in listed] == [mine["id"]]


async def test_designs_are_private_to_their_brand(
    api: httpx.AsyncClient, running_system: Any, unique: str
) -> None:
    created = (await api.post("/designs", json=OXFORD, headers=key())).json()
    from bespoke.accounts import create_account

    other = await create_account(name=f"Other {unique}", email=f"other-{unique}@e2e.example")
    async with httpx.AsyncClient(
        base_url=f"{running_system.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {other['token']}"},
    ) as intruder:
        assert (await intruder.get(f"/designs/{created['id']}")).status_code == 404
        assert (
            await intruder.post(
                "/estimates", json={"design_id": created["id"], "order_type": "mto", "pairs": 1}
            )
        ).status_code == 404


async def test_a_service_answers_a_reused_key_as_the_gateway_does(
    running_system: StackConfig, brand: dict[str, Any]
) -> None:
    """Behind the gateway too: the design service's own answer is 422, the gateway's."""
    headers = key()
    async with httpx.AsyncClient(
        base_url=running_system.service_url("design"),
        timeout=15,
        auth=CallsAsGateway(running_system, "design", account_id=brand["account_id"]),
    ) as design:
        first = await design.post("/internal/designs", json=OXFORD, headers=headers)
        other = await design.post(
            "/internal/designs", json={**OXFORD, "name": "Another oxford"}, headers=headers
        )
    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


async def test_a_design_is_drawn_the_same_each_time_and_cached_by_its_etag(
    api: httpx.AsyncClient,
) -> None:
    cloned = await api.post(
        "/gallery/gal_city_oxford/clone", headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    design = cloned.json()
    path = f"/designs/{design['id']}/preview.svg"
    side = await api.get(path, params={"version": design["version"]})
    assert side.status_code == 200, side.text
    assert side.headers["content-type"].startswith("image/svg+xml")
    assert side.text.startswith("<svg")
    assert 'data-part="upper"' in side.text
    again = await api.get(path)
    assert again.content == side.content
    etag = side.headers["etag"]
    unchanged = await api.get(path, headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    top = await api.get(path, params={"view": "top"})
    assert top.status_code == 200
    assert top.headers["etag"] != etag
    assert (await api.get(path, params={"view": "front"})).status_code == 422
    gallery = await api.get("/gallery/gal_city_oxford/preview.svg")
    assert gallery.content == side.content  # the clone draws as its source
    preview = await api.post(
        "/designs/preview",
        json={
            k: design[k]
            for k in ("style", "construction", "last", "sole_unit", "materials", "elements")
        },
    )
    assert preview.json()["svg"].startswith("<svg")


async def test_a_share_link_opens_signed_out_until_revoked(
    api: httpx.AsyncClient, running_system: StackConfig
) -> None:
    cloned = await api.post(
        "/gallery/gal_country_derby/clone", headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    design = cloned.json()
    made = await api.post(f"/designs/{design['id']}/share", json={"expires_in_days": 7})
    assert made.status_code == 201, made.text
    link = made.json()
    secret = link["url"].rsplit("/share/", 1)[1]
    assert len(secret) >= 32
    async with httpx.AsyncClient(base_url=running_system.gateway_url, timeout=15) as visitor:
        page = await visitor.get(f"/share/{secret}")
        assert page.status_code == 200
        opened = await visitor.get(f"/api/v1/shared/{secret}")
        assert opened.status_code == 200, opened.text
        shown = opened.json()
        assert shown["name"] == design["name"]
        assert shown["side_svg"].startswith("<svg")
        assert "price" not in json.dumps(shown)
        assert "account" not in json.dumps(shown)
        listed = (await api.get(f"/designs/{design['id']}/shares")).json()["items"]
        assert [(s["id"], s["url"]) for s in listed] == [(link["id"], None)]  # secret shown once
        revoked = await api.delete(f"/designs/{design['id']}/shares/{link['id']}")
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        gone = await visitor.get(f"/api/v1/shared/{secret}")
        made_up = await visitor.get("/api/v1/shared/" + "A" * 32)
        assert gone.status_code == made_up.status_code == 404
        assert gone.json()["type"] == made_up.json()["type"]
