"""The gateway's MongoDB adapters on the real MongoDB-wire server: the idempotency store's
claims and answers, and brand tokens that stop working the moment they are replaced."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.adapters.accounts import MongoAccountRepository
from bespoke_gateway.adapters.idempotency import MongoIdempotency
from bespoke_gateway.adapters.people import (
    MongoFailures,
    MongoOperators,
    MongoPasswordLinks,
    MongoSessions,
    MongoUsers,
    person_changes,
)
from bespoke_gateway.domain.accounts import hash_token, new_token, open_account
from bespoke_gateway.domain.errors import IdempotencyKeyReused
from bespoke_gateway.domain.links import LinkPurpose, issue_link
from bespoke_gateway.domain.operators import OperatorRole, new_operator
from bespoke_gateway.domain.permissions import Role
from bespoke_gateway.domain.sessions import Failures, open_session
from bespoke_gateway.domain.users import UserStatus, new_user
from bespoke_gateway.service_layer.ports import StoredResponse

pytestmark = pytest.mark.stack

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CREATED = StoredResponse(201, "application/json", {"Location": "/api/v1/orders/BF-1"}, b"{}")


async def test_the_first_answer_kept_under_a_key_is_the_one_replayed(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    store = MongoIdempotency(fresh_database)
    assert await store.first("r1", "print-a", NOW) is None
    assert await store.keep("r1", "acc_1", "print-a", NOW, CREATED) is None
    later = replace(CREATED, status_code=200, content=b'{"status": "paid"}')

    assert await store.keep("r1", "acc_1", "print-a", NOW, later) == CREATED
    assert await store.first("r1", "print-a", NOW + timedelta(minutes=5)) == CREATED
    with pytest.raises(IdempotencyKeyReused):
        await store.keep("r1", "acc_1", "print-b", NOW, CREATED)
    with pytest.raises(IdempotencyKeyReused):
        await store.first("r1", "print-b", NOW)
    assert await fresh_database.idempotency.count_documents({}) == 1


async def test_concurrent_answers_under_one_key_keep_one(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    store = MongoIdempotency(fresh_database)
    answers = [replace(CREATED, content=f'{{"n": {i}}}'.encode()) for i in range(4)]
    firsts = await asyncio.gather(
        *(store.keep("r2", "acc_1", "p", NOW, answer) for answer in answers)
    )
    kept = [answer for answer, first in zip(answers, firsts, strict=True) if first is None]
    assert len(kept) == 1
    assert all(first in (None, kept[0]) for first in firsts)


async def test_expired_answers_and_answerless_claims_free_the_key(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    store = MongoIdempotency(fresh_database, ttl=timedelta(hours=24))
    assert await store.keep("old", "acc_1", "p", NOW, CREATED) is None
    assert await store.first("old", "other", NOW + timedelta(hours=25)) is None
    assert await store.keep("old", "acc_1", "other", NOW + timedelta(hours=25), CREATED) is None

    # A claim as an older gateway left it (no answer): the next answer takes its place.
    await fresh_database.idempotency.insert_one(
        {
            "_id": "claim",
            "account_id": "acc_1",
            "fingerprint": "p",
            "state": "running",
            "created_at": NOW,
        }
    )
    assert await store.keep("claim", "acc_1", "p", NOW, CREATED) is None
    assert await store.first("claim", "p", NOW) == CREATED
    assert await store.purge(NOW + timedelta(hours=50)) == 2


async def test_a_replaced_or_revoked_token_stops_working_at_once(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    accounts = MongoAccountRepository(fresh_database)
    await accounts.ensure_indexes()
    account, token = open_account("Norte", "ops@norte.example", NOW)
    await accounts.add(account)
    assert await accounts.account_id_for_token(hash_token(token)) == account.account_id

    fresh = new_token()
    assert await accounts.replace_token(account.account_id, hash_token(fresh)) is True
    assert await accounts.account_id_for_token(hash_token(token)) is None
    assert await accounts.account_id_for_token(hash_token(fresh)) == account.account_id

    assert await accounts.replace_token(account.account_id, None) is True
    assert await accounts.account_id_for_token(hash_token(fresh)) is None
    await accounts.ensure_indexes()  # a restart brings no revoked token back
    assert await accounts.account_id_for_token(hash_token(fresh)) is None
    assert await accounts.account_id_for_token(hash_token(token)) is None
    assert await accounts.replace_token("acc_unknown", None) is False


class Monotonic:
    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


async def test_a_remembered_token_stops_on_every_gateway_once_they_read_the_notices(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    clock = Monotonic()
    gateway = MongoAccountRepository(fresh_database, remember_seconds=60, monotonic=clock)
    tool = MongoAccountRepository(fresh_database)  # `bespoke accounts revoke`
    await gateway.ensure_indexes()
    account, token = open_account("Norte", "ops@norte.example", NOW)
    await tool.add(account)
    assert await gateway.account_id_for_token(hash_token(token)) == account.account_id

    await fresh_database.tokens.delete_many({})  # unseen by the gateway: no notice
    assert await gateway.account_id_for_token(hash_token(token)) == account.account_id
    clock.at += 61  # remembered no longer: read again
    assert await gateway.account_id_for_token(hash_token(token)) is None
    await tool.replace_token(account.account_id, account.token_hash)  # the token again
    assert await gateway.read_notices() == 2  # one before the deletion, one after
    clock.at += 1
    assert await gateway.account_id_for_token(hash_token(token)) == account.account_id

    assert await tool.replace_token(account.account_id, None) is True
    assert await gateway.account_id_for_token(hash_token(token)) == account.account_id
    assert await gateway.read_notices() == 2
    assert await gateway.account_id_for_token(hash_token(token)) is None
    assert await gateway.read_notices() == 0, "each notice is applied once"


async def test_a_token_read_while_a_notice_about_its_brand_arrives_is_read_again(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    """The read may predate the revocation the notice announces."""
    gateway = MongoAccountRepository(fresh_database, remember_seconds=60, monotonic=Monotonic())
    tool = MongoAccountRepository(fresh_database)
    account, token = open_account("Norte", "ops@norte.example", NOW)
    await tool.add(account)
    tokens = gateway._tokens

    class NoticeDuringTheRead:
        def __getattr__(self, name: str) -> Any:
            return getattr(tokens, name)

        async def find_one(self, query: dict[str, Any]) -> Any:
            found = await tokens.find_one(query)
            await tool._notices.write(account.account_id)
            await gateway.read_notices()
            return found

    gateway._tokens = NoticeDuringTheRead()  # type: ignore[assignment]
    assert await gateway.account_id_for_token(hash_token(token)) == account.account_id
    gateway._tokens = tokens
    await fresh_database.tokens.delete_many({})
    assert await gateway.account_id_for_token(hash_token(token)) is None


class CountedReads:
    """A collection whose ``find_one`` calls are counted."""

    def __init__(self, collection: Any) -> None:
        self.collection, self.reads = collection, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.collection, name)

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        self.reads += 1
        return await self.collection.find_one(*args, **kwargs)


async def test_a_remembered_user_changes_on_every_gateway_once_they_read_the_notices(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    """The user behind a session is read once a minute, not per request; a deactivation
    or a new role, written anywhere, applies once the gateway has read the notices."""
    clock = Monotonic()
    changes = person_changes(fresh_database, clock)
    gateway = MongoUsers(fresh_database, changes, remember_seconds=60, monotonic=clock)
    tool = MongoUsers(fresh_database)  # another gateway, or `bespoke accounts`
    await gateway.ensure_indexes()
    ana = new_user("acc_1", "ana@norte.example", "Ana", Role.ADMIN, "hash", NOW)
    await tool.add(ana)
    reads = CountedReads(gateway._users)
    gateway._users = reads  # type: ignore[assignment]

    for _ in range(3):
        assert await gateway.current(ana.user_id) == ana
    assert reads.reads == 1
    clock.at += 61
    assert await gateway.current(ana.user_id) == ana
    assert reads.reads == 2

    await tool.save(replace(ana, status=UserStatus.DEACTIVATED))
    assert await gateway.current(ana.user_id) == ana, "until the notices are read"
    assert await changes.read() == [ana.user_id, ana.user_id]  # before the change and after
    clock.at += 1
    deactivated = await gateway.current(ana.user_id)
    assert deactivated is not None
    assert deactivated.status is UserStatus.DEACTIVATED
    assert await gateway.get(ana.user_id) == deactivated, "get always reads"
    assert reads.reads == 4
    assert await changes.read() == [], "each notice is applied once"


async def test_a_person_read_while_a_notice_about_them_arrives_is_read_again(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    """The read may predate the change the notice announces."""
    clock = Monotonic()
    changes = person_changes(fresh_database, clock)
    gateway = MongoOperators(fresh_database, changes, remember_seconds=60, monotonic=clock)
    tool = MongoOperators(fresh_database)
    operator, _ = new_operator("op@bespoke.example", "Op", OperatorRole.PRODUCTION, "hash", NOW)
    await tool.add(operator)
    operators = gateway._operators

    class NoticeDuringTheRead(CountedReads):
        async def find_one(self, *args: Any, **kwargs: Any) -> Any:
            found = await super().find_one(*args, **kwargs)
            await tool.save_password(replace(operator, password_hash="new"))
            await changes.read()
            return found

    during = NoticeDuringTheRead(operators)
    gateway._operators = during  # type: ignore[assignment]
    first = await gateway.current(operator.operator_id)
    assert first is not None
    assert first.password_hash == "hash"
    gateway._operators = operators
    again = await gateway.current(operator.operator_id)
    assert again is not None
    assert again.password_hash == "new"


async def test_an_email_belongs_to_one_user_and_sessions_and_failures_are_kept(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    users = MongoUsers(fresh_database)
    ana = new_user("acc_1", "Ana@Norte.example", "Ana", Role.ADMIN, "hash", NOW)
    assert await users.add(ana) is True
    twin = new_user("acc_2", "ana@norte.EXAMPLE", "Other", Role.VIEWER, "hash", NOW)
    assert await users.add(twin) is False, "the same email, whatever its case"
    assert await users.by_email("ana@norte.example") == ana
    await users.save(replace(ana, role=Role.VIEWER))
    found = await users.get(ana.user_id)
    assert found is not None
    assert found.role is Role.VIEWER

    sessions = MongoSessions(fresh_database)
    session, _ = open_session(ana.user_id, "acc_1", NOW)
    await sessions.add(session)
    await sessions.touch(session.seen(NOW + timedelta(minutes=5)))
    stored = await sessions.get(session.token_hash)
    assert stored is not None
    assert stored.last_seen_at == NOW + timedelta(minutes=5)
    await sessions.delete(session.token_hash)
    assert await sessions.get(session.token_hash) is None

    failures = MongoFailures(fresh_database)
    window = timedelta(minutes=15)
    for minute in range(3):
        await failures.add("email:x", NOW + timedelta(minutes=minute), window)
    assert await failures.get("email:x") == Failures(3, NOW + timedelta(minutes=2))
    await failures.add("email:x", NOW + timedelta(hours=1), window)
    assert await failures.get("email:x") == Failures(1, NOW + timedelta(hours=1)), "forgotten"
    await failures.clear("email:x")
    assert await failures.get("email:x") is None


async def test_a_password_link_is_taken_once_and_replaced_by_the_next(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    store = MongoPasswordLinks(fresh_database)
    first, _ = issue_link("usr_1", LinkPurpose.INVITATION, NOW, timedelta(hours=72), "token:a")
    await store.replace(first)
    assert await store.get(first.secret_hash) == first
    second, _ = issue_link("usr_1", LinkPurpose.PASSWORD_RESET, NOW, timedelta(hours=1), "self")
    await store.replace(second)
    assert await store.get(first.secret_hash) is None, "one live link per person"
    taken = await asyncio.gather(*(store.take(second.secret_hash) for _ in range(5)))
    assert sorted(taken) == [False] * 4 + [True]
    assert await store.get(second.secret_hash) is None


async def test_a_new_password_does_not_bring_back_a_deactivated_user(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    users = MongoUsers(fresh_database)
    invited = new_user("acc_1", "bea@norte.example", "Bea", Role.VIEWER, None, NOW)
    await users.add(invited)
    await users.save(replace(invited, status=UserStatus.DEACTIVATED))
    assert await users.save_password(invited.with_password("$argon2id$…")) is False
    stored = await users.get(invited.user_id)
    assert stored is not None
    assert (stored.status, stored.password_hash) == (UserStatus.DEACTIVATED, None)

    other = new_user("acc_1", "cai@norte.example", "Cai", Role.VIEWER, None, NOW)
    await users.add(other)
    assert await users.save_password(other.with_password("$argon2id$…")) is True
    assert (await users.get(other.user_id)).status is UserStatus.ACTIVE  # type: ignore[union-attr]


async def test_every_session_of_a_person_ends_together(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    sessions = MongoSessions(fresh_database)
    mine = [open_session("usr_1", "acc_1", NOW)[0] for _ in range(3)]
    theirs, _ = open_session("usr_2", "acc_1", NOW)
    for session in [*mine, theirs]:
        await sessions.add(session)
    await sessions.delete_for_user("usr_1")
    assert [await sessions.get(s.token_hash) for s in mine] == [None] * 3
    assert await sessions.get(theirs.token_hash) == theirs


async def test_a_token_is_found_by_its_id_alone_and_old_accounts_get_theirs_at_startup(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    accounts = MongoAccountRepository(fresh_database)
    account, token = open_account("Norte", "ops@norte.example", NOW)
    await fresh_database.accounts.insert_one(  # as stored before token documents existed
        {
            "_id": account.account_id,
            "name": account.name,
            "email": account.email,
            "token_hash": account.token_hash,
            "created_at": account.created_at,
        }
    )
    assert await accounts.account_id_for_token(hash_token(token)) is None, "no scan of accounts"
    await accounts.ensure_indexes()
    assert await accounts.account_id_for_token(hash_token(token)) == account.account_id
    assert await accounts.replace_token(account.account_id, None) is True
    await accounts.ensure_indexes()  # the next start: it was given its document once
    assert await accounts.account_id_for_token(hash_token(token)) is None


async def test_housekeeping_forgets_what_has_expired_and_keeps_the_rest(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    replies = MongoIdempotency(fresh_database, ttl=timedelta(hours=24))
    await replies.ensure_indexes()
    indexes = await fresh_database.idempotency.index_information()
    assert indexes["created_at"]["key"] == [("created_at", 1)], "the purge reads by age"
    sessions, links = MongoSessions(fresh_database), MongoPasswordLinks(fresh_database)
    await replies.keep("old", "acc_1", "p", NOW - timedelta(hours=25), CREATED)
    await replies.keep("new", "acc_1", "p", NOW - timedelta(hours=1), CREATED)
    idle, _ = open_session("usr_1", "acc_1", NOW - timedelta(hours=9))
    fresh, _ = open_session("usr_2", "acc_1", NOW - timedelta(minutes=5))
    for session in (idle, fresh):
        await sessions.add(session)
    expired, _ = issue_link(
        "usr_1", LinkPurpose.PASSWORD_RESET, NOW - timedelta(hours=2), timedelta(hours=1), "self"
    )
    live, _ = issue_link("usr_2", LinkPurpose.INVITATION, NOW, timedelta(hours=72), "token:acc_1")
    for link in (expired, live):
        await links.replace(link)

    assert await replies.purge(NOW) == 1
    assert await sessions.purge(NOW - timedelta(hours=8), NOW - timedelta(days=7)) == 1
    assert await links.purge(NOW) == 1
    assert await replies.first("new", "p", NOW) == CREATED, "a recent answer stays"
    assert await sessions.get(fresh.token_hash) == fresh
    assert await sessions.get(idle.token_hash) is None
    assert await links.get(live.secret_hash) == live
