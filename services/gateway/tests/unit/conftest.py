"""In-memory stand-ins for the gateway's ports, each a subclass of the port it replaces,
so mypy checks that it keeps the port's shape; tests get them as fixtures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from bespoke_gateway.domain.accounts import Account
from bespoke_gateway.domain.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from bespoke_gateway.service_layer.ports import AccountRepository, IdempotencyStore, StoredResponse


class FakeAccounts(AccountRepository):
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    async def ensure_indexes(self) -> None:
        return None

    async def add(self, account: Account) -> None:
        self.accounts[account.token_hash] = account

    async def by_token_hash(self, token_hash: str) -> Account | None:
        return self.accounts.get(token_hash)

    async def get(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.account_id == account_id), None)

    async def replace_token(self, account_id: str, token_hash: str | None) -> bool:
        for old, account in list(self.accounts.items()):
            if account.account_id == account_id:
                del self.accounts[old]
                if token_hash is not None:
                    self.accounts[token_hash] = replace(account, token_hash=token_hash)
                return True
        return False


class FakeIdempotency(IdempotencyStore):
    """The idempotency store's rules, in memory."""

    def __init__(self) -> None:
        self.records: dict[str, Any] = {}

    async def begin(
        self, rid: str, account_id: str, print_: str, now: datetime
    ) -> StoredResponse | None:
        record = self.records.get(rid)
        if record is None:
            self.records[rid] = {"fingerprint": print_, "response": None}
            return None
        if record["fingerprint"] != print_:
            raise IdempotencyKeyReused("used for a different request")
        if record["response"] is None:
            raise IdempotencyKeyInProgress("still running")
        stored: StoredResponse = record["response"]
        return stored

    async def finish(self, rid: str, response: StoredResponse) -> None:
        if 200 <= response.status_code < 300:
            self.records[rid]["response"] = response
        else:
            del self.records[rid]

    async def abandon(self, rid: str) -> None:
        self.records.pop(rid, None)


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def replies() -> FakeIdempotency:
    return FakeIdempotency()
