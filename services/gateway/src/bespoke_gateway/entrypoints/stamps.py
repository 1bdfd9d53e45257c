"""Custom stamps: the brand's artwork, the factory's proof, the brand's answer
(`/api/v1/stamps`), and the factory's queue and moves (`/api/v1/ops/stamps`, operators).

Uploads stream through to the orders service (which owns a brand's labeling and its
stamps) as they arrive: the gateway never holds a file whole, and refuses one past the
limit before reading it when its Content-Length says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import JSONBody, Parameter
from litestar.response import Stream

from bespoke_contracts import StampStatus
from bespoke_contracts.api.stamps import (
    ARTWORK_MAX_BYTES,
    ChangesRequest,
    StampList,
    StampQuery,
    StampResponse,
    StampStatusRequest,
)
from bespoke_gateway.entrypoints.auth import authorize_operator
from bespoke_gateway.entrypoints.forwarding import (
    ID_PATTERN,
    OwningService,
    documented,
    owned_by,
    public_problems,
    query_parameter,
)

UPLOAD_LIMIT = ARTWORK_MAX_BYTES + 256 * 1024
"""One file of the largest size accepted, with its form's other fields and boundaries."""

StampPath = Annotated[
    str, Parameter(description="Stamp id, e.g. `stp_...`.", pattern=ID_PATTERN, max_length=100)
]
FileAnswer = Response[bytes] | Stream
"""A file streamed from the service, or its problem details."""


def multipart(
    file_field: str, described: str, required: tuple[str, ...] = (), **fields: Schema
) -> type[Operation]:
    """An operation whose request body is a multipart form: ``file_field`` (the file)
    and ``fields`` (``required`` among them). The route reads the raw stream (passed on
    unparsed), so its body is described here."""
    schema = Schema(
        type=OpenAPIType.OBJECT,
        properties={
            file_field: Schema(
                type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, description=described
            ),
            **fields,
        },
        required=[file_field, *required],
    )

    @dataclass
    class MultipartOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={"multipart/form-data": OpenAPIMediaType(schema=schema)}, required=True
            )

    return MultipartOperation


ARTWORK = "SVG, PDF or EPS, recognised by content, at most 10 MB."
KIND = Schema(
    type=OpenAPIType.STRING,
    enum=["insole", "sole"],
    description="`insole` (heat-embossed on leather) or `sole` (laser-engraved on rubber).",
)
FILE_PROBLEMS = public_problems(401, 404, 409, 413, 415, 422, 503)


def _file_response(description: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(None, description=description, media_type="application/octet-stream"),
        **public_problems(401, 404, 503),
    }


class StampsController(Controller):
    path = "/api/v1/stamps"
    tags = ["Stamps"]
    dependencies = {"upstream": owned_by("orders", "/internal/stamps")}

    @post(
        "/",
        operation_id="uploadStamp",
        summary="Send artwork for a new stamp",
        status_code=201,
        request_max_body_size=UPLOAD_LIMIT,
        operation_class=multipart("artwork", ARTWORK, ("kind",), kind=KIND),
        responses={
            201: documented(StampResponse, "The stamp, `artwork_received`."),
            **FILE_PROBLEMS,
        },
    )
    async def upload(self, upstream: OwningService) -> Response[bytes]:
        """Multipart `artwork` (the file) and `kind`. The file is recognised by its content,
        never its name: an SVG with scripts, event handlers, outside references or
        embedded images, or any other file, is `422` at `#/artwork` with each reason;
        colours and gradients are `warnings`. One stamp per kind: a second is `409`."""
        return await upstream.upload("/", UPLOAD_LIMIT)

    @get(
        "/",
        operation_id="listStamps",
        summary="The brand's stamps",
        responses={200: documented(StampList, "Newest first."), **public_problems(401, 503)},
    )
    async def list_stamps(self, upstream: OwningService) -> Response[bytes]:
        """Each stamp with its status, artwork, proof and history."""
        return await upstream.call("GET", "/")

    @get(
        "/{stamp_id:str}",
        operation_id="getStamp",
        summary="One stamp",
        responses={200: documented(StampResponse, "The stamp."), **public_problems(401, 404, 503)},
    )
    async def get_stamp(self, stamp_id: StampPath, upstream: OwningService) -> Response[bytes]:
        """The stamp: where it is, its files, who moved it when."""
        return await upstream.call("GET", f"/{stamp_id}")

    @get(
        "/{stamp_id:str}/artwork",
        operation_id="getStampArtwork",
        summary="A stamp's artwork",
        responses=_file_response("The brand's artwork, as an attachment."),
    )
    async def artwork(self, stamp_id: StampPath, upstream: OwningService) -> FileAnswer:
        """An attachment of the type its content is, never sniffed; an SVG comes with a
        `Content-Security-Policy: sandbox`, so it runs nothing in the backoffice."""
        return await upstream.download(f"/{stamp_id}/artwork")

    @get(
        "/{stamp_id:str}/proof",
        operation_id="getStampProof",
        summary="A stamp's proof",
        responses=_file_response("The factory's proof, as an attachment."),
    )
    async def proof(self, stamp_id: StampPath, upstream: OwningService) -> FileAnswer:
        """The factory's proof of size, position and orientation (PDF, PNG or SVG)."""
        return await upstream.download(f"/{stamp_id}/proof")

    @get(
        "/{stamp_id:str}/thumbnail",
        operation_id="getStampThumbnail",
        summary="A stamp's thumbnail",
        responses=_file_response("A PNG of SVG artwork."),
    )
    async def thumbnail(self, stamp_id: StampPath, upstream: OwningService) -> FileAnswer:
        """SVG artwork drawn as a PNG, for showing it."""
        return await upstream.download(f"/{stamp_id}/thumbnail")

    @post(
        "/{stamp_id:str}/artwork",
        operation_id="replaceArtwork",
        summary="Send new artwork",
        status_code=200,
        request_max_body_size=UPLOAD_LIMIT,
        operation_class=multipart("artwork", ARTWORK),
        responses={200: documented(StampResponse, "Back to `artwork_received`."), **FILE_PROBLEMS},
    )
    async def replace(self, stamp_id: StampPath, upstream: OwningService) -> Response[bytes]:
        """New artwork after asking for changes (or before the first proof); `409` while a
        proof waits for your answer, or once approved."""
        return await upstream.upload(f"/{stamp_id}/artwork", UPLOAD_LIMIT)

    @post(
        "/{stamp_id:str}/approve",
        operation_id="approveStamp",
        summary="Approve the proof",
        status_code=200,
        responses={
            200: documented(StampResponse, "`approved`."),
            **public_problems(401, 404, 409, 503),
        },
    )
    async def approve(self, stamp_id: StampPath, upstream: OwningService) -> Response[bytes]:
        """The proof is right: the stamp is made, and every paid order waiting for the
        brand's stamps launches once each of them is approved."""
        return await upstream.call("POST", f"/{stamp_id}/approve")

    @post(
        "/{stamp_id:str}/request-changes",
        operation_id="requestStampChanges",
        summary="Ask for changes to the proof",
        status_code=200,
        responses={
            200: documented(StampResponse, "`changes_requested`."),
            **public_problems(401, 404, 409, 503),
        },
    )
    async def request_changes(
        self, stamp_id: StampPath, data: JSONBody[ChangesRequest], upstream: OwningService
    ) -> Response[bytes]:
        """Say what to change (`comment`), then send new artwork."""
        return await upstream.call("POST", f"/{stamp_id}/request-changes", body=data)


def stamp_parameter(name: str) -> Any:
    return query_parameter(StampQuery, name)


class OpsStampsController(Controller):
    path = "/api/v1/ops/stamps"
    tags = ["Production"]
    guards = [authorize_operator]
    dependencies = {"upstream": owned_by("orders", "/internal/ops/stamps")}

    @get(
        "/",
        operation_id="stampQueue",
        summary="The factory's stamp queue",
        responses={
            200: documented(StampList, "Newest first."),
            **public_problems(400, 401, 403, 503),
        },
    )
    async def queue(
        self,
        upstream: OwningService,
        status: Annotated[StampStatus | None, stamp_parameter("status")] = None,
        account_id: Annotated[str | None, stamp_parameter("account_id")] = None,
        limit: Annotated[int, stamp_parameter("limit")] = 50,
        cursor: Annotated[str | None, stamp_parameter("cursor")] = None,
    ) -> Response[bytes]:
        """Every brand's stamps: `artwork_received` awaits a proof, `proof_sent` the brand."""
        query = StampQuery(status=status, account_id=account_id, limit=limit, cursor=cursor)
        return await upstream.call("GET", "/", params=query.as_params())

    @get(
        "/{stamp_id:str}",
        operation_id="getAnyStamp",
        summary="Any brand's stamp",
        responses={
            200: documented(StampResponse, "The stamp."),
            **public_problems(401, 403, 404, 503),
        },
    )
    async def get_stamp(self, stamp_id: StampPath, upstream: OwningService) -> Response[bytes]:
        return await upstream.call("GET", f"/{stamp_id}")

    @get(
        "/{stamp_id:str}/artwork",
        operation_id="getAnyStampArtwork",
        summary="Any brand's stamp artwork",
        responses=_file_response("The brand's artwork, as an attachment."),
    )
    async def artwork(self, stamp_id: StampPath, upstream: OwningService) -> FileAnswer:
        """The brand's artwork, to draw the proof from."""
        return await upstream.download(f"/{stamp_id}/artwork")

    @get(
        "/{stamp_id:str}/proof",
        operation_id="getAnyStampProof",
        summary="Any brand's stamp proof",
        responses=_file_response("The proof, as an attachment."),
    )
    async def proof_file(self, stamp_id: StampPath, upstream: OwningService) -> FileAnswer:
        return await upstream.download(f"/{stamp_id}/proof")

    @get(
        "/{stamp_id:str}/thumbnail",
        operation_id="getAnyStampThumbnail",
        summary="Any brand's stamp thumbnail",
        responses=_file_response("A PNG of SVG artwork."),
    )
    async def thumbnail(self, stamp_id: StampPath, upstream: OwningService) -> FileAnswer:
        return await upstream.download(f"/{stamp_id}/thumbnail")

    @post(
        "/{stamp_id:str}/proof",
        operation_id="sendProof",
        summary="Send the brand a proof",
        status_code=200,
        request_max_body_size=UPLOAD_LIMIT,
        operation_class=multipart(
            "proof",
            "PDF, PNG or SVG: the stamp's size, position and orientation.",
            note=Schema(
                type=OpenAPIType.STRING, max_length=1000, description="Shown with the proof."
            ),
        ),
        responses={
            200: documented(StampResponse, "`proof_sent`; the brand is emailed."),
            **FILE_PROBLEMS,
        },
    )
    async def proof(self, stamp_id: StampPath, upstream: OwningService) -> Response[bytes]:
        """Multipart `proof` and an optional `note`, for a stamp with new artwork (or a
        corrected proof the brand has not answered yet)."""
        return await upstream.upload(f"/{stamp_id}/proof", UPLOAD_LIMIT)

    @post(
        "/{stamp_id:str}/status",
        operation_id="moveStamp",
        summary="Move an approved stamp's mold on",
        status_code=200,
        responses={
            200: documented(StampResponse, "The stamp."),
            **public_problems(401, 403, 404, 409, 503),
        },
    )
    async def status(
        self, stamp_id: StampPath, data: JSONBody[StampStatusRequest], upstream: OwningService
    ) -> Response[bytes]:
        """`in_production` once approved, then `ready`; the brand is emailed."""
        return await upstream.call("POST", f"/{stamp_id}/status", body=data)
