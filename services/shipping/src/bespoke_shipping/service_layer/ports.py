"""What the shipping handlers need from the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bespoke_contracts import OrderStatus
from bespoke_shipping.domain.model import OrderRecord, Shipment, ShippingGroup


class OrderRecords(Protocol):
    """Shipping's copy of each order, kept from `order.*` events."""

    async def add(self, record: OrderRecord) -> bool:
        """Insert unless known; True when inserted."""
        ...

    async def get(self, order_number: str) -> OrderRecord | None: ...

    async def get_many(self, order_numbers: list[str]) -> dict[str, OrderRecord]:
        """The known ones among ``order_numbers``, by number, in one query."""
        ...

    async def revise(self, record: OrderRecord) -> bool:
        """Store a newer version's pairs, address and shipping cost (an older or equal
        version changes nothing); True when stored."""
        ...

    async def set_status(self, order_number: str, status: OrderStatus) -> bool:
        """Track the order's status; False when the order is not known here."""
        ...

    async def set_ready(self, order_number: str) -> None:
        """The order is finished on the floor (`ready_to_ship`)."""
        ...

    async def ready_among(self, order_numbers: list[str]) -> set[str]:
        """Those of ``order_numbers`` finished on the floor, in one query."""
        ...

    async def claim(self, order_number: str, account_id: str, group_id: str) -> bool:
        """Mark the order as in ``group_id`` if it is the brand's, pending payment and in
        no other group, in one conditional write. True when it is (now) the group's."""
        ...

    async def release(self, order_number: str, group_id: str) -> None:
        """Free the order if ``group_id`` holds it."""
        ...


class Groups(Protocol):
    async def add(self, group: ShippingGroup) -> bool:
        """Insert unless a group with that id exists; True when inserted."""
        ...

    async def get(self, group_id: str) -> ShippingGroup | None: ...

    async def save(self, group: ShippingGroup) -> None:
        """Store a change and its events in one write; ``ConcurrentChange`` if it moved."""
        ...

    async def delete_forming(self, group_id: str) -> None:
        """Forget a group that never formed (nothing was published about it)."""
        ...

    async def page(
        self, account_id: str, limit: int, after: tuple[datetime, str] | None
    ) -> list[ShippingGroup]:
        """The brand's groups, newest first, after the (created_at, id) of a cursor."""
        ...

    async def forming_since(self, before: datetime) -> list[ShippingGroup]:
        """Groups still forming that were created before ``before`` (interrupted)."""
        ...


class Shipments(Protocol):
    async def add(self, shipment: Shipment) -> bool: ...

    async def get(self, shipment_id: str) -> Shipment | None: ...

    async def save(self, shipment: Shipment) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
