"""What the gateway forgets on its own, so its collections do not grow forever:
idempotency answers past their 24 hours, sessions past their timeouts (also those never
used again, which no request would end), and password links expired unused."""

from __future__ import annotations

import logging

from bespoke_gateway.service_layer.identity import IdentityDeps
from bespoke_gateway.service_layer.ports import Clock, IdempotencyStore, PasswordLinkStore

log = logging.getLogger(__name__)


async def sweep(
    clock: Clock,
    replies: IdempotencyStore,
    identity: IdentityDeps | None,
    links: PasswordLinkStore | None,
) -> dict[str, int]:
    """One pass; returns how many of each were forgotten."""
    now = clock.now()
    forgotten = {"idempotency_records": await replies.purge(now)}
    if identity is not None:
        forgotten["sessions"] = await identity.sessions.purge(
            now - identity.rules.idle, now - identity.rules.absolute
        )
    if links is not None:
        forgotten["password_links"] = await links.purge(now)
    if any(forgotten.values()):
        log.info("housekeeping forgot %s", forgotten)
    return forgotten
