"""Design use cases, run through the real handlers with in-memory fakes."""

from __future__ import annotations

from typing import Any

import pytest

from bespoke_contracts.api.design import DesignSpec, DesignStatus, EstimateRequest
from bespoke_contracts.orders import OrderType
from bespoke_design.adapters.catalog_file import load_gallery_seeds
from bespoke_design.domain.errors import (
    DesignArchived,
    DesignNotFound,
    IdempotencyKeyReused,
    InvalidCursor,
    StaleDesignVersion,
    UnbuildableDesign,
)
from bespoke_design.service_layer import handlers

from .fakes import Fakes


async def test_a_design_starts_at_version_one_with_its_bom(fakes: Fakes, make_request: Any) -> None:
    design, created = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    assert created
    assert design.latest.version == 1
    assert design.latest.bom_hash.startswith("sha256:")
    assert design.latest.price_per_pair == 23100
    assert design.latest.catalog_version == fakes.catalog.version


async def test_an_unbuildable_design_is_refused_with_every_conflict(
    fakes: Fakes, make_request: Any
) -> None:
    with pytest.raises(UnbuildableDesign) as raised:
        await handlers.create_design(
            "acc_a",
            "k1",
            make_request(construction="blake_stitched", sole_unit="commando", last="LS-400"),
            fakes.deps,
        )
    assert [c.pointer for c in raised.value.conflicts] == ["#/sole_unit", "#/last"]
    assert fakes.designs.stored == {}


def test_a_preview_prices_a_buildable_spec_and_saves_nothing(
    fakes: Fakes, make_request: Any
) -> None:
    spec = DesignSpec.model_validate(make_request().model_dump(exclude={"name"}))
    preview = handlers.preview(spec, fakes.deps)
    assert preview.buildable
    assert preview.conflicts == []
    assert preview.price_per_pair == 23100  # what the saved design costs
    assert preview.price_per_pair == sum(line.amount for line in preview.breakdown)
    assert {line.component for line in preview.bill_of_materials} >= {"Upper", "Sole unit"}
    assert fakes.designs.stored == {}


def test_a_preview_of_an_unbuildable_spec_gives_every_reason(
    fakes: Fakes, make_request: Any
) -> None:
    request = make_request(construction="blake_stitched", sole_unit="commando", last="LS-400")
    spec = DesignSpec.model_validate(request.model_dump(exclude={"name"}))
    preview = handlers.preview(spec, fakes.deps)
    assert not preview.buildable
    assert [c.pointer for c in preview.conflicts] == ["#/sole_unit", "#/last"]
    assert all(c.detail for c in preview.conflicts)
    assert preview.price_per_pair is None
    assert preview.bill_of_materials == []


async def test_a_retried_create_returns_the_first_design(fakes: Fakes, make_request: Any) -> None:
    first, _ = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    again, created = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    assert not created
    assert again.id == first.id
    with pytest.raises(IdempotencyKeyReused):
        await handlers.create_design("acc_a", "k1", make_request(name="Other"), fakes.deps)


async def test_every_update_makes_a_new_immutable_version(fakes: Fakes, make_request: Any) -> None:
    design, _ = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    v1 = design.latest
    tan = make_request(
        materials={
            "upper": {"material": "box_calf", "colour": "tan"},
            "lining": {"material": "nappa_lining", "colour": "natural"},
        }
    )

    updated = await handlers.update_design("acc_a", design.id, tan, fakes.deps)

    assert [v.version for v in updated.versions] == [1, 2]
    assert updated.version(1) == v1
    assert updated.latest.bom_hash != v1.bom_hash
    with pytest.raises(StaleDesignVersion, match="version 2, not 1"):
        await handlers.update_design("acc_a", design.id, tan, fakes.deps, based_on=1)
    with pytest.raises(UnbuildableDesign):
        await handlers.update_design("acc_a", design.id, make_request(style="sneaker"), fakes.deps)
    assert (await handlers.get_design("acc_a", design.id, fakes.deps)).latest.version == 2


async def test_other_brands_cannot_see_or_change_a_design(fakes: Fakes, make_request: Any) -> None:
    design, _ = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    with pytest.raises(DesignNotFound):
        await handlers.get_design("acc_b", design.id, fakes.deps)
    with pytest.raises(DesignNotFound):
        await handlers.update_design("acc_b", design.id, make_request(), fakes.deps)
    page = await handlers.list_designs("acc_b", None, None, 10, None, fakes.deps)
    assert page.items == []


async def test_an_archived_design_stays_readable_but_cannot_change(
    fakes: Fakes, make_request: Any
) -> None:
    design, _ = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    await handlers.publish_design("acc_a", design.id, True, fakes.deps)

    archived = await handlers.archive_design("acc_a", design.id, fakes.deps)

    assert archived.status is DesignStatus.ARCHIVED
    assert not archived.published
    with pytest.raises(DesignArchived):
        await handlers.update_design("acc_a", design.id, make_request(), fakes.deps)
    with pytest.raises(DesignArchived):
        await handlers.publish_design("acc_a", design.id, True, fakes.deps)
    with pytest.raises(DesignArchived):
        await handlers.estimate(
            "acc_a",
            EstimateRequest(design_id=design.id, order_type=OrderType.MTO, pairs=1),
            fakes.deps,
        )
    active = await handlers.list_designs("acc_a", "active", None, 10, None, fakes.deps)
    assert active.items == []


async def test_pages_follow_the_cursor_to_the_end(fakes: Fakes, make_request: Any) -> None:
    for i in range(5):
        await handlers.create_design("acc_a", f"k{i}", make_request(name=f"D{i}"), fakes.deps)
    seen, cursor = [], None
    while True:
        page = await handlers.list_designs("acc_a", None, None, 2, cursor, fakes.deps)
        seen += [d.latest.name for d in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["D4", "D3", "D2", "D1", "D0"]
    with pytest.raises(InvalidCursor):
        await handlers.list_designs("acc_a", None, None, 2, "%%%", fakes.deps)


async def test_the_gallery_is_seeded_once_and_filters(fakes: Fakes) -> None:
    seeds = load_gallery_seeds()
    assert await handlers.seed_gallery(seeds, fakes.deps) == len(seeds)
    assert await handlers.seed_gallery(seeds, fakes.deps) == 0
    boots = await handlers.gallery("chelsea_boot", None, 20, None, fakes.deps)
    assert [d.id for d in boots.items] == ["gal_suede_chelsea"]
    welted = await handlers.gallery(None, "goodyear_welted", 20, None, fakes.deps)
    assert {d.latest.spec.construction for d in welted.items} == {"goodyear_welted"}
    assert len(welted.items) == 2


async def test_cloning_makes_a_design_owned_by_the_caller(fakes: Fakes) -> None:
    await handlers.seed_gallery(load_gallery_seeds(), fakes.deps)

    clone, created = await handlers.clone("acc_a", "c1", "gal_city_oxford", None, fakes.deps)

    assert created
    assert clone.account_id == "acc_a"
    assert clone.id != "gal_city_oxford"
    assert clone.cloned_from is not None
    assert (clone.cloned_from.design_id, clone.cloned_from.version) == ("gal_city_oxford", 1)
    assert clone.latest.name == "City cap-toe oxford"
    assert not clone.published
    again, created_again = await handlers.clone("acc_a", "c1", "gal_city_oxford", None, fakes.deps)
    assert (again.id, created_again) == (clone.id, False)
    with pytest.raises(DesignNotFound):
        await handlers.clone("acc_a", "c2", clone.id, None, fakes.deps)  # not published


async def test_an_estimate_prices_a_version_by_order_type(fakes: Fakes, make_request: Any) -> None:
    design, _ = await handlers.create_design("acc_a", "k1", make_request(), fakes.deps)
    estimate = await handlers.estimate(
        "acc_a",
        EstimateRequest(
            design_id=design.id, order_type=OrderType.MINI_BULK, sizes={"42": 6, "43": 6}
        ),
        fakes.deps,
    )
    assert estimate.pairs == 12
    assert estimate.base_per_pair == 23100
    assert estimate.per_pair == 21945  # 5 % off
    assert estimate.manufacturing == 21945 * 12
    assert estimate.bom_hash == design.latest.bom_hash
    with pytest.raises(DesignNotFound, match="no version 3"):
        await handlers.estimate(
            "acc_a",
            EstimateRequest(
                design_id=design.id, design_version=3, order_type=OrderType.MTO, pairs=1
            ),
            fakes.deps,
        )


async def test_each_version_names_who_made_it(fakes: Fakes, make_request: Any) -> None:
    design, _ = await handlers.create_design(
        "acc_a", "k1", make_request(), fakes.deps, actor="user:usr_ana"
    )
    updated = await handlers.update_design(
        "acc_a", design.id, make_request(name="Second"), fakes.deps, actor="api-token:tok_x"
    )
    assert [v.created_by for v in updated.versions] == ["user:usr_ana", "api-token:tok_x"]
    stored = await handlers.get_design("acc_a", design.id, fakes.deps)
    assert stored.version(1).created_by == "user:usr_ana"  # type: ignore[union-attr]


async def test_a_share_link_opens_one_version_until_it_expires_or_is_revoked(
    fakes: Fakes, make_request: Any
) -> None:

    from bespoke_design.domain import sharing
    from bespoke_design.domain.errors import DesignNotFound

    design, _ = await handlers.create_design("acc_1", "k-share", make_request(), fakes.deps)
    share, secret = await handlers.share_design("acc_1", design.id, None, 30, fakes.deps, "u")
    assert len(secret) >= 32  # 192 bits, URL-safe
    assert share.secret_digest == sharing.digest(secret)
    assert secret not in repr(await fakes.shares.of_design("acc_1", design.id))  # kept hashed
    opened, version = await handlers.shared_design(secret, fakes.deps)
    assert (opened.share_id, version.version) == (share.share_id, design.latest.version)

    with pytest.raises(DesignNotFound):
        await handlers.shared_design(secret[:-1] + ("A" if secret[-1] != "A" else "B"), fakes.deps)
    with pytest.raises(DesignNotFound):  # another brand cannot share or list it
        await handlers.share_design("acc_2", design.id, None, 30, fakes.deps)

    fakes.clock.current = share.expires_at
    with pytest.raises(DesignNotFound):
        await handlers.shared_design(secret, fakes.deps)
    fakes.clock.current = share.created_at
    await handlers.revoke_share("acc_1", design.id, share.share_id, fakes.deps)
    with pytest.raises(DesignNotFound, match="revoked"):
        await handlers.shared_design(secret, fakes.deps)
