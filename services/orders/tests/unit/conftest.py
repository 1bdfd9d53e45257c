from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bespoke_orders.domain.errors import OrderNumberTaken
from bespoke_orders.domain.model import Order
from bespoke_orders.service_layer.handlers import OrdersDeps


class FakeOrders:
    def __init__(self) -> None:
        self.by_number: dict[str, Order] = {}
        self.stale_sequences: list[int] = []
        """Sequences to propose first, as if another checkout had just stored them."""
        self.published: list[object] = []

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
        self.by_number[order.order_number] = order
        return order

    async def get(self, account_id: str, order_number: str) -> Order | None:
        order = self.by_number.get(order_number)
        return order if order is not None and order.account_id == account_id else None

    async def get_by_idempotency_key(self, account_id: str, key: str) -> Order | None:
        for order in self.by_number.values():
            if (order.account_id, order.idempotency_key) == (account_id, key):
                return order
        return None


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


class FakeOutbox:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


@dataclass
class Fakes:
    orders: FakeOrders = field(default_factory=FakeOrders)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def deps(self) -> OrdersDeps:
        return OrdersDeps(self.orders, self.clock, self.outbox)


@pytest.fixture
def fakes() -> Fakes:
    """The orders handlers wired to in-memory fakes."""
    return Fakes()
