"""In-memory stand-ins for the shipping service's ports, each a subclass of the port it
replaces, so mypy checks that it keeps the port's shape."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bespoke_contracts import OrderStatus
from bespoke_contracts.api.shipping import GroupStatus
from bespoke_shipping.domain.errors import ConcurrentChange
from bespoke_shipping.domain.model import OrderRecord, ShippingGroup
from bespoke_shipping.service_layer.handlers import ShippingDeps
from bespoke_shipping.service_layer.ports import (
    Clock,
    Groups,
    OrderRecords,
    Shipments,
)


class FakeOrders(OrderRecords):
    def __init__(self) -> None:
        self.records: dict[str, OrderRecord] = {}
        self.lookups = 0
        """Reads of the copies (each one query)."""

    async def add(self, record: OrderRecord) -> bool:
        if record.order_number in self.records:
            return False
        self.records[record.order_number] = replace(record)
        return True

    async def get(self, order_number: str) -> OrderRecord | None:
        self.lookups += 1
        record = self.records.get(order_number)
        return replace(record) if record else None

    async def get_many(self, order_numbers: list[str]) -> dict[str, OrderRecord]:
        self.lookups += 1
        return {n: replace(self.records[n]) for n in order_numbers if n in self.records}

    async def revise(self, record: OrderRecord) -> bool:
        stored = self.records[record.order_number]
        if stored.version >= record.version:
            return False
        self.records[record.order_number] = replace(
            record, status=stored.status, group_id=stored.group_id
        )
        return True

    async def set_status(self, order_number: str, status: OrderStatus) -> bool:
        record = self.records.get(order_number)
        if record is None:
            return False
        record.status = status
        return True

    async def set_ready(self, order_number: str) -> None:
        self.records[order_number].ready = True

    async def ready_among(self, order_numbers: list[str]) -> set[str]:
        self.lookups += 1
        return {n for n in order_numbers if n in self.records and self.records[n].ready}

    async def claim(self, order_number: str, account_id: str, group_id: str) -> bool:
        r = self.records.get(order_number)
        if (
            r is None
            or r.account_id != account_id
            or r.status is not OrderStatus.PENDING_PAYMENT
            or r.group_id not in (None, group_id)
        ):
            return False
        r.group_id = group_id
        return True

    async def release(self, order_number: str, group_id: str) -> None:
        r = self.records.get(order_number)
        if r is not None and r.group_id == group_id:
            r.group_id = None


class _Store:
    """Documents with a revision guard; events 'published' into ``outbox``."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        self.outbox: list[Any] = []

    async def add(self, item: Any) -> bool:
        if item.id in self.items:
            return False
        self.outbox.extend(item.events)
        item.events.clear()
        self.items[item.id] = copy.deepcopy(item)
        return True

    async def get(self, key: str) -> Any:
        item = self.items.get(key)
        return copy.deepcopy(item) if item else None

    async def save(self, item: Any) -> None:
        stored = self.items.get(item.id)
        if stored is None or stored.revision != item.revision:
            raise ConcurrentChange(item.id)
        item.revision += 1
        self.outbox.extend(item.events)
        item.events.clear()
        self.items[item.id] = copy.deepcopy(item)


class FakeGroups(_Store, Groups):
    async def delete_forming(self, group_id: str) -> None:
        if self.items.get(group_id) and self.items[group_id].status is GroupStatus.FORMING:
            del self.items[group_id]

    async def page(
        self, account_id: str, limit: int, after: tuple[datetime, str] | None
    ) -> list[ShippingGroup]:
        mine = sorted(
            (g for g in self.items.values() if g.account_id == account_id),
            key=lambda g: (g.created_at, g.id),
            reverse=True,
        )
        if after is not None:
            mine = [g for g in mine if (g.created_at, g.id) < after]
        return mine[:limit]

    async def forming_since(self, before: datetime) -> list[ShippingGroup]:
        return [
            copy.deepcopy(g)
            for g in self.items.values()
            if g.status is GroupStatus.FORMING and g.created_at < before
        ]


class FakeShipments(_Store, Shipments):
    pass


@dataclass
class FakeClock(Clock):
    at: datetime = field(default_factory=lambda: datetime(2026, 11, 22, 10, tzinfo=UTC))

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


@dataclass
class Fakes:
    orders: FakeOrders
    groups: FakeGroups
    shipments: FakeShipments
    clock: FakeClock
    deps: ShippingDeps
