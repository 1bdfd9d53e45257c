"""Brand accounts in MongoDB."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.domain.accounts import Account
from bespoke_platform.mongo import Document


class MongoAccountRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._accounts: AsyncCollection[Document] = db.accounts

    async def ensure_indexes(self) -> None:
        await self._accounts.create_index(
            [("token_hash", ASCENDING)], unique=True, name="token_hash"
        )

    async def add(self, account: Account) -> None:
        await self._accounts.insert_one(
            {
                "_id": account.account_id,
                "name": account.name,
                "email": account.email,
                "token_hash": account.token_hash,
                "created_at": account.created_at,
            }
        )

    async def by_token_hash(self, token_hash: str) -> Account | None:
        doc = await self._accounts.find_one({"token_hash": token_hash})
        if doc is None:
            return None
        return Account(
            account_id=doc["_id"],
            name=doc["name"],
            email=doc["email"],
            token_hash=doc["token_hash"],
            created_at=doc["created_at"],
        )
