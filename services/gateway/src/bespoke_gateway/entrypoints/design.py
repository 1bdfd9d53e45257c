"""Public design routes: the catalog, a brand's designs, the Get Inspired gallery, estimates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, Parameter, QueryParameter

from bespoke_contracts.api.design import (
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
from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.entrypoints.forwarding import (
    ID_PATTERN,
    DesignIdPath,
    IdempotencyKey,
    OwningService,
    documented,
    owned_by,
    passthrough,
    public_problems,
    query_parameter,
    require_key,
    respond,
)
from bespoke_platform.app import request_id


def designs_parameter(name: str, **constraints: Any) -> Any:
    return query_parameter(DesignListQuery, name, **constraints)


def gallery_parameter(name: str, **constraints: Any) -> Any:
    return query_parameter(GalleryQuery, name, **constraints)


View = Literal["side", "top"]
IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(name="If-None-Match", required=False, max_length=200, description="An ETag."),
]


PREVIEW_RESPONSES = {
    200: ResponseSpec(None, description="SVG, with an ETag.", media_type="image/svg+xml"),
    304: ResponseSpec(None, description="Not changed since the ETag sent."),
    **public_problems(401, 404),
}
"""What a drawing route answers."""


class CatalogController(Controller):
    path = "/api/v1/catalog"
    tags = ["Design"]
    dependencies = {"upstream": owned_by("design", "/internal/catalog")}

    @get(
        "/",
        operation_id="getCatalog",
        summary="The catalog",
        responses={
            200: ResponseSpec(
                dict[str, Any],
                description="The catalog (owned by the design service; see its fields below).",
                generate_examples=False,
            ),
            **public_problems(401, 503),
        },
    )
    async def catalog(self, upstream: OwningService) -> Response[bytes]:
        """Styles, constructions, shoe lasts (with EU size ranges), materials per part with
        colours, sole units, customizable elements, order types with their pair-count bands
        and price breaks, and the compatibility rules between them. Prices are per pair, in
        integer minor units of `currency`."""
        return await upstream.call("GET")


class DesignsController(Controller):
    path = "/api/v1/designs"
    tags = ["Design"]
    dependencies = {"upstream": owned_by("design", "/internal/designs")}

    @post(
        "/",
        operation_id="createDesign",
        summary="Create a design",
        status_code=201,
        responses={
            201: documented(DesignResponse, "The design at version 1, with its bill of materials."),
            200: documented(DesignResponse, "A retry: the design created earlier with this key."),
            **public_problems(401, 409, 422, 428, 503),
        },
    )
    async def create(
        self,
        data: JSONBody[DesignRequest],
        upstream: OwningService,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Create a design. A design that cannot be built is refused with 422 listing every
        conflict, each with a JSON pointer to its field."""
        return await upstream.call(
            "POST",
            body=data,
            idempotency_key=require_key(idempotency_key, "POST /designs"),
            created_at=(self.path, "id"),
        )

    @post(
        "/preview",
        operation_id="previewDesign",
        summary="Preview a design before saving it",
        status_code=200,
        responses={
            200: documented(
                DesignPreview, "Buildable or not (with every reason), materials and price."
            ),
            **public_problems(401, 422),
        },
    )
    async def preview(self, data: JSONBody[DesignSpec], upstream: OwningService) -> Response[bytes]:
        """What a specification would make at today's catalog, without saving anything:
        `buildable`, every `conflicts` entry (a JSON pointer and why), the bill of materials
        and the price per pair. The designing tool calls it as choices change."""
        return await upstream.call("POST", "/preview", body=data)

    @get(
        "/",
        operation_id="listDesigns",
        summary="List your designs",
        responses={
            200: documented(DesignList, "A page of designs, newest first."),
            **public_problems(400, 401),
        },
    )
    async def list_designs(
        self,
        upstream: OwningService,
        limit: Annotated[int, designs_parameter("limit", ge=1, le=100)] = 20,
        cursor: Annotated[str | None, designs_parameter("cursor")] = None,
        style: Annotated[str | None, designs_parameter("style")] = None,
        status: Annotated[str, designs_parameter("status")] = "active",
    ) -> Response[bytes]:
        """Your brand's designs (latest version of each), newest first, cursor-paginated."""
        query = DesignListQuery(limit=limit, cursor=cursor, style=style, status=status)
        return await upstream.call("GET", params=query.as_params())

    @get(
        "/{design_id:str}",
        operation_id="getDesign",
        summary="Read a design",
        responses={
            200: documented(DesignResponse, "The design version."),
            **public_problems(401, 404),
        },
    )
    async def get_design(
        self,
        design_id: DesignIdPath,
        upstream: OwningService,
        version: Annotated[
            int | None, QueryParameter(name="version", ge=1, description="Default: the latest.")
        ] = None,
    ) -> Response[bytes]:
        """A design version with its bill of materials and `bom_hash`."""
        return await upstream.call(
            "GET",
            f"/{design_id}",
            params={"version": version},
        )

    @get(
        "/{design_id:str}/preview.svg",
        operation_id="getDesignPreview",
        summary="The design drawn",
        responses=PREVIEW_RESPONSES,
    )
    async def preview_svg(
        self,
        design_id: DesignIdPath,
        upstream: OwningService,
        version: Annotated[
            int | None, QueryParameter(name="version", ge=1, description="Default: the latest.")
        ] = None,
        view: Annotated[View, QueryParameter(name="view", description="`side` or `top`.")] = "side",
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        """The design version drawn from its choices: style, parts in their materials'
        colours and textures, sole unit, construction, elements. The same version gives
        the same bytes: send its `ETag` back as `If-None-Match` for a `304`."""
        return await upstream.call(
            "GET",
            f"/{design_id}/preview.svg",
            params={"version": version, "view": view},
            headers={"If-None-Match": if_none_match} if if_none_match else None,
        )

    @post(
        "/{design_id:str}/share",
        operation_id="shareDesign",
        summary="Share a design version as a read-only page",
        status_code=201,
        responses={
            201: documented(ShareLink, "The link; its `url` (with the secret) is shown once."),
            **public_problems(401, 404, 409),
        },
    )
    async def share(
        self,
        design_id: DesignIdPath,
        upstream: OwningService,
        data: JSONBody[ShareRequest | None] = None,
    ) -> Response[bytes]:
        """A page of one design version (its drawings, materials and elements; never its
        price or anything else of the brand's) that opens without signing in, until it
        expires (default 30 days) or is revoked. Ordering from it needs signing in."""
        return await upstream.call("POST", f"/{design_id}/share", body=data)

    @get(
        "/{design_id:str}/shares",
        operation_id="listDesignShares",
        summary="A design's share links",
        responses={
            200: documented(ShareLinks, "Newest first, without their secrets."),
            **public_problems(401, 404),
        },
    )
    async def shares(self, design_id: DesignIdPath, upstream: OwningService) -> Response[bytes]:
        return await upstream.call("GET", f"/{design_id}/shares")

    @delete(
        "/{design_id:str}/shares/{share_id:str}",
        operation_id="revokeDesignShare",
        summary="Revoke a share link",
        status_code=200,
        responses={
            200: documented(ShareLink, "Revoked: it stops at once."),
            **public_problems(401, 404),
        },
    )
    async def revoke_share(
        self,
        design_id: DesignIdPath,
        share_id: Annotated[str, Parameter(pattern=ID_PATTERN, max_length=100)],
        upstream: OwningService,
    ) -> Response[bytes]:
        return await upstream.call("POST", f"/{design_id}/shares/{share_id}/revoke")

    @put(
        "/{design_id:str}",
        operation_id="updateDesign",
        summary="Change a design (new version)",
        responses={
            200: documented(DesignResponse, "The new version."),
            **public_problems(401, 404, 409, 412, 422),
        },
    )
    async def update(
        self,
        design_id: DesignIdPath,
        data: JSONBody[DesignRequest],
        upstream: OwningService,
        if_match: Annotated[
            str | None,
            HeaderParameter(
                name="If-Match",
                description='The version you edited, e.g. `"3"`; 412 if the design moved on.',
            ),
        ] = None,
    ) -> Response[bytes]:
        """Replace the design's specification. Versions are immutable: this makes a new one;
        orders keep pointing at the version they were checked out with."""
        return await upstream.call(
            "PUT",
            f"/{design_id}",
            body=data,
            headers={"If-Match": if_match} if if_match else None,
        )

    @post(
        "/{design_id:str}/archive",
        operation_id="archiveDesign",
        summary="Archive a design",
        status_code=200,
        responses={
            200: documented(DesignResponse, "The archived design."),
            **public_problems(401, 404),
        },
    )
    async def archive(self, design_id: DesignIdPath, upstream: OwningService) -> Response[bytes]:
        """Hide a design from your active designs and the gallery. It stays readable, with all
        its versions; clone it to use it again."""
        return await upstream.call("POST", f"/{design_id}/archive")

    @post(
        "/{design_id:str}/publish",
        operation_id="publishDesign",
        summary="Show a design in the gallery",
        status_code=200,
        responses={
            200: documented(DesignResponse, "The design."),
            **public_problems(401, 404, 409),
        },
    )
    async def publish(self, design_id: DesignIdPath, upstream: OwningService) -> Response[bytes]:
        """Publish your design in the Get Inspired gallery, where any brand can clone it."""
        return await upstream.call("POST", f"/{design_id}/publish")

    @post(
        "/{design_id:str}/unpublish",
        operation_id="unpublishDesign",
        summary="Take a design out of the gallery",
        status_code=200,
        responses={200: documented(DesignResponse, "The design."), **public_problems(401, 404)},
    )
    async def unpublish(self, design_id: DesignIdPath, upstream: OwningService) -> Response[bytes]:
        """Remove your design from the Get Inspired gallery (clones already made stay)."""
        return await upstream.call("POST", f"/{design_id}/unpublish")


class GalleryController(Controller):
    path = "/api/v1/gallery"
    tags = ["Design"]
    dependencies = {"upstream": owned_by("design", "/internal/gallery")}

    @get(
        "/",
        operation_id="browseGallery",
        summary="Browse the Get Inspired gallery",
        responses={
            200: documented(DesignList, "A page of published designs."),
            **public_problems(400, 401),
        },
    )
    async def browse(
        self,
        upstream: OwningService,
        limit: Annotated[int, gallery_parameter("limit", ge=1, le=100)] = 20,
        cursor: Annotated[str | None, gallery_parameter("cursor")] = None,
        style: Annotated[str | None, gallery_parameter("style")] = None,
        construction: Annotated[str | None, gallery_parameter("construction")] = None,
    ) -> Response[bytes]:
        """Published designs, from the factory and other brands, to clone as a start."""
        query = GalleryQuery(limit=limit, cursor=cursor, style=style, construction=construction)
        return await upstream.call("GET", params=query.as_params())

    @get(
        "/{design_id:str}/preview.svg",
        operation_id="getGalleryPreview",
        summary="A gallery design drawn",
        responses=PREVIEW_RESPONSES,
    )
    async def preview_svg(
        self,
        design_id: DesignIdPath,
        upstream: OwningService,
        view: Annotated[View, QueryParameter(name="view", description="`side` or `top`.")] = "side",
        if_none_match: IfNoneMatch = None,
    ) -> Response[bytes]:
        """A published design's latest version drawn, as `GET /designs/{id}/preview.svg`."""
        return await upstream.call(
            "GET",
            f"/{design_id}/preview.svg",
            params={"view": view},
            headers={"If-None-Match": if_none_match} if if_none_match else None,
        )

    @post(
        "/{design_id:str}/clone",
        operation_id="cloneGalleryDesign",
        summary="Clone a gallery design",
        status_code=201,
        responses={
            201: documented(DesignResponse, "Your new design (version 1)."),
            200: documented(DesignResponse, "A retry: the clone made earlier with this key."),
            **public_problems(401, 404, 409, 422, 428),
        },
    )
    async def clone(
        self,
        design_id: DesignIdPath,
        upstream: OwningService,
        idempotency_key: IdempotencyKey = None,
        data: JSONBody[CloneRequest | None] = None,
    ) -> Response[bytes]:
        """Copy a gallery design's latest version into a new design owned by your brand."""
        return await upstream.call(
            "POST",
            f"/{design_id}/clone",
            body=data or CloneRequest(),
            idempotency_key=require_key(idempotency_key, "POST /gallery/{id}/clone"),
            created_at=("/api/v1/designs", "id"),
        )


class EstimatesController(Controller):
    path = "/api/v1/estimates"
    tags = ["Design"]
    dependencies = {"upstream": owned_by("design", "/internal/estimates")}

    @post(
        "/",
        operation_id="estimateOrder",
        summary="Price a prospective order",
        status_code=200,
        responses={
            200: documented(Estimate, "The price."),
            **public_problems(401, 404, 409, 422),
        },
    )
    async def estimate(
        self, data: JSONBody[EstimateRequest], upstream: OwningService
    ) -> Response[bytes]:
        """The manufacturing price of an order of one of your design versions, without
        creating anything: `per_pair` after the order type's price break, `manufacturing`
        for all pairs. Pairs must fit the order type's band; sizes must exist on the last."""
        return await upstream.call("POST", body=data)


SECRET_PATTERN = r"^[A-Za-z0-9_-]{20,100}$"  # noqa: S105 - what a link's secret looks like


class SharedDesignController(Controller):
    """What a share link opens, for anyone holding it: no credential (the link's secret
    is the proof), rate-limited per address like every route."""

    path = "/api/v1/shared"
    tags = ["Designs"]

    @get(
        "/{secret:str}",
        operation_id="getSharedDesign",
        summary="A shared design (no sign-in)",
        security=[],
        responses={
            200: documented(SharedDesign, "The design version and its drawings."),
            **public_problems(404, 503),
        },
    )
    async def shared(
        self,
        secret: Annotated[str, Parameter(pattern=SECRET_PATTERN, max_length=100)],
        request: Request[Any, Any, Any],
        state: State,
    ) -> Response[bytes]:
        """The page's data: name, version, style, construction, sole unit, materials,
        elements, side and top drawings, when the link expires. A secret that is not a
        live link's (made up, expired, revoked) is `404`, the same for all."""
        runtime: GatewayRuntime = state.runtime
        upstream = await runtime.design.request(
            "GET", f"/internal/shared/{secret}", account_id="", request_id=request_id(request)
        )
        return respond(passthrough(upstream, request))
