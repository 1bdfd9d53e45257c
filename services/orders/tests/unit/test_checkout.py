from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bespoke_contracts import (
    Address,
    BillingInfo,
    Labeling,
    OrderStatus,
    OrderSubmitted,
    OrderType,
)
from bespoke_orders.domain.errors import IdempotencyKeyReused, InvalidOrder, OrderNotFound
from bespoke_orders.domain.model import Checkout, format_order_number, order_sequence
from bespoke_orders.service_layer import handlers

ADDRESS = Address(
    name="Atelier Norte", line1="Calle Mayor 1", city="Elda", postal_code="03600", country="ES"
)


def checkout(key: str = "key-1", account: str = "acc_1", **changes: object) -> Checkout:
    command = Checkout(
        account_id=account,
        idempotency_key=key,
        design_id="des_1",
        design_version=2,
        bom_hash="sha256:abc",
        order_type=OrderType.MINI_BULK,
        sizes={"42": 3, "42.5": 2},
        shipping_address=ADDRESS,
        billing=BillingInfo(name="Atelier Norte SL", email="ops@norte.example", address=ADDRESS),
        labeling=Labeling.UNLABELED,
        request_id="req-1",
    )
    return dataclasses.replace(command, **changes)  # type: ignore[arg-type]


def test_order_numbers_are_zero_padded_and_start_at_one() -> None:
    assert format_order_number(1) == "BF-000001"
    assert format_order_number(1234567) == "BF-1234567"
    with pytest.raises(ValueError, match="starts at 1"):
        format_order_number(0)
    assert order_sequence("BF-1234567") == 1234567
    assert order_sequence(format_order_number(42)) == 42


async def test_checkout_records_a_pending_order_with_its_event(fakes: Any) -> None:
    deps, orders, outbox = fakes.deps, fakes.orders, fakes.outbox

    result = await handlers.check_out(checkout(), deps)

    assert result.created
    order = result.order
    assert order.order_number == "BF-000001"
    assert order.status is OrderStatus.PENDING_PAYMENT
    assert order.pairs == 5
    assert [h.status for h in order.history] == [OrderStatus.PENDING_PAYMENT]
    [event] = orders.published
    assert isinstance(event, OrderSubmitted)
    assert event.payload.order_number == "BF-000001"
    assert event.payload.pairs == 5
    assert event.account_id == "acc_1"
    assert event.key() == b"BF-000001"
    assert outbox.wakes == 1


async def test_each_checkout_gets_the_next_number(fakes: Any) -> None:
    deps = fakes.deps
    numbers = [
        (
            await handlers.check_out(checkout(key=f"k{i}", account=f"acc_{i % 2}"), deps)
        ).order.order_number
        for i in range(3)
    ]
    assert numbers == ["BF-000001", "BF-000002", "BF-000003"]


async def test_a_retry_returns_the_same_order_without_taking_a_number(fakes: Any) -> None:
    deps, orders = fakes.deps, fakes.orders
    first = await handlers.check_out(checkout(), deps)

    again = await handlers.check_out(checkout(), deps)

    assert not again.created
    assert again.order.order_number == first.order.order_number
    assert len(orders.published) == 1
    later = await handlers.check_out(checkout(key="key-2"), deps)
    assert later.order.order_number == "BF-000002"


async def test_a_number_taken_by_a_concurrent_checkout_moves_to_the_next(fakes: Any) -> None:
    deps, orders = fakes.deps, fakes.orders
    await handlers.check_out(checkout(key="a"), deps)
    await handlers.check_out(checkout(key="b"), deps)
    orders.stale_sequences = [1, 2]  # this checkout read the highest number before a and b

    result = await handlers.check_out(checkout(key="c"), deps)

    assert result.order.order_number == "BF-000003"
    assert sorted(orders.by_number) == ["BF-000001", "BF-000002", "BF-000003"]


async def test_a_used_key_with_a_different_body_is_refused(fakes: Any) -> None:
    deps = fakes.deps
    await handlers.check_out(checkout(), deps)

    with pytest.raises(IdempotencyKeyReused, match="BF-000001"):
        await handlers.check_out(checkout(sizes={"43": 1}), deps)


async def test_the_same_key_from_another_brand_is_another_order(fakes: Any) -> None:
    deps = fakes.deps
    a = await handlers.check_out(checkout(account="acc_a"), deps)
    b = await handlers.check_out(checkout(account="acc_b"), deps)
    assert a.order.order_number != b.order.order_number


async def test_a_refused_order_takes_no_number(fakes: Any) -> None:
    deps = fakes.deps
    with pytest.raises(InvalidOrder, match="43"):
        await handlers.check_out(checkout(sizes={"42": 1, "43": 0}), deps)
    with pytest.raises(InvalidOrder, match="empty"):
        await handlers.check_out(checkout(sizes={}), deps)
    accepted = await handlers.check_out(checkout(key="ok"), deps)
    assert accepted.order.order_number == "BF-000001"


async def test_orders_of_another_brand_are_not_found(fakes: Any) -> None:
    deps = fakes.deps
    created = await handlers.check_out(checkout(account="acc_a"), deps)
    with pytest.raises(OrderNotFound):
        await handlers.get_order("acc_b", created.order.order_number, deps)
    found = await handlers.get_order("acc_a", created.order.order_number, deps)
    assert found.order_number == created.order.order_number
