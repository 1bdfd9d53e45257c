"""What Stripe sends after a successful card payment, made locally: a correctly signed
``payment_intent.succeeded`` event for an invoice's payment. Used by ``bespoke payments
simulate-success`` and by the web UI's "Simulate successful payment" control, which
exists only where the gateway is given the webhook secret (a local stack running
against stripe-mock)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Mapping
from typing import Any


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value: `t=<unix time>,v1=<HMAC-SHA256 of "t.payload">`."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def succeeded_event(invoice: Mapping[str, Any], amount: int | None = None) -> dict[str, Any]:
    """A `payment_intent.succeeded` event as Stripe sends it, for an invoice's payment
    (the Pay page's `invoice_id`, `version`, `target`, `total`, `currency` and
    `payment_intent_id`)."""
    paid = (invoice.get("payment_amount") or invoice["total"]) if amount is None else amount
    part = invoice.get("payment_part") or "full"
    return {
        "id": f"evt_sim_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": {
            "object": {
                "id": invoice["payment_intent_id"],
                "object": "payment_intent",
                "amount": paid,
                "amount_received": paid,
                "currency": str(invoice["currency"]).lower(),
                "status": "succeeded",
                "metadata": {
                    "invoice_id": invoice["invoice_id"],
                    "invoice_version": str(invoice["version"]),
                    "target": invoice["target"],
                    **({"part": part} if part != "full" else {}),
                },
            }
        },
    }
