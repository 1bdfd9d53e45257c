"""The one module that talks to Stripe (the official SDK; stripe-mock locally)."""

from __future__ import annotations

from typing import Any

import stripe

from bespoke_payments.domain.errors import InvalidWebhook, PaymentProviderUnavailable
from bespoke_payments.domain.model import refund_status
from bespoke_payments.service_layer.ports import MadeRefund, StartedPayment

API_VERSION = "2026-10-28.endive"
"""Pinned, so Stripe's object shapes do not change under us."""


class StripePayments:
    def __init__(self, api_key: str, api_base: str, proxy: str | None = None) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            proxy=proxy,
            stripe_version=API_VERSION,
            max_network_retries=2,
        )

    async def create_payment_intent(
        self, *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str]
    ) -> StartedPayment:
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params={
                    "amount": amount,
                    "currency": currency.lower(),
                    "metadata": metadata,
                    "automatic_payment_methods": {"enabled": True},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise PaymentProviderUnavailable(
                f"Stripe refused or did not answer: {error}"
            ) from error
        return StartedPayment(payment_intent_id=intent.id, client_secret=intent.client_secret or "")

    async def refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> MadeRefund:
        try:
            refund = await self._client.v1.refunds.create_async(
                params={
                    "payment_intent": payment_intent_id,
                    "amount": amount,
                    "reason": "requested_by_customer",
                    "metadata": metadata,
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise PaymentProviderUnavailable(
                f"Stripe refused or did not answer the refund: {error}"
            ) from error
        return MadeRefund(refund.id, refund_status(refund.status))


class StripeWebhookVerifier:
    """Checks `Stripe-Signature` with the SDK (HMAC-SHA256 over `t.payload`, time tolerance)."""

    def __init__(self, secret: str, tolerance_seconds: int = 300) -> None:
        self._secret = secret
        self._tolerance = tolerance_seconds

    def verify(self, payload: bytes, signature: str) -> dict[str, Any]:
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self._secret, tolerance=self._tolerance
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidWebhook(
                f"the Stripe signature does not verify: {error.user_message or error}"
            ) from error
        except ValueError as error:
            raise InvalidWebhook("the webhook body is not a Stripe event") from error
        result: dict[str, Any] = event.to_dict()
        return result
