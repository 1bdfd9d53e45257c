"""What the system refuses to believe, tried from outside as an attacker would (or as a
brand would hit by accident): a payment that does not pay what an order costs now never
starts production."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bespoke.stack.config import StackConfig
from bespoke_contracts import PaymentCleared, PaymentClearedPayload

from .test_delivery import publish, wait_until_consumed
from .test_payments import pending_order

pytestmark = pytest.mark.stack


def cleared(brand: dict[str, Any], order_number: str, amount: int) -> PaymentCleared:
    return PaymentCleared(
        account_id=brand["account_id"],
        correlation_id="forged",
        payload=PaymentClearedPayload(
            invoice_id=f"inv_{order_number}",
            target=order_number,
            order_numbers=[order_number],
            amount=amount,
            currency="EUR",
            payment_intent_id="pi_forged",
            paid_at=datetime.now(UTC),
            contact_email="forger@e2e.example",
        ),
    )


async def test_a_one_cent_payment_cleared_event_starts_no_production(
    running_system: StackConfig,
    brand: dict[str, Any],
    api: httpx.AsyncClient,
    design: dict[str, Any],
) -> None:
    number = await pending_order(api, design)
    total = (await api.get(f"/orders/{number}")).json()["costs"]["total"]
    await publish(running_system.kafka_bootstrap, cleared(brand, number, 1))
    await wait_until_consumed(running_system.kafka_bootstrap, "orders", "payment.cleared")

    order = (await api.get(f"/orders/{number}")).json()
    assert order["status"] == "pending_payment", "one cent for EUR " + str(total / 100)
    history = (await api.get(f"/orders/{number}/history")).json()["items"]
    assert [h["status"] for h in history] == ["pending_payment"]
