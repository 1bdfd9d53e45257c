"""What the gateway forgets on its own, so its collections do not grow forever:
idempotency answers past their 24 hours, sessions past their timeouts (also those never
used again, which no request would end), password links expired unused, and notices of
changes (revoked tokens, changed people) every gateway has read."""

from __future__ import annotations

import logging

from bespoke_gateway.service_layer.identity import IdentityDeps
from bespoke_gateway.service_layer.ports import (
    AccountRepository,
    ChangeNotices,
    Clock,
    IdempotencyStore,
    PasswordLinkStore,
)

log = logging.getLogger(__name__)


async def sweep(
    clock: Clock,
    replies: IdempotencyStore,
    identity: IdentityDeps | None,
    links: PasswordLinkStore | None,
    accounts: AccountRepository | None = None,
    person_changes: ChangeNotices | None = None,
) -> dict[str, int]:
    """One pass; returns how many of each were forgotten."""
    now = clock.now()
    forgotten = {"idempotency_records": await replies.purge(now)}
    if accounts is not None:
        forgotten["token_notices"] = await accounts.purge_notices(now)
    if person_changes is not None:
        forgotten["person_notices"] = await person_changes.purge(now)
    if identity is not None:
        forgotten["sessions"] = await identity.sessions.purge(
            now - identity.rules.idle, now - identity.rules.absolute
        )
    if links is not None:
        forgotten["password_links"] = await links.purge(now)
    if any(forgotten.values()):
        log.info("housekeeping forgot %s", forgotten)
    return forgotten
