"""One trace per piece of work, across processes: the caller's ``traceparent`` goes from
the gateway to the service, into the events the change causes, and on through the
consumers into the events they cause in turn (read back from Kafka's message headers)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx
import pytest

from bespoke.payments import simulate_success
from bespoke_contracts import ORDER_STATUS_CHANGED, ORDER_SUBMITTED, PAYMENT_CLEARED

from .conftest import Events, Record, checkout_body, event
from .test_payments import pending_order

pytestmark = pytest.mark.stack


def new_traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_of(record: Record) -> str | None:
    headers = {name: value.decode() for name, value in record.headers}
    if "traceparent" not in headers:
        return None
    return str(headers["traceparent"].split("-")[1])


async def test_a_checkout_s_trace_reaches_its_event(
    api: httpx.AsyncClient, design: dict[str, Any], from_now: Events
) -> None:
    trace_id, traceparent = new_traceparent()
    response = await api.post(
        "/orders",
        json=checkout_body("trace@e2e.example", design),
        headers={"Idempotency-Key": str(uuid.uuid4()), "traceparent": traceparent},
    )
    assert response.status_code == 201, response.text
    number = response.json()["order_number"]

    submitted = await from_now.first(
        lambda r: r.topic == ORDER_SUBMITTED and r.key == number.encode()
    )
    assert trace_of(submitted) == trace_id  # gateway -> orders -> outbox -> relay -> Kafka


async def test_a_payment_s_trace_goes_through_payments_and_orders(
    api: httpx.AsyncClient, design: dict[str, Any], from_now: Events
) -> None:
    number = await pending_order(api, design)
    trace_id, traceparent = new_traceparent()

    result = await simulate_success(number, headers={"traceparent": traceparent})

    assert result["outcome"] == "cleared"
    cleared = await from_now.first(
        lambda r: r.topic == PAYMENT_CLEARED and number in event(r)["payload"]["order_numbers"],
    )
    wip = await from_now.first(
        lambda r: (
            r.topic == ORDER_STATUS_CHANGED
            and r.key == number.encode()
            and event(r)["payload"]["to_status"] == "work_in_process"
        ),
    )
    # webhook -> gateway -> payments -> payment.cleared -> orders (a consumer) -> its event
    assert trace_of(cleared) == trace_id
    assert trace_of(wip) == trace_id
