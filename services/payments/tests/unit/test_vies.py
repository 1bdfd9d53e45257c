"""A configured VIES check is asked when an invoice is issued to a buyer with a VAT
number; whatever it says, or if it is down, the invoice says so and is issued anyway."""

from __future__ import annotations

import json
import socket

import httpx

from bespoke_contracts import examples
from bespoke_payments.adapters.vies import ViesCheck
from bespoke_payments.service_layer import handlers

from .test_payments import Fakes, webhook


def answering(body: object, status: int = 200) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        assert sent == {"countryCode": "DE", "vatNumber": "136695976"}
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


async def test_each_vies_answer_is_worded_for_the_invoice() -> None:
    valid = ViesCheck(
        "https://vies.test/check",
        1,
        transport=answering({"valid": True, "requestDate": "2026-12-02+01:00"}),
    )
    assert await valid.check("DE136695976") == "VIES: DE136695976 valid (2026-12-02)"
    invalid = ViesCheck("https://vies.test/check", 1, transport=answering({"valid": False}))
    assert "not registered" in await invalid.check("DE136695976")
    busy = ViesCheck(
        "https://vies.test/check", 1, transport=answering({"userError": "MS_MAX_CONCURRENT_REQ"})
    )
    assert await busy.check("DE136695976") == "VIES check unavailable (MS_MAX_CONCURRENT_REQ)"
    failing = ViesCheck("https://vies.test/check", 1, transport=answering({}, status=503))
    assert "unavailable (HTTPStatusError)" in await failing.check("DE136695976")


async def test_vies_down_is_recorded_and_the_invoice_is_issued() -> None:
    with socket.socket() as probe:  # a port nothing listens on: a real refused connection
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fakes = Fakes()
    deps = fakes.deps
    deps = handlers.PaymentsDeps(
        **{**deps.__dict__, "vat_check": ViesCheck(f"http://127.0.0.1:{port}/check", 1)}
    )
    billing = examples.BILLING.model_copy(update={"vat_id": "DE136695976"})
    await handlers.on_order_submitted(examples.order_submitted("BF-000020", billing=billing), deps)
    paying = await handlers.start_payment("acc_1", "BF-000020", deps)
    payload, signature, _ = webhook(paying)
    assert await handlers.handle_webhook(payload, signature, deps) == "cleared"
    [cleared] = fakes.invoices.published

    issued = await handlers.on_payment_cleared(cleared, deps)

    assert issued.number == "INV-2026-000001"
    assert issued.vat_check.startswith("VIES check unavailable (ConnectError)")
