"""`bespoke payments simulate-success TARGET`: on a local stack, what Stripe does after a
successful card payment: a correctly signed `payment_intent.succeeded` webhook to the
gateway, for the open invoice of TARGET (an order number or a shipping group id)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from bespoke.stack.config import StackConfig
from bespoke.stack.keys import CallsAsGateway
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_payments.settings import PaymentsSettings


class SimulationFailed(RuntimeError):
    pass


async def simulate_success(
    target: str, config: StackConfig | None = None, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Pay ``target``'s open invoice; ``headers`` go with the webhook (e.g. ``traceparent``)."""
    config = config or StackConfig()
    secret = PaymentsSettings().stripe_webhook_secret
    payments = config.service_url("payments")
    operator = CallsAsGateway(config, "payments")  # payments' operator routes, as the factory
    async with httpx.AsyncClient(timeout=15) as client:
        found = await client.get(f"{payments}/internal/operator/invoices/{target}", auth=operator)
        if found.status_code != 200:
            raise SimulationFailed(f"no invoice for {target}: {found.text}")
        invoice = found.json()
        if invoice["status"] not in ("open", "deposit_paid"):
            raise SimulationFailed(f"the invoice for {target} is {invoice['status']}")
        if not invoice.get("payment_intent_id"):
            started = await client.post(
                f"{payments}/internal/operator/invoices/{target}/payment", auth=operator
            )
            if started.status_code != 200:
                raise SimulationFailed(f"starting the payment failed: {started.text}")
            invoice = (
                await client.get(f"{payments}/internal/operator/invoices/{target}", auth=operator)
            ).json()
        event = succeeded_event(invoice)
        payload = json.dumps(event).encode()
        response = await client.post(
            f"{config.gateway_url}/api/v1/webhooks/stripe",
            content=payload,
            headers={
                **(headers or {}),
                "Stripe-Signature": sign(payload, secret),
                "Content-Type": "application/json",
            },
        )
        if response.status_code != 200:
            raise SimulationFailed(f"the webhook was refused: {response.text}")
    return {
        "target": target,
        "invoice_id": invoice["invoice_id"],
        "amount": invoice["total"],
        "currency": invoice["currency"],
        "stripe_event_id": event["id"],
        "outcome": response.json().get("outcome"),
    }
