"""The gateway's unit-test fixtures: the in-memory ports of ``fakes``."""

from __future__ import annotations

import pytest

from bespoke_gateway.domain.accounts import open_account

from .fakes import T0, FakeAccounts, FakeIdempotency, World


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def replies() -> FakeIdempotency:
    return FakeIdempotency()


@pytest.fixture
async def world() -> World:
    made = World()
    account, _ = open_account("Norte", "ops@norte.example", T0)
    await made.accounts.add(account)
    made.account_id = account.account_id
    return made
