"""The orders service's internal HTTP API of custom stamps: the brand's side and the
factory's (operators only)."""

from __future__ import annotations

from typing import Annotated, Any, BinaryIO, Literal, cast

from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from litestar.response import Stream

from bespoke_contracts import StampKind
from bespoke_contracts.api.stamps import (
    ARTWORK_MAX_BYTES,
    Artwork,
    ChangesRequest,
    Proof,
    StampChange,
    StampList,
    StampQuery,
    StampResponse,
    StampStatusRequest,
)
from bespoke_orders.bootstrap import OrdersRuntime
from bespoke_orders.domain.errors import ArtworkRefused
from bespoke_orders.domain.stamps import Stamp, StoredFile
from bespoke_orders.service_layer import stamps as use
from bespoke_orders.service_layer.ports import FileDownload
from bespoke_platform.app import AccountId, Actor, RequestId, operators_only, query_model

StampIdPath = Annotated[str, Parameter(description="e.g. `stp_...`")]

UPLOAD_LIMIT = ARTWORK_MAX_BYTES + 256 * 1024
"""A request carrying one file of the largest size accepted, with its form's other
fields and boundaries; anything larger is refused (413) before it is parsed."""


def _stored(f: StoredFile) -> dict[str, Any]:
    return {
        "filename": f.filename,
        "content_type": f.content_type,
        "bytes": f.size,
        "sha256": f.sha256,
        "uploaded_at": f.uploaded_at,
        "uploaded_by": f.uploaded_by,
    }


def stamp_response(stamp: Stamp) -> StampResponse:
    return StampResponse(
        id=stamp.stamp_id,
        account_id=stamp.account_id,
        kind=stamp.kind,
        status=stamp.status,
        artwork=Artwork(
            **_stored(stamp.artwork),
            warnings=list(stamp.artwork.warnings),
            thumbnail=stamp.artwork.thumbnail_id is not None,
        ),
        proof=Proof(**_stored(stamp.proof), note=stamp.proof.note) if stamp.proof else None,
        comment=stamp.comment,
        history=[
            StampChange(status=h.status, at=h.at, actor=h.actor, comment=h.comment)
            for h in stamp.history
        ],
        created_at=stamp.created_at,
        updated_at=stamp.updated_at,
    )


async def _form(
    request: Request[Any, Any, Any], file_field: str
) -> tuple[use.Upload, dict[str, str]]:
    """The multipart form: its one file (spooled to disk past 1 MB as it streams in) and
    its text fields. A form without the file is refused at the file's pointer."""
    form = await request.form()
    upload = form.get(file_field)
    if not isinstance(upload, UploadFile):
        raise ArtworkRefused(
            [f"send the file as the multipart field `{file_field}`"], f"#/{file_field}"
        )
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    # A SpooledTemporaryFile: a binary file, though typeshed does not call it one.
    return use.Upload(cast(BinaryIO, upload.file), upload.filename or file_field), fields


def _text(fields: dict[str, str], name: str, limit: int) -> str | None:
    value = fields.get(name, "").strip()
    if len(value) > limit:
        raise ArtworkRefused([f"`{name}` is at most {limit} characters"], f"#/{name}")
    return value or None


def download(file: FileDownload, name: str) -> Stream:
    """A stored file as an attachment, streamed. The browser must neither guess its type
    nor run anything in it: an SVG comes sandboxed (no script, no same origin)."""
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Length": str(file.size),
        "Cache-Control": "private, no-store",
    }
    if file.content_type == "image/svg+xml":
        headers["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        )
    return Stream(file.chunks, media_type=file.content_type, headers=headers)


async def _download(account_id: str | None, stamp_id: str, which: FileKind, state: State) -> Stream:
    found = await use.open_file(account_id, stamp_id, which, _runtime(state).deps)
    return download(found, found.filename)


FileKind = Literal["artwork", "proof", "thumbnail"]


def _runtime(state: State) -> OrdersRuntime:
    runtime: OrdersRuntime = state.runtime
    return runtime


class StampsController(Controller):
    """A brand's stamps."""

    path = "/internal/stamps"
    tags = ["stamps"]

    @post(
        "/",
        operation_id="uploadStamp",
        status_code=201,
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> StampResponse:
        """A new stamp from its artwork (multipart `artwork`, `kind`)."""
        upload, fields = await _form(request, "artwork")
        kind = fields.get("kind", "")
        if kind not in StampKind.__members__.values():
            raise ArtworkRefused(["`kind` is `insole` or `sole`"], "#/kind")
        stamp = await use.upload_stamp(
            account_id,
            StampKind(kind),
            upload,
            actor,
            request_id or "unknown",
            _runtime(state).deps,
        )
        return stamp_response(stamp)

    @get("/", operation_id="listStamps")
    async def list_stamps(self, state: State, account_id: AccountId) -> StampList:
        """The brand's stamps, newest first."""
        items = await _runtime(state).deps.stamps.for_brand(account_id)
        return StampList(items=[stamp_response(s) for s in items], next_cursor=None)

    @get("/{stamp_id:str}", operation_id="getStamp")
    async def get_stamp(
        self, stamp_id: StampIdPath, state: State, account_id: AccountId
    ) -> StampResponse:
        return stamp_response(await use.get_stamp(account_id, stamp_id, _runtime(state).deps))

    @get("/{stamp_id:str}/artwork", operation_id="getStampArtwork")
    async def artwork(self, stamp_id: StampIdPath, state: State, account_id: AccountId) -> Stream:
        """The stamp's files, each as an attachment: its artwork, the factory's proof, a
        PNG thumbnail of SVG artwork."""
        return await _download(account_id, stamp_id, "artwork", state)

    @get("/{stamp_id:str}/proof", operation_id="getStampProof")
    async def proof(self, stamp_id: StampIdPath, state: State, account_id: AccountId) -> Stream:
        return await _download(account_id, stamp_id, "proof", state)

    @get("/{stamp_id:str}/thumbnail", operation_id="getStampThumbnail")
    async def thumbnail(self, stamp_id: StampIdPath, state: State, account_id: AccountId) -> Stream:
        return await _download(account_id, stamp_id, "thumbnail", state)

    @post(
        "/{stamp_id:str}/artwork",
        operation_id="replaceArtwork",
        status_code=200,
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def replace(
        self,
        stamp_id: StampIdPath,
        request: Request[Any, Any, Any],
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> StampResponse:
        """New artwork after changes were asked: back to `artwork_received`."""
        upload, _ = await _form(request, "artwork")
        stamp = await use.replace_artwork(
            account_id, stamp_id, upload, actor, request_id or "unknown", _runtime(state).deps
        )
        return stamp_response(stamp)

    @post("/{stamp_id:str}/approve", operation_id="approveStamp", status_code=200)
    async def approve(
        self,
        stamp_id: StampIdPath,
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> StampResponse:
        """The brand approves the proof; its orders waiting for it launch."""
        stamp = await use.approve(
            account_id, stamp_id, actor, request_id or "unknown", _runtime(state).deps
        )
        return stamp_response(stamp)

    @post("/{stamp_id:str}/request-changes", operation_id="requestStampChanges", status_code=200)
    async def request_changes(
        self,
        stamp_id: StampIdPath,
        data: JSONBody[ChangesRequest],
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> StampResponse:
        """The brand asks for changes to the proof."""
        stamp = await use.request_changes(
            account_id, stamp_id, data.comment, actor, request_id or "unknown", _runtime(state).deps
        )
        return stamp_response(stamp)


class StampQueueController(Controller):
    """The factory's side of stamps: every brand's, for operators only."""

    path = "/internal/ops/stamps"
    tags = ["stamps"]
    guards = [operators_only]

    @get("/", operation_id="stampQueue", dependencies={"stamp_query": query_model(StampQuery)})
    async def queue(self, state: State, stamp_query: NamedDependency[StampQuery]) -> StampList:
        """Stamps of every brand, newest first, by status and brand."""
        query = stamp_query
        page = await use.stamp_queue(
            query.status, query.account_id, query.limit, query.cursor, _runtime(state).deps
        )
        return StampList(
            items=[stamp_response(s) for s in page.items], next_cursor=page.next_cursor
        )

    @get("/{stamp_id:str}", operation_id="getAnyStamp")
    async def get_stamp(self, stamp_id: StampIdPath, state: State) -> StampResponse:
        return stamp_response(await use.get_stamp(None, stamp_id, _runtime(state).deps))

    @get("/{stamp_id:str}/artwork", operation_id="getAnyStampArtwork")
    async def artwork(self, stamp_id: StampIdPath, state: State) -> Stream:
        return await _download(None, stamp_id, "artwork", state)

    @get("/{stamp_id:str}/proof", operation_id="getAnyStampProof")
    async def proof_file(self, stamp_id: StampIdPath, state: State) -> Stream:
        return await _download(None, stamp_id, "proof", state)

    @get("/{stamp_id:str}/thumbnail", operation_id="getAnyStampThumbnail")
    async def thumbnail(self, stamp_id: StampIdPath, state: State) -> Stream:
        return await _download(None, stamp_id, "thumbnail", state)

    @post(
        "/{stamp_id:str}/proof",
        operation_id="sendProof",
        status_code=200,
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def proof(
        self,
        stamp_id: StampIdPath,
        request: Request[Any, Any, Any],
        state: State,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> StampResponse:
        """The factory's proof (multipart `proof`, optional `note`): the brand is emailed."""
        upload, fields = await _form(request, "proof")
        stamp = await use.send_proof(
            stamp_id,
            upload,
            _text(fields, "note", 1000),
            actor,
            request_id or "unknown",
            _runtime(state).deps,
        )
        return stamp_response(stamp)

    @post("/{stamp_id:str}/status", operation_id="moveStamp", status_code=200)
    async def status(
        self,
        stamp_id: StampIdPath,
        data: JSONBody[StampStatusRequest],
        state: State,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> StampResponse:
        """The mold: `in_production`, then `ready`."""
        stamp = await use.advance(
            stamp_id, data.status, actor, request_id or "unknown", _runtime(state).deps
        )
        return stamp_response(stamp)
