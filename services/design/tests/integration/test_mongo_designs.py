from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_contracts.api.design import DesignRequest
from bespoke_design.adapters.catalog_file import load_catalog, load_gallery_seeds
from bespoke_design.adapters.mongo import MongoDesignRepository, MongoShares, TimeOrderedIds
from bespoke_design.domain.errors import StaleDesignVersion
from bespoke_design.service_layer import handlers
from bespoke_design.service_layer.handlers import DesignDeps
from bespoke_platform.clock import SystemClock

pytestmark = pytest.mark.stack

BODY: dict[str, Any] = {
    "name": "Office oxford",
    "style": "oxford",
    "construction": "goodyear_welted",
    "last": "LC-101",
    "sole_unit": "leather_single",
    "materials": {
        "upper": {"material": "box_calf", "colour": "black"},
        "lining": {"material": "nappa_lining", "colour": "natural"},
    },
    "elements": [{"element": "monogram", "option": "gold_foil", "text": "AN"}],
}


def deps(db: AsyncDatabase[dict[str, Any]]) -> DesignDeps:
    return DesignDeps(
        load_catalog(), MongoDesignRepository(db), SystemClock(), TimeOrderedIds(), MongoShares(db)
    )


async def test_versions_round_trip_through_the_store(
    design_db: AsyncDatabase[dict[str, Any]],
) -> None:
    d = deps(design_db)
    created, _ = await handlers.create_design("acc_a", "k1", DesignRequest.model_validate(BODY), d)
    changed = DesignRequest.model_validate(
        {**BODY, "name": "Office oxford II", "sole_unit": "dainite"}
    )
    await handlers.update_design("acc_a", created.id, changed, d)

    loaded = await handlers.get_design("acc_a", created.id, d)
    assert [v.version for v in loaded.versions] == [2], "the latest alone, unless asked"
    assert loaded.version_count == 2
    assert loaded.latest.spec.sole_unit == "dainite"
    assert loaded.latest.spec.elements[0].text == "AN"
    assert loaded.latest.created_at.tzinfo is not None
    first = await handlers.get_design("acc_a", created.id, d, version=1)
    assert first.version(1) == created.version(1)
    assert (await handlers.get_design("acc_a", created.id, d, version=9)).version(9) is None


async def test_a_design_s_document_does_not_grow_with_its_versions(
    design_db: AsyncDatabase[dict[str, Any]],
) -> None:
    d = deps(design_db)
    created, _ = await handlers.create_design("acc_a", "k2", DesignRequest.model_validate(BODY), d)
    for n in range(2, 12):
        changed = DesignRequest.model_validate({**BODY, "name": f"Office oxford {n}"})
        await handlers.update_design("acc_a", created.id, changed, d)
    doc = await design_db.designs.find_one({"_id": created.id})
    assert doc is not None
    assert "versions" not in doc
    assert (doc["version_count"], doc["latest"]["name"]) == (11, "Office oxford 11")
    kept = await design_db.design_versions.count_documents({"design_id": created.id})
    assert kept == 11, "every version is kept, apart"
    fifth = await handlers.get_design("acc_a", created.id, d, version=5)
    assert fifth.version(5) is not None
    assert fifth.version(5).name == "Office oxford 5"  # type: ignore[union-attr]
    [listed] = (await handlers.list_designs("acc_a", None, None, 10, None, d)).items[:1]
    assert [v.version for v in listed.versions] == [11], "lists read the latest only"


async def test_a_design_stored_with_every_version_embedded_still_reads(
    design_db: AsyncDatabase[dict[str, Any]],
) -> None:
    d = deps(design_db)
    created, _ = await handlers.create_design("acc_a", "k3", DesignRequest.model_validate(BODY), d)
    doc = await design_db.designs.find_one({"_id": created.id})
    assert doc is not None
    legacy = {k: v for k, v in doc.items() if k not in ("latest", "version_count")}
    legacy["versions"] = [doc["latest"]]
    await design_db.designs.replace_one({"_id": created.id}, legacy)
    loaded = await handlers.get_design("acc_a", created.id, d)
    assert (loaded.latest.version, loaded.version_count) == (1, 1)
    changed = DesignRequest.model_validate({**BODY, "name": "Office oxford II"})
    updated = await handlers.update_design("acc_a", created.id, changed, d)
    assert updated.latest.version == 2
    assert "latest" in (await design_db.designs.find_one({"_id": created.id}) or {})


async def test_a_stale_save_is_refused_not_lost(design_db: AsyncDatabase[dict[str, Any]]) -> None:
    d = deps(design_db)
    created, _ = await handlers.create_design("acc_a", "k1", DesignRequest.model_validate(BODY), d)
    repository = MongoDesignRepository(design_db)
    first = await repository.get(created.id)
    second = await repository.get(created.id)
    assert first is not None
    assert second is not None
    first.archive()
    await repository.save(first)
    second.publish()
    with pytest.raises(StaleDesignVersion):
        await repository.save(second)
    stored = await repository.get(created.id)
    assert stored is not None
    assert stored.status.value == "archived"
    assert not stored.published


async def test_concurrent_creates_with_one_key_make_one_design(
    design_db: AsyncDatabase[dict[str, Any]],
) -> None:
    d = deps(design_db)
    request = DesignRequest.model_validate(BODY)
    results = await asyncio.gather(
        *(handlers.create_design("acc_a", "same", request, d) for _ in range(5))
    )
    assert len({design.id for design, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await design_db.designs.count_documents({}) == 1


async def test_pagination_stays_correct_while_designs_are_added(
    design_db: AsyncDatabase[dict[str, Any]],
) -> None:
    d = deps(design_db)
    for i in range(5):
        await handlers.create_design(
            "acc_a", f"k{i}", DesignRequest.model_validate({**BODY, "name": f"D{i}"}), d
        )
    first = await handlers.list_designs("acc_a", "active", None, 2, None, d)
    await handlers.create_design(
        "acc_a", "late", DesignRequest.model_validate({**BODY, "name": "late"}), d
    )
    names = [x.latest.name for x in first.items]
    cursor = first.next_cursor
    while cursor:
        page = await handlers.list_designs("acc_a", "active", None, 2, cursor, d)
        names += [x.latest.name for x in page.items]
        cursor = page.next_cursor
    assert names == ["D4", "D3", "D2", "D1", "D0"]


async def test_the_gallery_filters_by_style_and_construction(
    design_db: AsyncDatabase[dict[str, Any]],
) -> None:
    d = deps(design_db)
    await handlers.seed_gallery(load_gallery_seeds(), d)
    await handlers.seed_gallery(load_gallery_seeds(), d)
    assert await design_db.designs.count_documents({}) == len(load_gallery_seeds())
    stitchdown = await handlers.gallery(None, "stitchdown", 20, None, d)
    assert [x.id for x in stitchdown.items] == ["gal_chukka"]
    oxfords = await handlers.gallery("oxford", "goodyear_welted", 20, None, d)
    assert [x.id for x in oxfords.items] == ["gal_city_oxford"]
