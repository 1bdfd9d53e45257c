"""Share links: a read-only page of one design version that opens without signing in.

The link's secret (192 random bits, URL-safe) is shown once; only its SHA-256 is kept,
as the link's record id, so the store alone cannot open a page. A link expires and can
be revoked; an archived design's links stop working.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

SECRET_BYTES = 24
"""192 bits: guessing one of even a billion live links is hopeless."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Share:
    share_id: str
    """``shr_`` and the first 16 hex digits of the secret's digest: what revokes it."""
    secret_digest: str
    account_id: str
    design_id: str
    version: int
    created_at: datetime
    created_by: str | None
    expires_at: datetime
    revoked_at: datetime | None = None

    def open_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def new_share(
    account_id: str,
    design_id: str,
    version: int,
    days: int,
    now: datetime,
    actor: str | None,
) -> tuple[Share, str]:
    """A new link and its secret (the only time the secret exists outside the page)."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    hashed = digest(secret)
    share = Share(
        f"shr_{hashed[:16]}",
        hashed,
        account_id,
        design_id,
        version,
        now,
        actor,
        now + timedelta(days=days),
    )
    return share, secret
