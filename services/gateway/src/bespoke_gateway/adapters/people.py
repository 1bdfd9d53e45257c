"""Brand users, operators, browser sessions and failed sign-ins in MongoDB.

Each is read by ``_id`` alone (the fast path on FerretDB): users by id, with a small
``user_emails`` document per email that names its user and whose unique ``_id`` keeps
an email to one user; sessions by the hash of their cookie; failures by their key.

The person behind a session or an API token is checked on every request: a gateway
answers ``current`` from memory for ``remember_seconds`` after reading it. Every change
to a user or an operator leaves notices in ``person_changes`` (``adapters.notices``),
which the gateways read every second: a person remembered from before a notice about
them was read is read again, so a deactivation or a new role applies within a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.adapters.notices import MongoChangeNotices, Remembered
from bespoke_gateway.domain.links import LinkPurpose, PasswordLink
from bespoke_gateway.domain.operators import Operator, OperatorRole
from bespoke_gateway.domain.permissions import Role
from bespoke_gateway.domain.sessions import BRANDS, Failures, Session
from bespoke_gateway.domain.tokens import ApiToken
from bespoke_gateway.domain.users import User, UserStatus
from bespoke_platform.mongo import Document, insert_new

T = TypeVar("T")

REMEMBERED = 10_000
"""People remembered at most (the latest checked): under a kilobyte each."""


def person_changes(
    db: AsyncDatabase[Document], monotonic: Callable[[], float] = time.monotonic
) -> MongoChangeNotices:
    """The notices of changes to brand users and operators."""
    return MongoChangeNotices(db.person_changes, "person_id", monotonic)


class _People(Generic[T]):
    """What the users' and the operators' repositories share: the notices their changes
    write, and the people ``current`` remembers."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        changes: MongoChangeNotices | None = None,
        remember_seconds: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``changes``: the notices the gateway reads (``person_changes``); a tool that only
        writes leaves it and ``remember_seconds`` (0: ``current`` reads every time)."""
        self._changes = changes or person_changes(db, monotonic)
        self._remembered: Remembered[str, T] = Remembered(
            self._changes, remember_seconds, lambda person_id, _: person_id, REMEMBERED, monotonic
        )
        self._bind(db)

    def _bind(self, db: AsyncDatabase[Document]) -> None:
        raise NotImplementedError

    async def get(self, person_id: str) -> T | None:
        raise NotImplementedError

    async def current(self, person_id: str) -> T | None:
        return await self._remembered.get(person_id, lambda: self.get(person_id))


class MongoUsers(_People[User]):
    def _bind(self, db: AsyncDatabase[Document]) -> None:
        self._users: AsyncCollection[Document] = db.users
        self._emails: AsyncCollection[Document] = db.user_emails

    async def add(self, user: User) -> bool:
        if not await insert_new(self._emails, {"_id": user.email, "user_id": user.user_id}):
            return False
        await self._users.insert_one({"_id": user.user_id, **_fields(user)})
        return True

    async def get(self, person_id: str) -> User | None:
        doc = await self._users.find_one({"_id": person_id})
        return None if doc is None else _user(doc)

    async def by_email(self, email: str) -> User | None:
        link = await self._emails.find_one({"_id": email})
        if link is None:
            return None
        user = await self.get(link["user_id"])
        return user if user is not None and user.email == email else None

    async def save(self, user: User) -> None:
        async with self._changes.around(user.user_id):
            await self._users.update_one({"_id": user.user_id}, {"$set": _fields(user)})

    async def save_password(self, user: User) -> bool:
        async with self._changes.around(user.user_id):
            changed = await self._users.update_one(
                {"_id": user.user_id, "status": {"$ne": UserStatus.DEACTIVATED.value}},
                {"$set": {"password_hash": user.password_hash, "status": user.status.value}},
            )
        return changed.matched_count == 1

    async def for_brand(self, account_id: str) -> list[User]:
        docs = await self._users.find({"account_id": account_id}).to_list()
        return sorted((_user(d) for d in docs), key=lambda u: (u.created_at, u.user_id))

    async def ensure_indexes(self) -> None:
        await self._users.create_index("account_id", name="brand")
        await self._changes.ensure_indexes()


def _fields(user: User) -> Document:
    return {
        "account_id": user.account_id,
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "status": user.status.value,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
    }


def _user(doc: Document) -> User:
    return User(
        user_id=doc["_id"],
        account_id=doc["account_id"],
        email=doc["email"],
        name=doc["name"],
        role=Role(doc["role"]),
        status=UserStatus(doc["status"]),
        password_hash=doc.get("password_hash"),
        created_at=doc["created_at"],
    )


class MongoSessions:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions: AsyncCollection[Document] = db.sessions

    async def add(self, session: Session) -> None:
        await self._sessions.insert_one(
            {
                "_id": session.token_hash,
                "user_id": session.user_id,
                "account_id": session.account_id,
                "csrf_token": session.csrf_token,
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
                "realm": session.realm,
            }
        )

    async def get(self, token_hash: str) -> Session | None:
        doc = await self._sessions.find_one({"_id": token_hash})
        if doc is None:
            return None
        return Session(
            token_hash=doc["_id"],
            user_id=doc["user_id"],
            account_id=doc["account_id"],
            csrf_token=doc["csrf_token"],
            created_at=doc["created_at"],
            last_seen_at=doc["last_seen_at"],
            realm=doc.get("realm", BRANDS),
        )

    async def touch(self, session: Session) -> None:
        await self._sessions.update_one(
            {"_id": session.token_hash}, {"$set": {"last_seen_at": session.last_seen_at}}
        )

    async def delete(self, token_hash: str) -> None:
        await self._sessions.delete_one({"_id": token_hash})

    async def delete_for_user(self, user_id: str) -> None:
        await self._sessions.delete_many({"user_id": user_id})

    async def purge(self, idle_before: datetime, created_before: datetime) -> int:
        gone = await self._sessions.delete_many(
            {
                "$or": [
                    {"last_seen_at": {"$lt": idle_before}},
                    {"created_at": {"$lt": created_before}},
                ]
            }
        )
        return gone.deleted_count


class MongoFailures:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._failures: AsyncCollection[Document] = db.sign_in_failures

    async def get(self, key: str) -> Failures | None:
        doc = await self._failures.find_one({"_id": key})
        return None if doc is None else Failures(doc["count"], doc["last_at"])

    async def add(self, key: str, now: datetime, forget_after: timedelta) -> None:
        # Failures older than forget_after count no more: start again from one.
        stale = await self._failures.update_one(
            {"_id": key, "last_at": {"$lt": now - forget_after}},
            {"$set": {"count": 1, "last_at": now}},
        )
        if stale.matched_count:
            return
        await self._failures.update_one(
            {"_id": key}, {"$inc": {"count": 1}, "$set": {"last_at": now}}, upsert=True
        )

    async def clear(self, key: str) -> None:
        await self._failures.delete_one({"_id": key})


class MongoApiTokens:
    """API tokens by the hash of their secret (the lookup of every request that uses one)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._tokens: AsyncCollection[Document] = db.api_tokens

    async def ensure_indexes(self) -> None:
        await self._tokens.create_index("account_id", name="brand")

    async def add(self, token: ApiToken) -> None:
        await self._tokens.insert_one(
            {
                "_id": token.token_hash,
                "token_id": token.token_id,
                "account_id": token.account_id,
                "name": token.name,
                "role": token.role.value,
                "created_by": token.created_by,
                "created_at": token.created_at,
                "last_used_at": token.last_used_at,
            }
        )

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        doc = await self._tokens.find_one({"_id": token_hash})
        return None if doc is None else _token(doc)

    async def for_brand(self, account_id: str) -> list[ApiToken]:
        docs = await self._tokens.find({"account_id": account_id}).to_list()
        return sorted((_token(d) for d in docs), key=lambda t: t.created_at, reverse=True)

    async def touch(self, token: ApiToken) -> None:
        await self._tokens.update_one(
            {"_id": token.token_hash}, {"$set": {"last_used_at": token.last_used_at}}
        )

    async def revoke(self, account_id: str, token_id: str) -> bool:
        for token in await self.for_brand(account_id):
            if token.token_id == token_id:
                await self._tokens.delete_one({"_id": token.token_hash})
                return True
        return False

    async def revoke_made_by(self, account_id: str, created_by: str) -> int:
        gone = await self._tokens.delete_many({"account_id": account_id, "created_by": created_by})
        return gone.deleted_count


def _token(doc: Document) -> ApiToken:
    return ApiToken(
        token_id=doc["token_id"],
        account_id=doc["account_id"],
        name=doc["name"],
        role=Role(doc["role"]),
        token_hash=doc["_id"],
        created_by=doc["created_by"],
        created_at=doc["created_at"],
        last_used_at=doc.get("last_used_at"),
    )


class MongoOperators(_People[Operator]):
    """The factory's operators by id, with one document per email and per token hash
    naming its operator (their unique ``_id`` keeps each to one operator)."""

    def _bind(self, db: AsyncDatabase[Document]) -> None:
        self._operators: AsyncCollection[Document] = db.operators
        self._emails: AsyncCollection[Document] = db.operator_emails
        self._tokens: AsyncCollection[Document] = db.operator_tokens

    async def add(self, operator: Operator) -> bool:
        link = {"_id": operator.email, "operator_id": operator.operator_id}
        if not await insert_new(self._emails, link):
            return False
        await self._operators.insert_one(
            {
                "_id": operator.operator_id,
                "email": operator.email,
                "name": operator.name,
                "role": operator.role.value,
                "status": operator.status.value,
                "password_hash": operator.password_hash,
                "token_hash": operator.token_hash,
                "created_at": operator.created_at,
            }
        )
        if operator.token_hash is not None:
            await self._tokens.insert_one(
                {"_id": operator.token_hash, "operator_id": operator.operator_id}
            )
        return True

    async def get(self, person_id: str) -> Operator | None:
        doc = await self._operators.find_one({"_id": person_id})
        if doc is None:
            return None
        return Operator(
            operator_id=doc["_id"],
            email=doc["email"],
            name=doc["name"],
            role=OperatorRole(doc["role"]),
            status=UserStatus(doc["status"]),
            password_hash=doc.get("password_hash"),
            token_hash=doc.get("token_hash"),
            created_at=doc["created_at"],
        )

    async def by_email(self, email: str) -> Operator | None:
        link = await self._emails.find_one({"_id": email})
        return None if link is None else await self.get(link["operator_id"])

    async def save_password(self, operator: Operator) -> None:
        async with self._changes.around(operator.operator_id):
            await self._operators.update_one(
                {"_id": operator.operator_id}, {"$set": {"password_hash": operator.password_hash}}
            )

    async def by_token_hash(self, token_hash: str) -> Operator | None:
        """The operator whose token this is (the token's document, read every time, and
        the operator as ``current`` has them)."""
        link = await self._tokens.find_one({"_id": token_hash})
        if link is None:
            return None
        operator = await self.current(link["operator_id"])
        return operator if operator is not None and operator.token_hash == token_hash else None


class MongoPasswordLinks:
    """Live password links by the hash of their secret. Few live at once (a link goes
    when it is used or replaced), so replacing a person's by their id scans little."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._links: AsyncCollection[Document] = db.password_links

    async def replace(self, link: PasswordLink) -> None:
        await self._links.delete_many({"user_id": link.user_id})
        await self._links.insert_one(
            {
                "_id": link.secret_hash,
                "link_id": link.link_id,
                "user_id": link.user_id,
                "purpose": link.purpose.value,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "created_by": link.created_by,
            }
        )

    async def get(self, secret_hash: str) -> PasswordLink | None:
        doc = await self._links.find_one({"_id": secret_hash})
        if doc is None:
            return None
        return PasswordLink(
            link_id=doc["link_id"],
            secret_hash=doc["_id"],
            user_id=doc["user_id"],
            purpose=LinkPurpose(doc["purpose"]),
            created_at=doc["created_at"],
            expires_at=doc["expires_at"],
            created_by=doc["created_by"],
        )

    async def take(self, secret_hash: str) -> bool:
        taken = await self._links.delete_one({"_id": secret_hash})
        return taken.deleted_count == 1

    async def purge(self, now: datetime) -> int:
        gone = await self._links.delete_many({"expires_at": {"$lte": now}})
        return gone.deleted_count
