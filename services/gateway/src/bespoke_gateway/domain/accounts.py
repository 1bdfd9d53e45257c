"""Brands (customer accounts) and their admin tokens.

Tokens are random 256-bit secrets shown once; only their SHA-256 is stored. A fast hash is
right here (unlike passwords): the secret has full entropy, so it cannot be guessed offline.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from bespoke_gateway.domain.errors import InvalidAccount

TOKEN_PREFIX = "bsk_"  # noqa: S105 - a prefix, not a secret
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Account:
    """A brand: the tenant every order, design and invoice belongs to."""

    account_id: str
    name: str
    email: str
    token_hash: str
    created_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A random admin token: 256 bits, URL-safe, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def open_account(name: str, email: str, now: datetime) -> tuple[Account, str]:
    """A new brand and its admin token (the token is returned once, never stored)."""
    name = name.strip()
    email = email.strip()
    if not name or len(name) > 200:
        raise InvalidAccount("the brand name must have 1 to 200 characters")
    if not _EMAIL.match(email):
        raise InvalidAccount(f"{email!r} is not an email address")
    token = new_token()
    account = Account(
        account_id="acc_" + secrets.token_hex(8),
        name=name,
        email=email,
        token_hash=hash_token(token),
        created_at=now,
    )
    return account, token
