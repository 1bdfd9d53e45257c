"""Use cases of a brand's custom stamps: its artwork, the factory's proof, the brand's
answer, the mold; and the paid orders that wait for them (released when the stamps are
approved, or unlabeled once the hold runs out)."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Literal

from bespoke_contracts import HoldReason, OrderStatus, ProductionStage, StampKind, StampStatus
from bespoke_contracts import order_sequence as sequence_of
from bespoke_contracts.api.stamps import ARTWORK_MAX_BYTES
from bespoke_orders.domain import model, stamps
from bespoke_orders.domain.errors import (
    ConcurrentChange,
    FileTooLarge,
    InvalidCursor,
    StampExists,
    StampNotFound,
)
from bespoke_orders.domain.stamps import Stamp, StoredFile
from bespoke_orders.service_layer.handlers import (
    MAX_CHANGE_ATTEMPTS,
    OrdersDeps,
    changed_order,
    get_any_order,
)
from bespoke_orders.service_layer.ports import FileDownload, OrderQuery, Recognition
from bespoke_platform.concurrency import change_with_retries

log = logging.getLogger(__name__)

HOLD_BATCH = 100


@dataclass(frozen=True)
class Upload:
    """A file as the brand or the factory sent it (spooled to disk past a size, by the
    HTTP layer): its content is what counts, its name is kept for downloads."""

    file: BinaryIO
    filename: str


def _size(upload: Upload) -> int:
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


async def _store(
    upload: Upload,
    recognise: Callable[[BinaryIO], Recognition],
    account_id: str,
    actor: str | None,
    deps: OrdersDeps,
    note: str | None = None,
) -> StoredFile:
    """Check the file by its content (off the event loop: parsing takes CPU), then
    stream it into the store; an SVG also gets its PNG thumbnail. Nothing is stored for
    a file refused."""
    size = _size(upload)
    if size > ARTWORK_MAX_BYTES:
        raise FileTooLarge(
            f"the file is {size} bytes; files up to {ARTWORK_MAX_BYTES} bytes (10 MB) are accepted"
        )
    found = await asyncio.to_thread(recognise, upload.file)
    name = _safe_name(upload.filename)
    blob = await deps.files.put(
        upload.file, name, found.content_type, {"account_id": account_id, "by": actor}
    )
    thumbnail = None
    if found.content_type == "image/svg+xml":
        upload.file.seek(0)
        svg = await asyncio.to_thread(upload.file.read)
        try:
            png = await asyncio.to_thread(deps.inspector.thumbnail, svg)
        except Exception as error:  # a drawing the renderer cannot handle: no preview
            log.warning("no thumbnail for %s: %s", blob.file_id, error)
        else:
            thumbnail = (
                await deps.files.put(
                    io.BytesIO(png), f"{name}.png", "image/png", {"thumbnail_of": blob.file_id}
                )
            ).file_id
    return StoredFile(
        blob.file_id,
        name,
        found.content_type,
        blob.size,
        blob.sha256,
        deps.clock.now(),
        actor,
        tuple(found.warnings),
        thumbnail,
        note,
    )


def _safe_name(filename: str) -> str:
    """The name to offer downloads under: no path, no quotes or control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>;').strip()
    return cleaned[:120] or "artwork"


async def _forget(stored: StoredFile, deps: OrdersDeps) -> None:
    await deps.files.delete(stored.file_id)
    if stored.thumbnail_id:
        await deps.files.delete(stored.thumbnail_id)


async def contact_email(account_id: str, deps: OrdersDeps) -> str | None:
    """Where the brand hears about its stamps: its latest order's billing email."""
    latest = await deps.orders.find(OrderQuery(account_id=account_id, limit=1))
    return str(latest[0].billing.email) if latest else None


async def upload_stamp(
    account_id: str,
    kind: StampKind,
    upload: Upload,
    actor: str | None,
    request_id: str,
    deps: OrdersDeps,
) -> Stamp:
    """A brand's first artwork for a kind of stamp: ``artwork_received``. One stamp per
    kind: a second upload (or a retry after a lost answer) is 409 naming the stamp."""
    existing = await deps.stamps.of_kind(account_id, kind)
    if existing is not None:
        raise StampExists(
            f"your brand has a {kind.value} stamp already ({existing.stamp_id}); send new "
            f"artwork to POST /api/v1/stamps/{existing.stamp_id}/artwork",
            stamp_id=existing.stamp_id,
        )
    artwork = await _store(upload, deps.inspector.artwork, account_id, actor, deps)
    stamp = stamps.receive(
        stamps.new_stamp_id(),
        account_id,
        kind,
        artwork,
        actor,
        deps.clock.now(),
        request_id,
        await contact_email(account_id, deps),
    )
    try:
        await deps.stamps.add(stamp)
    except Exception:
        await _forget(artwork, deps)
        raise
    return stamp


async def get_stamp(account_id: str | None, stamp_id: str, deps: OrdersDeps) -> Stamp:
    """One of the brand's stamps (any brand's, for operators: ``account_id`` None)."""
    stamp = await deps.stamps.get_any(stamp_id)
    if stamp is None or (account_id is not None and stamp.account_id != account_id):
        raise StampNotFound(f"no stamp {stamp_id} for this brand")
    return stamp


async def _change_stamp(
    account_id: str | None,
    stamp_id: str,
    apply: Callable[[Stamp], bool],
    deps: OrdersDeps,
) -> Stamp:
    stamp = await change_with_retries(
        lambda: get_stamp(account_id, stamp_id, deps),
        apply,
        deps.stamps.save,
        ConcurrentChange,
        MAX_CHANGE_ATTEMPTS,
    )
    assert stamp is not None  # `get_stamp` raises when there is none
    return stamp


async def replace_artwork(
    account_id: str,
    stamp_id: str,
    upload: Upload,
    actor: str | None,
    request_id: str,
    deps: OrdersDeps,
) -> Stamp:
    """New artwork, after the brand asked for changes (or before the first proof): back
    to ``artwork_received``. Refused (409) while a proof waits for an answer or once
    approved; a refused file is never stored."""
    return await _with_file(
        account_id,
        stamp_id,
        StampStatus.ARTWORK_RECEIVED,
        upload,
        None,
        lambda stamp, artwork, email: stamp.new_artwork(
            artwork, actor, deps.clock.now(), request_id, email
        ),
        actor,
        deps,
    )


async def send_proof(
    stamp_id: str,
    upload: Upload,
    note: str | None,
    actor: str | None,
    request_id: str,
    deps: OrdersDeps,
) -> Stamp:
    """The factory's proof (PDF, PNG or SVG): ``proof_sent``, and the brand is emailed."""
    return await _with_file(
        None,
        stamp_id,
        StampStatus.PROOF_SENT,
        upload,
        note,
        lambda stamp, proof, email: stamp.send_proof(
            proof, actor, deps.clock.now(), request_id, email
        ),
        actor,
        deps,
    )


async def _with_file(
    account_id: str | None,
    stamp_id: str,
    to: StampStatus,
    upload: Upload,
    note: str | None,
    move: Callable[[Stamp, StoredFile, str | None], bool],
    actor: str | None,
    deps: OrdersDeps,
) -> Stamp:
    """A move that brings a file (new artwork, a proof): the move is checked first, then
    the file checked and stored, then the move made; if it cannot be (the stamp moved
    meanwhile), the file goes again."""
    current = await get_stamp(account_id, stamp_id, deps)
    current.check_move(to)  # before storing anything
    recognise = deps.inspector.proof if to is StampStatus.PROOF_SENT else deps.inspector.artwork
    stored = await _store(upload, recognise, current.account_id, actor, deps, note)
    email = await contact_email(current.account_id, deps)
    try:
        return await _change_stamp(
            account_id, stamp_id, lambda stamp: move(stamp, stored, email), deps
        )
    except Exception:
        await _forget(stored, deps)
        raise


async def approve(
    account_id: str, stamp_id: str, actor: str | None, request_id: str, deps: OrdersDeps
) -> Stamp:
    """The brand approves the proof: ``approved``; once every stamp of the brand is,
    each of its orders waiting for them launches (``release_held_orders``)."""
    email = await contact_email(account_id, deps)
    stamp = await _change_stamp(
        account_id,
        stamp_id,
        lambda s: s.approve(actor, deps.clock.now(), request_id, email),
        deps,
    )
    await release_held_orders(account_id, f"request:{request_id}", request_id, deps)
    return stamp


async def request_changes(
    account_id: str,
    stamp_id: str,
    comment: str,
    actor: str | None,
    request_id: str,
    deps: OrdersDeps,
) -> Stamp:
    """The brand wants the proof changed: ``changes_requested``, with what."""
    email = await contact_email(account_id, deps)
    return await _change_stamp(
        account_id,
        stamp_id,
        lambda s: s.request_changes(comment, actor, deps.clock.now(), request_id, email),
        deps,
    )


async def advance(
    stamp_id: str,
    status: Literal["in_production", "ready"],
    actor: str | None,
    request_id: str,
    deps: OrdersDeps,
) -> Stamp:
    """The factory's progress on the mold; the brand is emailed."""
    current = await get_stamp(None, stamp_id, deps)
    email = await contact_email(current.account_id, deps)
    return await _change_stamp(
        None,
        stamp_id,
        lambda s: s.advance(StampStatus(status), actor, deps.clock.now(), request_id, email),
        deps,
    )


@dataclass(frozen=True)
class StampPage:
    items: list[Stamp]
    next_cursor: str | None


async def stamp_queue(
    status: StampStatus | None,
    account_id: str | None,
    limit: int,
    cursor: str | None,
    deps: OrdersDeps,
) -> StampPage:
    """Every brand's stamps, newest first: the factory's queue."""
    if cursor is not None and not cursor.startswith("stp_"):
        raise InvalidCursor(f"cursor {cursor!r} is not one this list gave")
    items = await deps.stamps.find(status.value if status else None, account_id, limit + 1, cursor)
    more = len(items) > limit
    items = items[:limit]
    return StampPage(items, items[-1].stamp_id if more and items else None)


async def open_file(
    account_id: str | None,
    stamp_id: str,
    which: Literal["artwork", "proof", "thumbnail"],
    deps: OrdersDeps,
) -> FileDownload:
    """One of the stamp's files, to stream back."""
    stamp = await get_stamp(account_id, stamp_id, deps)
    if which == "artwork":
        file_id: str | None = stamp.artwork.file_id
    elif which == "thumbnail":
        file_id = stamp.artwork.thumbnail_id
    else:
        file_id = stamp.proof.file_id if stamp.proof else None
    download = await deps.files.open(file_id) if file_id else None
    if download is None:
        raise StampNotFound(f"stamp {stamp_id} has no {which} (yet)")
    return download


async def _held(account_id: str | None, deps: OrdersDeps) -> AsyncIterator[model.Order]:
    """Every order waiting for stamps (the brand's, or all), by order number, a page at a
    time."""
    after: int | None = None
    while True:
        page = await deps.orders.find(
            OrderQuery(
                account_id=account_id,
                status=OrderStatus.WORK_IN_PROCESS.value,
                production_stage=ProductionStage.ON_HOLD.value,
                hold_reason=HoldReason.AWAITING_STAMPS.value,
                newest_first=False,
                after_seq=after,
                limit=HOLD_BATCH,
            )
        )
        for order in page:
            yield order
        if len(page) < HOLD_BATCH:
            return
        after = sequence_of(page[-1].order_number)


async def release_held_orders(
    account_id: str, cause: str, correlation_id: str, deps: OrdersDeps
) -> list[str]:
    """Launch every order of the brand waiting for its stamps, once each of them is
    approved (an event, an email and a history entry per order). Returns the released."""
    if not stamps.stamps_ready(await deps.stamps.for_brand(account_id)):
        return []
    released: list[str] = []
    async for order in _held(account_id, deps):
        number = order.order_number
        if await _release(number, cause, correlation_id, deps, unlabeled=False):
            released.append(number)
    return released


def _release(
    number: str, cause: str, correlation_id: str, deps: OrdersDeps, *, unlabeled: bool
) -> Awaitable[bool]:
    now = deps.clock.now()
    return changed_order(
        lambda: get_any_order(number, deps),
        lambda order: order.release_for_stamps(cause, now, correlation_id, unlabeled=unlabeled),
        deps,
    )


@dataclass
class HoldSweep:
    """What one pass over the held orders did."""

    released: list[str] = field(default_factory=list)
    """Launched with the brand's stamps (approved while nobody released them)."""
    unlabeled: list[str] = field(default_factory=list)
    """Launched without them: the hold ran out."""
    reminded: list[str] = field(default_factory=list)


async def sweep_stamp_holds(deps: OrdersDeps) -> HoldSweep:
    """Every order waiting for its brand's stamps: launched if they are approved now (an
    approval racing the order's payment leaves it here), reminded once some days before
    its hold runs out, launched unlabeled once it has. Run periodically."""
    done = HoldSweep()
    ready: dict[str, bool] = {}
    policy = deps.stamp_hold
    async for order in _held(None, deps):
        if order.wip_started_at is None:
            continue
        number = order.order_number
        if order.account_id not in ready:
            ready[order.account_id] = stamps.stamps_ready(
                await deps.stamps.for_brand(order.account_id)
            )
        now, cause = deps.clock.now(), f"hold:{number}"
        release_at = policy.release_at(order.wip_started_at)
        if ready[order.account_id]:
            outcome, moved = done.released, _release(number, cause, cause, deps, unlabeled=False)
        elif now >= release_at:
            outcome, moved = done.unlabeled, _release(number, cause, cause, deps, unlabeled=True)
        elif now >= policy.remind_at(order.wip_started_at):
            outcome, moved = done.reminded, _remind(number, release_at, cause, deps)
        else:
            continue
        if await moved:  # each change reloads the order, guarded: a race changes nothing
            outcome.append(number)
    return done


def _remind(number: str, release_at: datetime, cause: str, deps: OrdersDeps) -> Awaitable[bool]:
    now = deps.clock.now()
    return changed_order(
        lambda: get_any_order(number, deps),
        lambda order: order.remind_hold(release_at, now, cause),
        deps,
    )
