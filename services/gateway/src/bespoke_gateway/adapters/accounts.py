"""Brand accounts in MongoDB."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.domain.accounts import Account
from bespoke_platform.mongo import Document


class MongoAccountRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.database = db
        self._accounts: AsyncCollection[Document] = db.accounts
        # token hash -> account id: a request's whole check is one read by `_id` (FerretDB
        # answers those from its primary key; other filters scan the collection). A token
        # works while its document exists: a replacement or revocation deletes it first.
        self._tokens: AsyncCollection[Document] = db.tokens

    async def ensure_indexes(self) -> None:
        await self._accounts.create_index(
            [("token_hash", ASCENDING)], unique=True, name="token_hash"
        )
        # Accounts stored before the token documents existed get theirs once, here at
        # startup (marked `token_indexed`, so a token revoked later is never brought back),
        # and a request's lookup never has to fall back to scanning accounts.
        unindexed = await self._accounts.find(
            {"token_indexed": {"$exists": False}}, {"token_hash": 1}
        ).to_list()
        for doc in unindexed:
            if not str(doc["token_hash"]).startswith("revoked:"):
                await self._tokens.update_one(
                    {"_id": doc["token_hash"]}, {"$set": {"account_id": doc["_id"]}}, upsert=True
                )
            await self._accounts.update_one({"_id": doc["_id"]}, {"$set": {"token_indexed": True}})

    async def add(self, account: Account) -> None:
        await self._accounts.insert_one(
            {
                "_id": account.account_id,
                "name": account.name,
                "email": account.email,
                "token_hash": account.token_hash,
                "created_at": account.created_at,
                "token_indexed": True,
            }
        )
        await self._tokens.insert_one({"_id": account.token_hash, "account_id": account.account_id})

    async def account_id_for_token(self, token_hash: str) -> str | None:
        """The brand whose token this is: one read by `_id`, known token or not."""
        token = await self._tokens.find_one({"_id": token_hash})
        return None if token is None else str(token["account_id"])

    async def get(self, account_id: str) -> Account | None:
        doc = await self._accounts.find_one({"_id": account_id})
        return None if doc is None else _account(doc)

    async def replace_token(self, account_id: str, token_hash: str | None) -> bool:
        """The brand's token becomes ``token_hash`` (``None``: no token, revoked); the old
        one stops working at once. False if there is no such brand."""
        if await self._accounts.find_one({"_id": account_id}, {"_id": 1}) is None:
            return False
        # The brand's token documents go first: from then on the old token is refused,
        # whatever happens to the writes after (a rare write, so the scan is fine).
        await self._tokens.delete_many({"account_id": account_id})
        stored = token_hash or f"revoked:{account_id}:{secrets.token_hex(8)}"
        await self._accounts.update_one(
            {"_id": account_id},
            {"$set": {"token_hash": stored, "token_changed_at": datetime.now(UTC)}},
        )
        if token_hash is not None:
            await self._tokens.insert_one({"_id": token_hash, "account_id": account_id})
        return True


def _account(doc: Document) -> Account:
    return Account(
        account_id=doc["_id"],
        name=doc["name"],
        email=doc["email"],
        token_hash=doc["token_hash"],
        created_at=doc["created_at"],
    )
