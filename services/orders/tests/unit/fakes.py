"""In-memory stand-ins for the orders service's ports, each a subclass of the port it
replaces, so mypy checks that it keeps the port's shape."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from bespoke_contracts import (
    CancellationFee,
    Labeling,
    OrderStatus,
    ProductionStage,
    StampKind,
    order_sequence,
)
from bespoke_contracts.api.design import (
    BomLine,
    DesignResponse,
    DesignStatus,
    Estimate,
    EstimateRequest,
    MaterialChoice,
    PriceLine,
)
from bespoke_orders.adapters.artwork import Inspector
from bespoke_orders.adapters.ticket import job_ticket
from bespoke_orders.domain.checkout import BrandLabel, Money
from bespoke_orders.domain.errors import (
    ConcurrentChange,
    Conflict,
    InvalidOrder,
    OrderNumberTaken,
    StampExists,
    UpstreamUnavailable,
)
from bespoke_orders.domain.model import Order, OrderSummary
from bespoke_orders.domain.stamps import Stamp
from bespoke_orders.service_layer.handlers import OrdersDeps
from bespoke_orders.service_layer.ports import (
    BrandLabels,
    Clock,
    DesignCatalog,
    FileStore,
    OrderQuery,
    OrderRepository,
    ShippingRates,
    StampRepository,
)


class FakeOrders(OrderRepository):
    def __init__(self) -> None:
        self.by_number: dict[str, Order] = {}
        self.stale_sequences: list[int] = []
        """Sequences to propose first, as if another checkout had just stored them."""
        self.published: list[object] = []
        self.reads = 0
        """Orders read by number."""

    async def next_sequence(self) -> int:
        if self.stale_sequences:
            return self.stale_sequences.pop(0)
        return len(self.by_number) + 1

    async def add(self, order: Order) -> Order:
        for existing in self.by_number.values():
            if (existing.account_id, existing.idempotency_key) == (
                order.account_id,
                order.idempotency_key,
            ):
                return existing
        if order.order_number in self.by_number:
            raise OrderNumberTaken(order.order_number)
        self.published.extend(order.events)
        order.events.clear()
        self.by_number[order.order_number] = order
        return order

    async def save(self, order: Order) -> None:
        stored = self.by_number[order.order_number]
        if stored is not order and stored.revision != order.revision:
            raise ConcurrentChange(order.order_number)
        self.published.extend(order.events)
        order.events.clear()
        order.revision += 1
        self.by_number[order.order_number] = order

    async def get_any(self, order_number: str) -> Order | None:
        self.reads += 1
        return self.by_number.get(order_number)

    async def get(self, account_id: str, order_number: str) -> Order | None:
        order = self.by_number.get(order_number)
        return order if order is not None and order.account_id == account_id else None

    async def find(self, query: OrderQuery) -> list[Order]:
        def matches(order: Order) -> bool:
            seq = order_sequence(order.order_number)
            stage = order.production_stage.value if order.production_stage else None
            estimate = order.estimated_ship_date
            return (
                query.account_id in (None, order.account_id)
                and not (query.unflagged and order.late_flagged_at is not None)
                and query.status in (None, order.status.value)
                and query.payment_status in (None, order.payment_status.value)
                and query.production_stage in (None, stage)
                and query.hold_reason in (None, order.hold_reason and order.hold_reason.value)
                and (
                    query.late_on is None
                    or (
                        order.status is OrderStatus.WORK_IN_PROCESS
                        and estimate is not None
                        and estimate < query.late_on
                    )
                )
                and query.order_type in (None, order.order_type.value)
                and query.design_id in (None, order.design_id)
                and (query.search is None or query.search in order.order_number)
                and (
                    query.after_seq is None
                    or (seq < query.after_seq if query.newest_first else seq > query.after_seq)
                )
            )

        found = sorted(
            filter(matches, self.by_number.values()),
            key=lambda o: order_sequence(o.order_number),
            reverse=query.newest_first,
        )
        return found[: query.limit]

    async def find_summaries(self, query: OrderQuery) -> list[OrderSummary]:
        return [order.summary() for order in await self.find(query)]


class FakeClock(Clock):
    def __init__(self) -> None:
        self.current = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


DRAWING = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="190" viewBox="0 0 400 190">'
    b'<rect x="20" y="60" width="360" height="90" rx="40" fill="#6b3e1f"/></svg>'
)
"""What the design service's drawing of a design looks like here: a brown shoe shape."""

QUOTED_FEES = (
    CancellationFee(stage=ProductionStage.RECEIVED, fixed=4_000, share_bp=0),
    CancellationFee(stage=ProductionStage.LASTING, fixed=4_000, share_bp=5_000),
    CancellationFee(stage=ProductionStage.FINISHING, fixed=0, share_bp=10_000),
)
"""The design's quote's cancellation terms (not the defaults: the quote's are kept)."""

BOM = [BomLine(component="Upper", material="Box calf", colour="black", quantity=3.2, unit="sq ft")]


def design_version(version: int = 2, archived: bool = False) -> DesignResponse:
    return DesignResponse(
        id="des_1",
        version=version,
        latest_version=version,
        name="Office oxford",
        status=DesignStatus.ARCHIVED if archived else DesignStatus.ACTIVE,
        published=False,
        style="oxford",
        construction="goodyear_welted",
        last="LC-101",
        shoe_last="LC-101",
        sole_unit="leather_single",
        materials={"upper": MaterialChoice(material="box_calf", colour="black")},
        elements=[],
        bill_of_materials=BOM,
        bom_hash="sha256:abc",
        price_per_pair=20_000,
        currency="EUR",
        catalog_version="2026.1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


class FakeDesignCatalog(DesignCatalog):
    """Prices every pair at ``base`` (20 000) with 5 % off from 12 pairs; mini-bulk is
    2-59 pairs."""

    def __init__(self) -> None:
        self.versions = {("des_1", 2): design_version()}
        self.prices = {"custom_stamps": 15_000}
        self.base = 20_000
        self.calls = 0
        self.drawings_fail = False

    async def design_version(self, account_id: str, design_id: str, version: int) -> DesignResponse:
        self.calls += 1
        found = self.versions.get((design_id, version))
        if found is None:
            raise InvalidOrder(
                f"no design {design_id} version {version}",
                [Conflict("#/design_id", "no such design")],
            )
        return found

    async def estimate(self, account_id: str, request: EstimateRequest) -> Estimate:
        pairs = sum((request.sizes or {}).values())
        if request.order_type.value == "mto" and pairs != 1:
            raise InvalidOrder(
                "MTO is one pair",
                [Conflict("#/order_type", f"MTO orders are 1 pair; this one is {pairs}")],
            )
        per_pair = self.base * 95 // 100 if pairs >= 12 else self.base
        return Estimate(
            design_id=request.design_id,
            design_version=request.design_version or 2,
            bom_hash="sha256:abc",
            order_type=request.order_type,
            pairs=pairs,
            base_per_pair=self.base,
            adjustment_bp=-500 if pairs >= 12 else 0,
            per_pair=per_pair,
            manufacturing=per_pair * pairs,
            currency="EUR",
            breakdown=[PriceLine(item="all", amount=self.base)],
            lead_time_days=38,
            cancellation_fees=list(QUOTED_FEES),
        )

    async def customization_price(self, customization: str) -> Money:
        self.calls += 1
        return Money(amount=self.prices[customization], currency="EUR")

    async def drawing(self, account_id: str, design_id: str, version: int) -> bytes:
        if self.drawings_fail:
            raise UpstreamUnavailable("the design service is not answering")
        return DRAWING


class FakeShipping(ShippingRates):
    currency = "EUR"

    async def quote(self, country: str, pairs: int) -> Money:
        return Money(amount=900 + 600 * pairs, currency=self.currency)


class FakeBrandLabels(BrandLabels):
    def __init__(self) -> None:
        self.labels: dict[str, BrandLabel] = {}

    async def get(self, account_id: str) -> BrandLabel | None:
        return self.labels.get(account_id)

    async def claim(self, account_id: str, labeling: Labeling, order_key: str) -> BrandLabel:
        return self.labels.setdefault(account_id, BrandLabel(account_id, labeling, order_key))


class FakeStamps(StampRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, Stamp] = {}
        self.published: list[object] = []

    async def add(self, stamp: Stamp) -> None:
        holder = await self.of_kind(stamp.account_id, stamp.kind)
        if holder is not None:
            raise StampExists("exists", stamp_id=holder.stamp_id)
        self.published.extend(stamp.events)
        stamp.events.clear()
        self.by_id[stamp.stamp_id] = copy.deepcopy(stamp)

    async def save(self, stamp: Stamp) -> None:
        if self.by_id[stamp.stamp_id].revision != stamp.revision:
            raise ConcurrentChange(stamp.stamp_id)
        self.published.extend(stamp.events)
        stamp.events.clear()
        stamp.revision += 1
        self.by_id[stamp.stamp_id] = copy.deepcopy(stamp)

    async def get_any(self, stamp_id: str) -> Stamp | None:
        found = self.by_id.get(stamp_id)
        return copy.deepcopy(found) if found else None

    async def of_kind(self, account_id: str, kind: StampKind) -> Stamp | None:
        for stamp in self.by_id.values():
            if (stamp.account_id, stamp.kind) == (account_id, kind):
                return copy.deepcopy(stamp)
        return None

    async def for_brand(self, account_id: str) -> list[Stamp]:
        return [copy.deepcopy(s) for s in self.by_id.values() if s.account_id == account_id]

    async def find(
        self, status: str | None, account_id: str | None, limit: int, before: str | None
    ) -> list[Stamp]:
        found = sorted(
            (
                s
                for s in self.by_id.values()
                if status in (None, s.status.value)
                and account_id in (None, s.account_id)
                and (before is None or s.stamp_id < before)
            ),
            key=lambda s: s.stamp_id,
            reverse=True,
        )
        return found[:limit]


@dataclass(frozen=True)
class FakeBlob:
    file_id: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FakeDownload:
    filename: str
    content_type: str
    size: int
    chunks: AsyncIterator[bytes]


class FakeFiles(FileStore):
    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str, bytes]] = {}

    async def put(
        self, source: BinaryIO, filename: str, content_type: str, metadata: dict[str, object]
    ) -> FakeBlob:
        source.seek(0)
        data = source.read()
        file_id = f"f{len(self.files) + 1}"
        self.files[file_id] = (filename, content_type, data)
        return FakeBlob(file_id, len(data), hashlib.sha256(data).hexdigest())

    async def open(self, file_id: str) -> FakeDownload | None:
        if file_id not in self.files:
            return None
        name, kind, data = self.files[file_id]

        async def chunks() -> AsyncIterator[bytes]:
            yield data

        return FakeDownload(name, kind, len(data), chunks())

    async def read(self, file_id: str) -> bytes | None:
        return self.files[file_id][2] if file_id in self.files else None

    async def delete(self, file_id: str) -> None:
        self.files.pop(file_id, None)


@dataclass
class Fakes:
    orders: FakeOrders = field(default_factory=FakeOrders)
    clock: FakeClock = field(default_factory=FakeClock)
    design: FakeDesignCatalog = field(default_factory=FakeDesignCatalog)
    shipping: FakeShipping = field(default_factory=FakeShipping)
    brands: FakeBrandLabels = field(default_factory=FakeBrandLabels)
    stamps: FakeStamps = field(default_factory=FakeStamps)
    files: FakeFiles = field(default_factory=FakeFiles)

    @property
    def deps(self) -> OrdersDeps:
        return OrdersDeps(
            orders=self.orders,
            clock=self.clock,
            design=self.design,
            shipping=self.shipping,
            brands=self.brands,
            tickets=job_ticket,
            stamps=self.stamps,
            files=self.files,
            inspector=Inspector(),
        )
