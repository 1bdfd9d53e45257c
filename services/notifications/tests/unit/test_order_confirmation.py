from __future__ import annotations

from typing import Any

import pytest

from bespoke_contracts import OrderSubmitted
from bespoke_notifications.domain.emails import order_confirmation
from bespoke_notifications.service_layer import handlers


def test_the_email_carries_the_order_specifications(order_submitted: OrderSubmitted) -> None:
    email = order_confirmation(order_submitted)

    assert email.to == "ops@norte.example"
    assert "BF-000042" in email.subject
    text = email.text
    for expected in (
        "BF-000042",
        "Pending Payment",
        "MINI-BULK",
        "des_1 (version 1)",
        "Custom stamps",
        "Pairs:          6",
        "Nave 3",
        "VAT: ESB12345678",
        "+34 600 000 000",
        "Upper:          box_calf (black)",
        "Total:          EUR 1,215.00",
        "6 x EUR 200.00",
    ):
        assert expected in text, expected
    # sizes are listed in numeric order, not as strings sort
    assert text.index("EU    40") < text.index("EU  42.5") < text.index("EU    44")
    assert "1 pair\n" in text
    assert "3 pairs" in text


async def test_a_redelivered_event_sends_one_email(
    order_submitted: OrderSubmitted, fakes: Any
) -> None:
    assert await handlers.on_order_submitted(order_submitted, fakes.deps)
    assert not await handlers.on_order_submitted(order_submitted, fakes.deps)
    assert len(fakes.mailer.sent) == 1


async def test_a_failed_send_is_not_recorded_so_a_retry_sends_it(
    order_submitted: OrderSubmitted, fakes: Any
) -> None:
    fakes.mailer.failures_left = 1
    with pytest.raises(ConnectionRefusedError):
        await handlers.on_order_submitted(order_submitted, fakes.deps)
    assert fakes.sent.keys == set()
    assert await handlers.on_order_submitted(order_submitted, fakes.deps)
    assert len(fakes.mailer.sent) == 1
