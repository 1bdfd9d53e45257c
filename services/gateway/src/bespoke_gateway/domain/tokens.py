"""API tokens for a brand's scripts: named, in a role no higher than their creator's,
shown once and stored hashed, revoked at once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bespoke_gateway.domain.errors import Forbidden
from bespoke_gateway.domain.permissions import PERMISSIONS, Principal, Role
from bespoke_gateway.domain.sessions import hash_secret

API_TOKEN_PREFIX = "bsa_"  # noqa: S105 - a prefix, not a secret
"""Tells an API token from a brand's own token (`bsk_`) without a lookup."""

LAST_USED_EVERY = timedelta(minutes=1)
"""`last_used_at` is recorded at most this often (not a write per request)."""


@dataclass(frozen=True)
class ApiToken:
    token_id: str
    account_id: str
    name: str
    role: Role
    token_hash: str
    created_by: str
    """The actor who made it, e.g. ``user:usr_…`` or ``token:acc_…``."""
    created_at: datetime
    last_used_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(self.account_id, self.role, f"api-token:{self.token_id}")

    def used(self, now: datetime) -> ApiToken | None:
        """The token with ``now`` as its last use, or None when that was recorded lately."""
        if self.last_used_at is not None and now - self.last_used_at < LAST_USED_EVERY:
            return None
        return replace(self, last_used_at=now)


def may_grant(creator: Role, role: Role) -> bool:
    """A token's role may do nothing its creator's cannot, and only an owner grants owner."""
    if role is Role.OWNER and creator is not Role.OWNER:
        return False
    return PERMISSIONS[role] <= PERMISSIONS[creator]


def issue_token(
    creator: Principal, name: str, role: Role | None, now: datetime
) -> tuple[ApiToken, str]:
    """A new API token of ``creator``'s brand and its secret (shown once)."""
    chosen = role or creator.role
    if not may_grant(creator.role, chosen):
        raise Forbidden(
            f"your role `{creator.role.value}` may not make a `{chosen.value}` token: a token "
            "may do nothing you cannot"
        )
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_id=f"tok_{secrets.token_hex(8)}",
        account_id=creator.account_id,
        name=name.strip(),
        role=chosen,
        token_hash=hash_secret(secret),
        created_by=creator.actor,
        created_at=now,
    )
    return token, secret
