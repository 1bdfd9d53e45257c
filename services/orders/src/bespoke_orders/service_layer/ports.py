"""What the handlers need from the outside world; adapters implement these."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bespoke_orders.domain.model import Order


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

    async def get(self, account_id: str, order_number: str) -> Order | None: ...

    async def get_by_idempotency_key(self, account_id: str, key: str) -> Order | None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class OutboxSignal(Protocol):
    """Wakes the outbox relay so a new event is published without waiting for its poll."""

    def wake(self) -> None: ...
