"""Use cases of the design service."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from bespoke_contracts.api.design import (
    DesignConflict,
    DesignPreview,
    DesignRequest,
    DesignSpec,
    DesignStatus,
    Estimate,
    EstimateRequest,
)
from bespoke_design.domain import drawing, model, pricing, rules, sharing
from bespoke_design.domain.catalog import Catalog
from bespoke_design.domain.errors import (
    DesignArchived,
    DesignNotFound,
    IdempotencyKeyReused,
    InvalidCursor,
    UnbuildableDesign,
)
from bespoke_design.service_layer.ports import (
    Clock,
    DesignRepository,
    IdGenerator,
    ShareRepository,
)

FACTORY_ACCOUNT = "factory"
"""Owner of the gallery designs the factory publishes itself."""


@dataclass(frozen=True)
class DesignDeps:
    catalog: Catalog
    designs: DesignRepository
    clock: Clock
    ids: IdGenerator
    shares: ShareRepository


@dataclass(frozen=True)
class Page:
    items: list[model.Design]
    next_cursor: str | None


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def encode_cursor(design_id: str) -> str:
    return base64.urlsafe_b64encode(design_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        design_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError):  # not base64, not ASCII, not UTF-8
        design_id = ""
    if not design_id or encode_cursor(design_id) != cursor:
        raise InvalidCursor("this cursor is not one we gave out; start again without it")
    return design_id


async def _page(designs: list[model.Design], limit: int) -> Page:
    if len(designs) > limit:
        return Page(designs[:limit], encode_cursor(designs[limit - 1].id))
    return Page(designs, None)


async def create_design(
    account_id: str,
    idempotency_key: str,
    request: DesignRequest,
    deps: DesignDeps,
    actor: str | None = None,
) -> tuple[model.Design, bool]:
    """A new design at version 1. Returns (design, created); a retry returns the first one."""
    spec = DesignSpec.model_validate(request.model_dump(exclude={"name"}))
    fingerprint = _fingerprint("create", request.model_dump(mode="json"))
    design = model.create_design(
        design_id=deps.ids.design_id(),
        account_id=account_id,
        name=request.name,
        spec=spec,
        catalog=deps.catalog,
        now=deps.clock.now(),
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        actor=actor,
    )
    stored = await deps.designs.add(design)
    return _same_request(stored, fingerprint, idempotency_key), stored.id == design.id


def _same_request(design: model.Design, fingerprint: str, key: str) -> model.Design:
    if design.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was already used for design {design.id} with a different "
            "body; use a new key"
        )
    return design


async def _owned(
    account_id: str, design_id: str, deps: DesignDeps, version: int | None = None
) -> model.Design:
    design = await deps.designs.get(design_id, version)
    if design is None or design.account_id != account_id:
        raise DesignNotFound(f"no design {design_id} for this brand")
    return design


async def get_design(
    account_id: str, design_id: str, deps: DesignDeps, version: int | None = None
) -> model.Design:
    """One of the brand's designs, with version ``version`` at hand when asked."""
    return await _owned(account_id, design_id, deps, version)


async def update_design(
    account_id: str,
    design_id: str,
    request: DesignRequest,
    deps: DesignDeps,
    based_on: int | None = None,
    actor: str | None = None,
) -> model.Design:
    """Replace the specification: a new immutable version, by ``actor``."""
    design = await _owned(account_id, design_id, deps)
    spec = DesignSpec.model_validate(request.model_dump(exclude={"name"}))
    design.revise(request.name, spec, deps.catalog, deps.clock.now(), based_on, actor)
    await deps.designs.save(design)
    return design


async def archive_design(account_id: str, design_id: str, deps: DesignDeps) -> model.Design:
    design = await _owned(account_id, design_id, deps)
    if design.status is not DesignStatus.ARCHIVED:
        design.archive()
        await deps.designs.save(design)
    return design


async def publish_design(
    account_id: str, design_id: str, published: bool, deps: DesignDeps
) -> model.Design:
    """Show the design in (or take it out of) the Get Inspired gallery."""
    design = await _owned(account_id, design_id, deps)
    if design.published != published:
        design.publish(published)
        await deps.designs.save(design)
    return design


async def list_designs(
    account_id: str,
    status: str | None,
    style: str | None,
    limit: int,
    cursor: str | None,
    deps: DesignDeps,
) -> Page:
    """The brand's designs, newest first."""
    found = await deps.designs.list_for_brand(
        account_id, status, style, limit + 1, decode_cursor(cursor)
    )
    return await _page(found, limit)


async def gallery(
    style: str | None, construction: str | None, limit: int, cursor: str | None, deps: DesignDeps
) -> Page:
    """Published designs anyone can browse, newest first."""
    found = await deps.designs.list_published(style, construction, limit + 1, decode_cursor(cursor))
    return await _page(found, limit)


async def clone(
    account_id: str,
    idempotency_key: str,
    gallery_id: str,
    name: str | None,
    deps: DesignDeps,
    actor: str | None = None,
) -> tuple[model.Design, bool]:
    """Copy a published design's latest version into a new design owned by the brand."""
    source = await deps.designs.get(gallery_id)
    if source is None or not source.published or source.status is DesignStatus.ARCHIVED:
        raise DesignNotFound(f"no design {gallery_id} in the gallery")
    latest = source.latest
    fingerprint = _fingerprint("clone", gallery_id, name)
    design = model.create_design(
        design_id=deps.ids.design_id(),
        account_id=account_id,
        name=name or latest.name,
        spec=latest.spec,
        catalog=deps.catalog,
        now=deps.clock.now(),
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        cloned_from=model.Origin(source.id, latest.version),
        actor=actor,
    )
    stored = await deps.designs.add(design)
    return _same_request(stored, fingerprint, idempotency_key), stored.id == design.id


async def estimate(account_id: str, request: EstimateRequest, deps: DesignDeps) -> Estimate:
    """Price a prospective order of one of the brand's design versions."""
    design = await _owned(account_id, request.design_id, deps, request.design_version)
    if design.status is DesignStatus.ARCHIVED:
        raise DesignArchived(f"design {design.id} is archived; clone it to order it")
    number = request.design_version or design.latest.version
    version = design.version(number)
    if version is None:
        raise DesignNotFound(
            f"design {design.id} has no version {number} (latest: {design.latest.version})"
        )
    # Priced at today's catalog; an option withdrawn since the version was made blocks it.
    withdrawn = rules.conflicts(version.spec, deps.catalog)
    if withdrawn:
        raise UnbuildableDesign(withdrawn)
    return pricing.quote(
        catalog=deps.catalog,
        design_id=design.id,
        design_version=version.version,
        bom_hash=version.bom_hash,
        breakdown=rules.price_breakdown(version.spec, deps.catalog),
        last=rules.shoe_last(version.spec, deps.catalog),
        construction=rules.construction(version.spec, deps.catalog),
        order_type=request.order_type,
        pairs=request.pairs,
        sizes=dict(request.sizes) if request.sizes is not None else None,
    )


def _drawn(spec: DesignSpec, deps: DesignDeps) -> str | None:
    """The side view of a specification being designed, if its choices can be drawn
    (an unknown option cannot; a combination the rules refuse still can)."""
    try:
        return drawing_of(spec, "Your design", "side", deps)
    except drawing.Undrawable:
        return None


def preview(spec: DesignSpec, deps: DesignDeps) -> DesignPreview:
    """What ``spec`` would make at today's catalog, without saving anything."""
    found = rules.conflicts(spec, deps.catalog)
    if found:
        return DesignPreview(
            svg=_drawn(spec, deps),
            buildable=False,
            conflicts=[DesignConflict(pointer=c.pointer, detail=c.detail) for c in found],
            shoe_last=None,
            bill_of_materials=[],
            breakdown=[],
            price_per_pair=None,
            currency=deps.catalog.currency,
        )
    breakdown = rules.price_breakdown(spec, deps.catalog)
    return DesignPreview(
        svg=_drawn(spec, deps),
        buildable=True,
        conflicts=[],
        shoe_last=rules.shoe_last(spec, deps.catalog).id,
        bill_of_materials=rules.bill_of_materials(spec, deps.catalog),
        breakdown=breakdown,
        price_per_pair=sum(line.amount for line in breakdown),
        currency=deps.catalog.currency,
    )


def drawing_of(spec: DesignSpec, name: str, view: drawing.View, deps: DesignDeps) -> str:
    """The design drawn in ``view`` (``Undrawable`` if the catalog cannot draw a choice)."""
    choices = drawing.resolve(
        deps.catalog, spec.style, spec.construction, spec.sole_unit, spec.materials, spec.elements
    )
    return drawing.draw(choices, deps.catalog, view, name)


async def _owned_version(
    account_id: str, design_id: str, version: int | None, deps: DesignDeps
) -> tuple[model.Design, model.DesignVersion]:
    """One of the brand's designs and its version ``version`` (its latest when None)."""
    design = await _owned(account_id, design_id, deps, version)
    chosen = design.version(version) if version is not None else design.latest
    if chosen is None:
        raise DesignNotFound(f"design {design_id} has no version {version}")
    return design, chosen


async def design_drawing(
    account_id: str, design_id: str, version: int | None, view: drawing.View, deps: DesignDeps
) -> str:
    """One of the brand's design versions drawn (its latest when no version is asked)."""
    _, chosen = await _owned_version(account_id, design_id, version, deps)
    return drawing_of(chosen.spec, chosen.name, view, deps)


async def gallery_drawing(design_id: str, view: drawing.View, deps: DesignDeps) -> str:
    """A gallery design's latest version drawn."""
    source = await deps.designs.get(design_id)
    if source is None or not source.published or source.status is DesignStatus.ARCHIVED:
        raise DesignNotFound(f"no design {design_id} in the gallery")
    return drawing_of(source.latest.spec, source.latest.name, view, deps)


async def share_design(
    account_id: str,
    design_id: str,
    version: int | None,
    days: int,
    deps: DesignDeps,
    actor: str | None = None,
) -> tuple[sharing.Share, str]:
    """A read-only link to one of the brand's design versions (the latest when none is
    asked); returns the link and its secret, shown this once."""
    design, chosen = await _owned_version(account_id, design_id, version, deps)
    if design.status is DesignStatus.ARCHIVED:
        raise DesignArchived(f"design {design_id} is archived; restore a copy to share it")
    share, secret = sharing.new_share(
        account_id, design_id, chosen.version, days, deps.clock.now(), actor
    )
    await deps.shares.add(share)
    return share, secret


async def shares_of(account_id: str, design_id: str, deps: DesignDeps) -> list[sharing.Share]:
    await _owned(account_id, design_id, deps)
    return await deps.shares.of_design(account_id, design_id)


async def revoke_share(
    account_id: str, design_id: str, share_id: str, deps: DesignDeps
) -> sharing.Share:
    """Stop a link at once (revoked again: as it was)."""
    await _owned(account_id, design_id, deps)
    share = await deps.shares.revoke(account_id, share_id, deps.clock.now())
    if share is None or share.design_id != design_id:
        raise DesignNotFound(f"no share link {share_id} of design {design_id}")
    return share


async def shared_design(secret: str, deps: DesignDeps) -> tuple[sharing.Share, model.DesignVersion]:
    """What a share link opens: its design version, while the link is neither expired nor
    revoked and the design not archived. Every other secret answers the same 404."""
    share = await deps.shares.by_digest(sharing.digest(secret))
    design = None
    if share is not None and share.open_at(deps.clock.now()):
        design = await deps.designs.get(share.design_id, share.version)
    chosen = design.version(share.version) if design is not None and share else None
    if share is None or design is None or chosen is None or design.status is DesignStatus.ARCHIVED:
        raise DesignNotFound("this share link does not exist, has expired or was revoked")
    return share, chosen


async def seed_gallery(seeds: list[tuple[str, DesignRequest]], deps: DesignDeps) -> int:
    """Publish the factory's own gallery designs (idempotent). Returns how many were added."""
    added = 0
    for design_id, request in seeds:
        if await deps.designs.get(design_id) is not None:
            continue
        spec = DesignSpec.model_validate(request.model_dump(exclude={"name"}))
        design = model.create_design(
            design_id=design_id,
            account_id=FACTORY_ACCOUNT,
            name=request.name,
            spec=spec,
            catalog=deps.catalog,
            now=deps.clock.now(),
            idempotency_key=f"seed:{design_id}",
            request_fingerprint="seed",
        )
        design.publish()
        stored = await deps.designs.add(design)
        added += stored is design
    return added
