"""Sign-in sessions of the browser, and the throttling of failed sign-ins. Pure rules."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

SESSION_COOKIE = "bespoke_session"
OPS_SESSION_COOKIE = "bespoke_ops_session"
"""The factory's operators sign in apart from brands (another cookie, another realm)."""

BRANDS, OPERATORS = "brands", "operators"


def hash_secret(secret: str) -> str:
    """Session tokens are random 256-bit secrets: a fast hash is right (they cannot be
    guessed offline), and only the hash is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its cookie's hash, whose it is, and its CSRF token."""

    token_hash: str
    user_id: str
    account_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    realm: str = BRANDS
    """``brands`` (``user_id`` is a brand user's) or ``operators`` (an operator's)."""

    def expired(self, now: datetime, idle: timedelta, absolute: timedelta) -> bool:
        """Unused for ``idle``, or older than ``absolute``."""
        return now - self.last_seen_at > idle or now - self.created_at > absolute

    def seen(self, now: datetime) -> Session:
        return replace(self, last_seen_at=now)


def open_session(
    user_id: str, account_id: str, now: datetime, realm: str = BRANDS
) -> tuple[Session, str]:
    """A new session (a new id at every sign-in) and its cookie value, shown once."""
    token = secrets.token_urlsafe(32)
    session = Session(
        token_hash=hash_secret(token),
        user_id=user_id,
        account_id=account_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        realm=realm,
    )
    return session, token


def csrf_matches(session: Session, sent: str | None) -> bool:
    return sent is not None and secrets.compare_digest(session.csrf_token, sent)


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins counted under one key (an email, or a client address)."""

    count: int
    last_at: datetime


@dataclass(frozen=True)
class ThrottlePolicy:
    """After ``free`` failures each further one doubles the wait, from ``first_delay`` up
    to ``longest`` (a temporary lock); failures older than ``forget_after`` count no more."""

    free: int
    first_delay: timedelta
    longest: timedelta
    forget_after: timedelta

    def current(self, failures: Failures | None, now: datetime) -> int:
        """How many failures still count."""
        if failures is None or now - failures.last_at > self.forget_after:
            return 0
        return failures.count

    def wait(self, failures: Failures | None, now: datetime) -> int:
        """Whole seconds to wait before the next attempt (0: go ahead)."""
        count = self.current(failures, now)
        if failures is None or count < self.free:
            return 0
        doubling = min(count - self.free, 32)
        delay = min(self.first_delay * (1 << doubling), self.longest)
        left = failures.last_at + delay - now
        return max(0, math.ceil(left.total_seconds()))
