"""What the handlers need from the outside world; adapters implement these."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, Protocol

from bespoke_contracts import Labeling, StampKind
from bespoke_contracts.api.design import DesignResponse, Estimate, EstimateRequest
from bespoke_contracts.api.orders import OrderPoolQuery
from bespoke_orders.domain.checkout import BrandLabel, Money
from bespoke_orders.domain.model import PAYMENT_STATUSES, Order, OrderSummary
from bespoke_orders.domain.stamps import Stamp


@dataclass(frozen=True)
class OrderQuery:
    """Filters, order and page of the order pool (one brand's) or the production board
    (every brand's, or one's)."""

    account_id: str | None = None
    status: str | None = None
    payment_status: str | None = None
    statuses: frozenset[str] | None = None
    """The statuses ``payment_status`` implies, for orders stored before it was."""
    production_stage: str | None = None
    hold_reason: str | None = None
    late_on: date | None = None
    """Only orders in process whose estimated ship date is before this day."""
    unflagged: bool = False
    """Only orders not yet flagged late."""
    order_type: str | None = None
    design_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    search: str | None = None
    """Part of an order number, e.g. `0042` or `BF-00004`."""
    newest_first: bool = True
    after_seq: int | None = None
    limit: int = 20

    @classmethod
    def of(cls, pool: OrderPoolQuery) -> OrderQuery:
        """The query for what a client asked of the order pool (its cursor aside)."""
        return cls(
            status=pool.status.value if pool.status else None,
            production_stage=pool.production_stage.value if pool.production_stage else None,
            payment_status=pool.payment_status.value if pool.payment_status else None,
            statuses=(
                frozenset(s.value for s in PAYMENT_STATUSES.get(pool.payment_status, ()))
                if pool.payment_status
                else None
            ),
            order_type=pool.order_type.value if pool.order_type else None,
            design_id=pool.design_id,
            created_from=pool.created_from,
            created_to=pool.created_to,
            search=pool.q,
            newest_first=pool.sort == "newest",
            limit=pool.limit,
        )


class OrderRepository(Protocol):
    """Orders, each stored with its unpublished events in one document."""

    async def next_sequence(self) -> int:
        """The order sequence after the highest one stored (1 for the first order)."""
        ...

    async def add(self, order: Order) -> Order:
        """Insert a new order and its events in one write.

        Returns the stored order: if another request with the same brand and
        Idempotency-Key won a race, that order is returned instead. Raises
        ``OrderNumberTaken`` if another order holds the number.
        """
        ...

    async def save(self, order: Order) -> None:
        """Store a changed order and append its new events, in one write; raises
        ``ConcurrentChange`` if the order changed since it was loaded."""
        ...

    async def get(self, account_id: str, order_number: str) -> Order | None: ...

    async def get_any(self, order_number: str) -> Order | None:
        """An order whatever its brand (for events, which carry their own scope)."""
        ...

    async def find(self, query: OrderQuery) -> list[Order]:
        """Orders matching ``query`` (one brand's when it names one), by order number
        (newest first by default)."""
        ...

    async def find_summaries(self, query: OrderQuery) -> list[OrderSummary]:
        """The summaries of the orders ``find`` would return, in the same order: what the
        pool and the board list, without reading whole orders."""
        ...


class DesignCatalog(Protocol):
    """The design service: design versions, manufacturing quotes, catalog prices."""

    async def design_version(self, account_id: str, design_id: str, version: int) -> DesignResponse:
        """Raises ``InvalidOrder`` when the brand has no such design version."""
        ...

    async def estimate(self, account_id: str, request: EstimateRequest) -> Estimate:
        """Raises ``InvalidOrder`` (with conflicts) for pairs or sizes the design refuses."""
        ...

    async def customization_price(self, customization: str) -> Money:
        """Today's catalog price of a one-time customization (e.g. ``custom_stamps``)."""
        ...

    async def drawing(self, account_id: str, design_id: str, version: int) -> bytes:
        """The design version's side view as SVG. Raises ``UpstreamUnavailable`` when
        the design service cannot answer."""
        ...


class ShippingRates(Protocol):
    """The shipping service: the cost of shipping one order on its own."""

    async def quote(self, country: str, pairs: int) -> Money: ...


class BrandLabels(Protocol):
    async def get(self, account_id: str) -> BrandLabel | None: ...

    async def claim(self, account_id: str, labeling: Labeling, order_key: str) -> BrandLabel:
        """Record the brand's choice unless one exists; returns the choice that stands."""
        ...


class TicketPrinter(Protocol):
    """Renders an order's job ticket (the printable page that travels with its pairs)."""

    def __call__(self, order: Order, now: datetime, drawing: bytes | None) -> bytes:
        """``drawing``: the design version's SVG, or None when it could not be had."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class StampRepository(Protocol):
    """Brands' stamps, each stored with its unpublished events in one document."""

    async def add(self, stamp: Stamp) -> None:
        """Insert; raises ``StampExists`` if the brand has a stamp of its kind already."""
        ...

    async def save(self, stamp: Stamp) -> None:
        """Store a changed stamp and its new events in one write; raises
        ``ConcurrentChange`` if it changed since it was loaded."""
        ...

    async def get_any(self, stamp_id: str) -> Stamp | None: ...

    async def of_kind(self, account_id: str, kind: StampKind) -> Stamp | None: ...

    async def for_brand(self, account_id: str) -> list[Stamp]:
        """The brand's stamps, newest first (one per kind, so a few)."""
        ...

    async def find(
        self, status: str | None, account_id: str | None, limit: int, before: str | None
    ) -> list[Stamp]:
        """Every brand's stamps, newest first, with ids before ``before``."""
        ...


class StoredBlob(Protocol):
    @property
    def file_id(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...


class FileDownload(Protocol):
    @property
    def filename(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def chunks(self) -> AsyncIterator[bytes]: ...


class FileStore(Protocol):
    """Where stamp files live (GridFS): streamed in and out, never whole in memory."""

    async def put(
        self, source: BinaryIO, filename: str, content_type: str, metadata: dict[str, object]
    ) -> StoredBlob: ...

    async def open(self, file_id: str) -> FileDownload | None: ...

    async def read(self, file_id: str) -> bytes | None: ...

    async def delete(self, file_id: str) -> None: ...


class Recognition(Protocol):
    @property
    def content_type(self) -> str: ...
    @property
    def warnings(self) -> list[str]: ...


class ArtworkInspector(Protocol):
    """Tells what a file is from its content and refuses what cannot be a stamp
    (``ArtworkRefused``); draws SVG artwork's thumbnail."""

    def artwork(self, file: BinaryIO) -> Recognition: ...

    def proof(self, file: BinaryIO) -> Recognition: ...

    def thumbnail(self, svg: bytes) -> bytes: ...
