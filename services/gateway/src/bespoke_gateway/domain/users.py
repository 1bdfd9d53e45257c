"""People of a brand: users with a role, who sign in with an email and a password.

Pure model: no I/O, no hashing library (the hasher is a port). A user's password is kept
only as a hash whose parameters travel with it, so they can be raised later.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bespoke_gateway.domain.errors import Forbidden, InvalidUser, WeakPassword
from bespoke_gateway.domain.permissions import Principal, Role

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
"""Longer is refused before hashing: nobody types more, and hashing megabytes is a DoS."""


class UserStatus(StrEnum):
    INVITED = "invited"
    """Invited, with no password yet: becomes active on setting one from the email's link."""
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: the form they are stored and looked up in."""
    normal = unicodedata.normalize("NFKC", email).strip().casefold()
    if not _EMAIL.fullmatch(normal) or len(normal) > 254:
        raise InvalidUser(f"{email!r} is not an email address")
    return normal


def check_password(password: str, email: str, common: Container[str]) -> None:
    """A password a person may choose: long enough, not too long, not one of the common
    ones (``common``: a list of the most used passwords), not the email itself."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    folded = password.casefold()
    if folded in common:
        problems.append("not one of the most common passwords")
    if folded in {email.casefold(), email.casefold().split("@")[0]}:
        problems.append("not your email address")
    if problems:
        raise WeakPassword("choose a password that is " + ", ".join(problems))


@dataclass(frozen=True)
class User:
    """A person of a brand, in one role."""

    user_id: str
    account_id: str
    email: str
    name: str
    role: Role
    status: UserStatus
    password_hash: str | None
    """None until the person sets a password (an invitation)."""
    created_at: datetime

    @property
    def active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    def changed_by(self, manager: Principal, role: Role | None, deactivate: bool) -> User:
        """This user after ``manager`` (an owner or admin of the brand) changes their role or
        deactivates them. Nobody changes their own; only an owner changes an owner or
        makes one (``Forbidden``)."""
        if manager.actor == f"user:{self.user_id}":
            raise Forbidden("you cannot change your own role or deactivate yourself")
        touches_owner = self.role is Role.OWNER or role is Role.OWNER
        if touches_owner and manager.role is not Role.OWNER:
            raise Forbidden("only an owner may change an owner or make one")
        return replace(
            self,
            role=role or self.role,
            status=UserStatus.DEACTIVATED if deactivate else self.status,
        )

    def with_password(self, password_hash: str) -> User:
        """This user with a new password; an invited user becomes active by setting it.
        A deactivated user's links are dead (``Forbidden``)."""
        if self.status is UserStatus.DEACTIVATED:
            raise Forbidden("this user has been deactivated")
        return replace(self, password_hash=password_hash, status=UserStatus.ACTIVE)

    def principal(self) -> Principal:
        """What a request signed in as this user acts as."""
        return Principal(self.account_id, self.role, f"user:{self.user_id}")


def check_invitation(manager: Principal, role: Role) -> None:
    """Only an owner may make an owner, by invitation as by a change of role."""
    if role is Role.OWNER and manager.role is not Role.OWNER:
        raise Forbidden("only an owner may make an owner")


def new_user(
    account_id: str, email: str, name: str, role: Role, password_hash: str | None, now: datetime
) -> User:
    """A user who signs in with ``password_hash``'s password, or (None) an invited one."""
    return User(
        user_id=f"usr_{secrets.token_hex(12)}",
        account_id=account_id,
        email=normalize_email(email),
        name=name.strip() or normalize_email(email).split("@")[0],
        role=role,
        status=UserStatus.INVITED if password_hash is None else UserStatus.ACTIVE,
        password_hash=password_hash,
        created_at=now,
    )
