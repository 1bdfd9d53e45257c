"""Notification handlers: one per event type."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts import OrderSubmitted
from bespoke_notifications.domain.emails import Email, order_confirmation
from bespoke_notifications.service_layer.ports import Mailer, SentLog


@dataclass(frozen=True)
class NotificationsDeps:
    mailer: Mailer
    sent: SentLog


async def _send_once(email: Email, deps: NotificationsDeps) -> bool:
    """Send unless already sent. A crash between send and record can repeat one email;
    the Message-ID is derived from ``dedup_key`` so mail clients fold such a repeat."""
    if await deps.sent.was_sent(email.dedup_key):
        return False
    await deps.mailer.send(email)
    await deps.sent.record(email)
    return True


async def on_order_submitted(event: OrderSubmitted, deps: NotificationsDeps) -> bool:
    """Email the order specifications to the brand's billing contact."""
    return await _send_once(order_confirmation(event), deps)
