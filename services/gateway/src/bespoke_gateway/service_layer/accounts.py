"""Opening brand accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from bespoke_gateway.domain.accounts import hash_token, new_token, open_account
from bespoke_gateway.domain.errors import InvalidAccount
from bespoke_gateway.service_layer.ports import AccountRepository


async def create_account(repository: AccountRepository, name: str, email: str) -> dict[str, str]:
    """Open a brand; returns its id and admin token (shown once)."""
    account, token = open_account(name, email, datetime.now(UTC))
    await repository.ensure_indexes()
    await repository.add(account)
    return {
        "account_id": account.account_id,
        "name": account.name,
        "email": account.email,
        "token": token,
    }


async def revoke_token(repository: AccountRepository, account_id: str) -> dict[str, str]:
    """The brand's token stops working (within a second on every gateway; its data stays)."""
    if not await repository.replace_token(account_id, None):
        raise InvalidAccount(f"no brand {account_id}")
    return {"account_id": account_id, "token": "revoked"}


async def issue_token(repository: AccountRepository, account_id: str) -> dict[str, str]:
    """A new token for the brand (shown once); the previous one stops working."""
    token = new_token()
    if not await repository.replace_token(account_id, hash_token(token)):
        raise InvalidAccount(f"no brand {account_id}")
    return {"account_id": account_id, "token": token}
