"""Brand accounts in MongoDB, and the brand tokens a gateway has checked lately.

A token works while its ``tokens`` document exists (hash -> brand): a replacement or
revocation deletes it, with notices in ``token_revocations`` (``adapters.notices``). A
gateway that remembers tokens (``remember_seconds``) answers a known one without a read,
and reads the notices every ``notice_seconds`` (``read_notices``); a token remembered
from before a notice about its brand was read is read again, so a revoked token stops
within that time on every gateway, however long it would otherwise be remembered.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.adapters.notices import MongoChangeNotices, Remembered
from bespoke_gateway.domain.accounts import Account
from bespoke_platform.mongo import Document

REMEMBERED = 10_000
"""Tokens remembered at most (the latest used): a few hundred bytes each."""


class MongoAccountRepository:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        remember_seconds: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``remember_seconds``: how long a checked token is answered from memory (0:
        never; tools that only write leave it so)."""
        self.database = db
        self._accounts: AsyncCollection[Document] = db.accounts
        # token hash -> account id: a request's whole check is one read by `_id` (FerretDB
        # answers those from its primary key; other filters scan the collection). A token
        # works while its document exists: a replacement or revocation deletes it first.
        self._tokens: AsyncCollection[Document] = db.tokens
        self._notices = MongoChangeNotices(db.token_revocations, "account_id", monotonic)
        self._known: Remembered[str, str] = Remembered(
            self._notices, remember_seconds, lambda _, account_id: account_id, REMEMBERED, monotonic
        )
        """token hash -> brand, valid until a notice about the brand is read."""

    async def ensure_indexes(self) -> None:
        await self._accounts.create_index(
            [("token_hash", ASCENDING)], unique=True, name="token_hash"
        )
        await self._notices.ensure_indexes()
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
        """The brand whose token this is: from memory if it was checked here lately, else
        one read by `_id`, known token or not (an unknown one is never remembered)."""
        return await self._known.get(token_hash, lambda: self._brand_of(token_hash))

    async def _brand_of(self, token_hash: str) -> str | None:
        token = await self._tokens.find_one({"_id": token_hash})
        return None if token is None else str(token["account_id"])

    async def read_notices(self) -> int:
        """Read the notices of replaced or revoked tokens: a token remembered from before
        a notice about its brand was read is read again. Returns how many were new."""
        return len(await self._notices.read())

    async def purge_notices(self, now: datetime) -> int:
        return await self._notices.purge(now)

    async def get(self, account_id: str) -> Account | None:
        doc = await self._accounts.find_one({"_id": account_id})
        return None if doc is None else _account(doc)

    async def replace_token(self, account_id: str, token_hash: str | None) -> bool:
        """The brand's token becomes ``token_hash`` (``None``: no token, revoked); the old
        one stops working at once. False if there is no such brand."""
        if await self._accounts.find_one({"_id": account_id}, {"_id": 1}) is None:
            return False
        # The brand's token documents go: from then on the old token is refused, whatever
        # happens to the writes after (a rare write: the scan is fine). A notice before,
        # so gateways forget it even if this process stops right after, and one after,
        # for a gateway that read the token between the first notice and the deletion.
        async with self._notices.around(account_id):
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
