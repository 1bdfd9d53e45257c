"""Opening brand accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from bespoke_gateway.adapters.accounts import MongoAccountRepository
from bespoke_gateway.domain.accounts import open_account


async def create_account(
    repository: MongoAccountRepository, name: str, email: str
) -> dict[str, str]:
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
