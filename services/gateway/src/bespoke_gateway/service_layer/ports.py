"""What the gateway's use cases need from the outside world; adapters implement these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bespoke_contracts.api.notifications import AccountEmailRequest
from bespoke_gateway.domain.accounts import Account
from bespoke_gateway.domain.links import PasswordLink
from bespoke_gateway.domain.operators import Operator
from bespoke_gateway.domain.sessions import Failures, Session
from bespoke_gateway.domain.tokens import ApiToken
from bespoke_gateway.domain.users import User


@dataclass(frozen=True)
class StoredResponse:
    """An answer as the client got it: what a retry with the same key gets again."""

    status_code: int
    media_type: str
    headers: dict[str, str]
    content: bytes


class IdempotencyStore(Protocol):
    """The answers to creating POSTs, by brand, route and Idempotency-Key."""

    async def ensure_indexes(self) -> None: ...

    async def keep(
        self, rid: str, account_id: str, print_: str, now: datetime, response: StoredResponse
    ) -> StoredResponse | None:
        """Keep a successful answer for retries, in one write (None), or return the
        answer an identical request kept first. Raises ``IdempotencyKeyReused`` if a
        different request used the key."""
        ...

    async def first(self, rid: str, print_: str, now: datetime) -> StoredResponse | None:
        """The answer kept under the key, if any. Raises ``IdempotencyKeyReused`` if a
        different request used the key."""
        ...

    async def purge(self, now: datetime) -> int:
        """Forget answers too old to be replayed; returns how many."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class AccountRepository(Protocol):
    """Brands and their admin tokens (stored hashed)."""

    async def ensure_indexes(self) -> None: ...

    async def add(self, account: Account) -> None: ...

    async def account_id_for_token(self, token_hash: str) -> str | None:
        """The brand whose (unrevoked) token hashes to ``token_hash``."""
        ...

    async def get(self, account_id: str) -> Account | None: ...

    async def replace_token(self, account_id: str, token_hash: str | None) -> bool:
        """Set (or, with None, revoke) the brand's token; False if there is no such brand."""
        ...

    async def read_notices(self) -> int:
        """Forget the tokens remembered here of brands whose token was replaced or
        revoked since the last read; returns how many notices were new."""
        ...

    async def purge_notices(self, now: datetime) -> int:
        """Forget notices too old to matter; returns how many."""
        ...


class PasswordHasher(Protocol):
    """Password hashes whose parameters travel with them (argon2id)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` is the one hashed; never raises for a wrong one."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with weaker parameters than today's."""
        ...


class ChangeNotices(Protocol):
    """Notices of changes to what the gateways remember of credential checks (each
    gateway reads them every second; ``adapters.notices``)."""

    async def read(self) -> list[str]:
        """The subjects named since the last read."""
        ...

    async def purge(self, now: datetime) -> int:
        """Forget the notices every gateway has read."""
        ...


class UserRepository(Protocol):
    """Brand users; an email belongs to one user at most (case-insensitively)."""

    async def add(self, user: User) -> bool:
        """False, and nothing stored, when the email is taken."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def current(self, user_id: str) -> User | None:
        """The user as a credential check sees them: as of at most a second after their
        last change (possibly from memory), where ``get`` reads the stored user."""
        ...

    async def by_email(self, email: str) -> User | None:
        """``email`` in its normal form (``normalize_email``)."""
        ...

    async def save(self, user: User) -> None: ...

    async def save_password(self, user: User) -> bool:
        """Store the user's new password and status, unless they have been deactivated
        meanwhile (False: nothing stored)."""
        ...

    async def for_brand(self, account_id: str) -> list[User]: ...

    async def ensure_indexes(self) -> None: ...


class SessionStore(Protocol):
    """Browser sessions by the hash of their cookie."""

    async def add(self, session: Session) -> None: ...

    async def get(self, token_hash: str) -> Session | None: ...

    async def touch(self, session: Session) -> None:
        """Record the session's ``last_seen_at``."""
        ...

    async def delete(self, token_hash: str) -> None: ...

    async def delete_for_user(self, user_id: str) -> None:
        """End every session of this person (a password reset, a deactivation)."""
        ...

    async def purge(self, idle_before: datetime, created_before: datetime) -> int:
        """Forget sessions unused since ``idle_before`` or begun before ``created_before``
        (ended by their timeouts, however never used again); returns how many."""
        ...


class FailureCounter(Protocol):
    """Failed sign-ins by key (an email, a client address)."""

    async def get(self, key: str) -> Failures | None: ...

    async def add(self, key: str, now: datetime, forget_after: timedelta) -> None:
        """Count one more failure (starting again from one after ``forget_after``)."""
        ...

    async def clear(self, key: str) -> None: ...


class ApiTokenStore(Protocol):
    """A brand's API tokens, by the hash of their secret."""

    async def ensure_indexes(self) -> None: ...

    async def add(self, token: ApiToken) -> None: ...

    async def by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def for_brand(self, account_id: str) -> list[ApiToken]: ...

    async def touch(self, token: ApiToken) -> None:
        """Record the token's ``last_used_at``."""
        ...

    async def revoke(self, account_id: str, token_id: str) -> bool:
        """False when the brand has no such token."""
        ...

    async def revoke_made_by(self, account_id: str, created_by: str) -> int:
        """Revoke every token of the brand that ``created_by`` made; returns how many."""
        ...


class OperatorRepository(Protocol):
    """The factory's operators; an email and a token belong to one operator at most."""

    async def add(self, operator: Operator) -> bool:
        """False, and nothing stored, when the email is taken."""
        ...

    async def get(self, operator_id: str) -> Operator | None: ...

    async def current(self, operator_id: str) -> Operator | None:
        """As ``UserRepository.current``."""
        ...

    async def by_email(self, email: str) -> Operator | None: ...

    async def by_token_hash(self, token_hash: str) -> Operator | None: ...

    async def save_password(self, operator: Operator) -> None:
        """Store the operator's (rehashed) password."""
        ...


class PasswordLinkStore(Protocol):
    """Live password links by the hash of their secret; one per person at most."""

    async def replace(self, link: PasswordLink) -> None:
        """Keep ``link`` as its person's only live link (any earlier one dies)."""
        ...

    async def get(self, secret_hash: str) -> PasswordLink | None: ...

    async def take(self, secret_hash: str) -> bool:
        """Consume the link: True for exactly one caller, however many race."""
        ...

    async def purge(self, now: datetime) -> int:
        """Forget links that have expired unused; returns how many."""
        ...


class AccountMailer(Protocol):
    """Sends a person an email about their account (the notifications service)."""

    async def send(self, link_id: str, email: AccountEmailRequest) -> None:
        """Queued for sending, at most once per ``link_id``; ``UpstreamUnavailable`` when
        it could not be queued."""
        ...

    async def aclose(self) -> None: ...
