"""What the gateway's use cases need from the outside world; adapters implement these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bespoke_gateway.domain.accounts import Account


@dataclass(frozen=True)
class StoredResponse:
    """An answer as the client got it: what a retry with the same key gets again."""

    status_code: int
    media_type: str
    headers: dict[str, str]
    content: bytes


class IdempotencyStore(Protocol):
    """The answers to creating POSTs, by brand, route and Idempotency-Key."""

    async def begin(
        self, rid: str, account_id: str, print_: str, now: datetime
    ) -> StoredResponse | None:
        """Claim the key for this request (None: go ahead), or the answer a previous
        identical request got. Raises ``IdempotencyKeyReused`` if a different request
        used the key, ``IdempotencyKeyInProgress`` if one with it is still running."""
        ...

    async def finish(self, rid: str, response: StoredResponse) -> None:
        """Keep a successful answer for retries; forget a refused or failed one."""
        ...

    async def abandon(self, rid: str) -> None:
        """Forget the claim of a request that produced no answer."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class AccountRepository(Protocol):
    """Brands and their admin tokens (stored hashed)."""

    async def ensure_indexes(self) -> None: ...

    async def add(self, account: Account) -> None: ...

    async def by_token_hash(self, token_hash: str) -> Account | None: ...

    async def replace_token(self, account_id: str, token_hash: str | None) -> bool:
        """Set (or, with None, revoke) the brand's token; False if there is no such brand."""
        ...
