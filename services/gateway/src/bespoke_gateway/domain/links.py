"""Password links: the single-use, expiring link an email carries so a person can set a
password, either to accept an invitation or to reset a forgotten one. Pure rules.

The link's secret travels only in the email (in the URL's fragment, which browsers never
send to a server); the gateway keeps its hash. A person has at most one live link: a new
one replaces the one before, and using it consumes it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bespoke_gateway.domain.sessions import hash_secret

LINK_PREFIX = "bsl_"
"""Tells a password link's secret from every other credential of the gateway."""


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    """A new user sets their first password (and becomes active)."""
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
    """A user who forgot their password sets a new one (their sessions end)."""


@dataclass(frozen=True)
class PasswordLink:
    link_id: str
    """Names the link (and its email) without revealing its secret."""
    secret_hash: str
    user_id: str
    purpose: LinkPurpose
    created_at: datetime
    expires_at: datetime
    created_by: str
    """The actor who asked for it: the inviter, or ``self`` for a reset."""

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def issue_link(
    user_id: str, purpose: LinkPurpose, now: datetime, lasts: timedelta, created_by: str
) -> tuple[PasswordLink, str]:
    """A new link for ``user_id`` and its secret (emailed, never stored)."""
    secret = LINK_PREFIX + secrets.token_urlsafe(32)
    link = PasswordLink(
        link_id=f"lnk_{secrets.token_hex(12)}",
        secret_hash=hash_secret(secret),
        user_id=user_id,
        purpose=purpose,
        created_at=now,
        expires_at=now + lasts,
        created_by=created_by,
    )
    return link, secret
