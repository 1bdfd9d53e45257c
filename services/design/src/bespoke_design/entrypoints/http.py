"""The design service's internal HTTP API (called by the gateway and the orders service)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Litestar, Response, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, Parameter, QueryParameter

from bespoke_contracts.api.design import (
    ClonedFrom,
    CloneRequest,
    DesignList,
    DesignListQuery,
    DesignPreview,
    DesignRequest,
    DesignResponse,
    DesignSpec,
    Estimate,
    EstimateRequest,
    GalleryQuery,
    SharedDesign,
    ShareLink,
    ShareLinks,
    ShareRequest,
)
from bespoke_design.bootstrap import DesignRuntime, bootstrap
from bespoke_design.domain import drawing, errors
from bespoke_design.domain.model import Design
from bespoke_design.domain.sharing import Share
from bespoke_design.service_layer import handlers
from bespoke_platform.app import AccountId, Actor, query_model, service_app
from bespoke_platform.credentials import verifier_from

IdempotencyKey = Annotated[
    str, HeaderParameter(name="Idempotency-Key", min_length=1, max_length=200)
]
Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=100)]
DesignId = Annotated[str, Parameter(description="Design id.")]
Cursor = Annotated[str | None, QueryParameter(name="cursor")]


def design_response(design: Design, version: int | None = None) -> DesignResponse:
    chosen = design.version(version) if version is not None else design.latest
    if chosen is None:
        raise errors.DesignNotFound(
            f"design {design.id} has no version {version} (latest: {design.latest.version})"
        )
    return DesignResponse(
        **chosen.spec.model_dump(),
        id=design.id,
        version=chosen.version,
        latest_version=design.latest.version,
        name=chosen.name,
        status=design.status,
        published=design.published,
        shoe_last=chosen.shoe_last,
        bill_of_materials=chosen.bill_of_materials,
        bom_hash=chosen.bom_hash,
        price_per_pair=chosen.price_per_pair,
        currency=chosen.currency,
        catalog_version=chosen.catalog_version,
        cloned_from=(
            ClonedFrom(design_id=design.cloned_from.design_id, version=design.cloned_from.version)
            if design.cloned_from
            else None
        ),
        created_at=design.created_at,
        updated_at=chosen.created_at,
        updated_by=chosen.created_by,
    )


def _page(page: handlers.Page) -> DesignList:
    return DesignList(items=[design_response(d) for d in page.items], next_cursor=page.next_cursor)


def _created(design: Design, created: bool) -> Response[DesignResponse]:
    return Response(
        design_response(design),
        status_code=201 if created else 200,
        headers={"Idempotent-Replayed": "false" if created else "true"},
    )


class DesignsController(Controller):
    path = "/internal"

    @get("/catalog")
    async def catalog(self, state: State) -> dict[str, Any]:
        runtime: DesignRuntime = state.runtime
        catalog = runtime.deps.catalog
        return {**catalog.model_dump(mode="json"), "compatibility": catalog.compatibility()}

    @post("/designs", status_code=201)
    async def create(
        self,
        data: JSONBody[DesignRequest],
        state: State,
        account_id: AccountId,
        key: IdempotencyKey,
        actor: Actor = None,
    ) -> Response[DesignResponse]:
        runtime: DesignRuntime = state.runtime
        return _created(*await handlers.create_design(account_id, key, data, runtime.deps, actor))

    @get("/designs", dependencies={"listing": query_model(DesignListQuery)})
    async def list_designs(
        self, state: State, account_id: AccountId, listing: NamedDependency[DesignListQuery]
    ) -> DesignList:
        runtime: DesignRuntime = state.runtime
        status_filter = None if listing.status == "all" else listing.status
        page = await handlers.list_designs(
            account_id, status_filter, listing.style, listing.limit, listing.cursor, runtime.deps
        )
        return _page(page)

    @get("/designs/{design_id:str}")
    async def get_design(
        self,
        design_id: DesignId,
        state: State,
        account_id: AccountId,
        version: Annotated[int | None, QueryParameter(name="version", ge=1)] = None,
    ) -> DesignResponse:
        runtime: DesignRuntime = state.runtime
        return design_response(
            await handlers.get_design(account_id, design_id, runtime.deps, version), version
        )

    @put("/designs/{design_id:str}")
    async def update(
        self,
        design_id: DesignId,
        data: JSONBody[DesignRequest],
        state: State,
        account_id: AccountId,
        if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
        actor: Actor = None,
    ) -> DesignResponse:
        runtime: DesignRuntime = state.runtime
        based_on = _version_from_etag(if_match)
        design = await handlers.update_design(
            account_id, design_id, data, runtime.deps, based_on, actor
        )
        return design_response(design)

    @post("/designs/{design_id:str}/archive", status_code=200)
    async def archive(
        self, design_id: DesignId, state: State, account_id: AccountId
    ) -> DesignResponse:
        runtime: DesignRuntime = state.runtime
        return design_response(await handlers.archive_design(account_id, design_id, runtime.deps))

    @post("/designs/{design_id:str}/publish", status_code=200)
    async def publish(
        self, design_id: DesignId, state: State, account_id: AccountId
    ) -> DesignResponse:
        runtime: DesignRuntime = state.runtime
        return design_response(
            await handlers.publish_design(account_id, design_id, True, runtime.deps)
        )

    @post("/designs/{design_id:str}/unpublish", status_code=200)
    async def unpublish(
        self, design_id: DesignId, state: State, account_id: AccountId
    ) -> DesignResponse:
        runtime: DesignRuntime = state.runtime
        return design_response(
            await handlers.publish_design(account_id, design_id, False, runtime.deps)
        )

    @get("/gallery", dependencies={"listing": query_model(GalleryQuery)})
    async def gallery(self, state: State, listing: NamedDependency[GalleryQuery]) -> DesignList:
        runtime: DesignRuntime = state.runtime
        found = await handlers.gallery(
            listing.style, listing.construction, listing.limit, listing.cursor, runtime.deps
        )
        return _page(found)

    @post("/gallery/{design_id:str}/clone", status_code=201)
    async def clone(
        self,
        design_id: DesignId,
        state: State,
        account_id: AccountId,
        key: IdempotencyKey,
        data: JSONBody[CloneRequest | None] = None,
        actor: Actor = None,
    ) -> Response[DesignResponse]:
        runtime: DesignRuntime = state.runtime
        name = data.name if data is not None else None
        return _created(
            *await handlers.clone(account_id, key, design_id, name, runtime.deps, actor)
        )

    @get("/designs/{design_id:str}/preview.svg", media_type="image/svg+xml")
    async def design_drawing(
        self,
        design_id: DesignId,
        state: State,
        account_id: AccountId,
        version: Annotated[int | None, QueryParameter(name="version", ge=1)] = None,
        view: Annotated[ViewName, QueryParameter(name="view")] = "side",
        if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
    ) -> Response[bytes]:
        """A design version drawn (its latest when no version is asked)."""
        runtime: DesignRuntime = state.runtime
        svg = await handlers.design_drawing(account_id, design_id, version, view, runtime.deps)
        return svg_response(svg, if_none_match)

    @get("/gallery/{design_id:str}/preview.svg", media_type="image/svg+xml")
    async def gallery_drawing(
        self,
        design_id: DesignId,
        state: State,
        view: Annotated[ViewName, QueryParameter(name="view")] = "side",
        if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
    ) -> Response[bytes]:
        """A gallery design drawn."""
        runtime: DesignRuntime = state.runtime
        return svg_response(
            await handlers.gallery_drawing(design_id, view, runtime.deps), if_none_match
        )

    @post("/designs/{design_id:str}/share", status_code=201)
    async def share(
        self,
        design_id: DesignId,
        state: State,
        account_id: AccountId,
        data: JSONBody[ShareRequest | None] = None,
        actor: Actor = None,
    ) -> ShareLink:
        """A read-only link to a design version; its secret is in `url`, shown once."""
        runtime: DesignRuntime = state.runtime
        asked = data or ShareRequest()
        share, secret = await handlers.share_design(
            account_id, design_id, asked.version, asked.expires_in_days, runtime.deps, actor
        )
        base = runtime.settings.backoffice_url.rstrip("/")
        return share_link(share, f"{base}/share/{secret}")

    @get("/designs/{design_id:str}/shares")
    async def shares(self, design_id: DesignId, state: State, account_id: AccountId) -> ShareLinks:
        runtime: DesignRuntime = state.runtime
        found = await handlers.shares_of(account_id, design_id, runtime.deps)
        return ShareLinks(items=[share_link(s) for s in found])

    @post("/designs/{design_id:str}/shares/{share_id:str}/revoke", status_code=200)
    async def revoke(
        self, design_id: DesignId, share_id: FromPath[str], state: State, account_id: AccountId
    ) -> ShareLink:
        runtime: DesignRuntime = state.runtime
        return share_link(
            await handlers.revoke_share(account_id, design_id, share_id, runtime.deps)
        )

    @get("/shared/{secret:str}")
    async def shared(self, secret: FromPath[str], state: State) -> SharedDesign:
        """What a share link shows (asked by the gateway for a visitor: no brand)."""
        runtime: DesignRuntime = state.runtime
        share, version = await handlers.shared_design(secret, runtime.deps)
        spec = version.spec
        return SharedDesign(
            design_id=share.design_id,
            name=version.name,
            version=version.version,
            style=spec.style,
            construction=spec.construction,
            sole_unit=spec.sole_unit,
            materials=spec.materials,
            elements=spec.elements,
            side_svg=handlers.drawing_of(spec, version.name, "side", runtime.deps),
            top_svg=handlers.drawing_of(spec, version.name, "top", runtime.deps),
            expires_at=share.expires_at,
        )

    @post("/designs/preview", status_code=200)
    async def preview(self, data: JSONBody[DesignSpec], state: State) -> DesignPreview:
        runtime: DesignRuntime = state.runtime
        return handlers.preview(data, runtime.deps)

    @post("/estimates", status_code=200)
    async def estimate(
        self, data: JSONBody[EstimateRequest], state: State, account_id: AccountId
    ) -> Estimate:
        runtime: DesignRuntime = state.runtime
        return await handlers.estimate(account_id, data, runtime.deps)


ViewName = Literal["side", "top"]


def share_link(share: Share, url: str | None = None) -> ShareLink:
    return ShareLink(
        id=share.share_id,
        design_id=share.design_id,
        version=share.version,
        url=url,
        created_at=share.created_at,
        created_by=share.created_by,
        expires_at=share.expires_at,
        revoked_at=share.revoked_at,
    )


def svg_response(svg: str, if_none_match: str | None) -> Response[bytes]:
    """A drawing, with its ETag: asked again with it, ``304`` and no body. Revalidated
    on each use (a new catalog edition may draw it anew)."""
    tag = drawing.etag(svg)
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and tag in {t.strip() for t in if_none_match.split(",")}:
        return Response(b"", status_code=304, headers=headers, media_type="image/svg+xml")
    return Response(svg.encode(), media_type="image/svg+xml", headers=headers)


def _version_from_etag(if_match: str | None) -> int | None:
    if not if_match:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise errors.StaleDesignVersion(
            f'If-Match must be the design version you edited, e.g. "3"; got {if_match!r}'
        )
    return int(value)


def create_app(runtime: DesignRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        credentials=verifier_from("design", runtime.settings.trusted_keys),
        route_handlers=[DesignsController],
        state={"runtime": runtime},
        on_startup=[runtime.start],
        domain_errors={
            errors.UnbuildableDesign: 422,
            errors.InvalidEstimate: 422,
            errors.DesignNotFound: 404,
            errors.DesignArchived: 409,
            errors.StaleDesignVersion: 412,
            errors.InvalidCursor: 400,
            drawing.Undrawable: 422,
        },
    )
