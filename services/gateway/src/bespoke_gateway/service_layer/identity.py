"""People signing in: brand users, browser sessions, failed sign-ins throttled.

A wrong email and a wrong password get the same answer after the same work (an unknown
email is checked against a stand-in hash), and throttling counts emails whether or not
they exist, so no answer tells whether an email has an account.
"""

from __future__ import annotations

import asyncio
from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import timedelta

from bespoke_gateway.domain.errors import InvalidUser, SignInFailed, SignInThrottled, UserNotFound
from bespoke_gateway.domain.operators import (
    Operator,
    OperatorPrincipal,
    OperatorRole,
    new_operator,
)
from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.sessions import (
    BRANDS,
    OPERATORS,
    Session,
    ThrottlePolicy,
    hash_secret,
    open_session,
)
from bespoke_gateway.domain.tokens import ApiToken, issue_token
from bespoke_gateway.domain.users import (
    User,
    UserStatus,
    check_password,
    new_user,
    normalize_email,
)
from bespoke_gateway.service_layer.ports import (
    AccountRepository,
    ApiTokenStore,
    Clock,
    FailureCounter,
    OperatorRepository,
    PasswordHasher,
    SessionStore,
    UserRepository,
)


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta
    absolute: timedelta
    per_email: ThrottlePolicy
    per_address: ThrottlePolicy


@dataclass(frozen=True)
class IdentityDeps:
    accounts: AccountRepository
    users: UserRepository
    sessions: SessionStore
    failures: FailureCounter
    hasher: PasswordHasher
    common_passwords: Container[str]
    clock: Clock
    rules: SessionRules
    stand_in_hash: str
    """A hash of no one's password, checked when the email is unknown (same timing)."""
    api_tokens: ApiTokenStore
    operators: OperatorRepository


async def hash_password(deps: IdentityDeps, password: str) -> str:
    """Hashing costs tens of milliseconds of CPU by design: off the event loop, so other
    requests are served meanwhile (argon2-cffi releases the GIL)."""
    return await asyncio.to_thread(deps.hasher.hash, password)


async def _verify(deps: IdentityDeps, password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(deps.hasher.verify, password_hash, password)


def failures_key(realm: str, email: str) -> str:
    """Where failed sign-ins with this (normal) email are counted, in this realm."""
    return f"{realm}:email:{hash_secret(email)}"


@dataclass(frozen=True)
class SignedIn:
    session: Session
    cookie: str
    """The cookie's value, shown once (only its hash is stored)."""
    person: User | Operator


async def create_user(
    account_id: str, email: str, role: Role, password: str, name: str, deps: IdentityDeps
) -> User:
    """A brand user who can sign in with ``password`` (scripts, the demo)."""
    normal = normalize_email(email)
    if await deps.accounts.get(account_id) is None:
        raise InvalidUser(f"no brand {account_id}")
    check_password(password, normal, deps.common_passwords)
    user = new_user(
        account_id, normal, name, role, await hash_password(deps, password), deps.clock.now()
    )
    if not await deps.users.add(user):
        raise InvalidUser(f"{normal} already has an account")
    return user


async def sign_in(
    email: str, password: str, address: str, deps: IdentityDeps, realm: str = BRANDS
) -> SignedIn:
    """A new session for the brand user (or, in the ``operators`` realm, the operator)
    whose email and password these are, or ``SignInFailed`` (one answer for a wrong
    email and a wrong password); ``SignInThrottled`` while this email or this client
    address has failed too often."""
    now = deps.clock.now()
    try:
        normal = normalize_email(email)
    except InvalidUser:
        normal = email.strip().casefold()  # counted and refused like any unknown email
    email_key = failures_key(realm, normal)
    address_key = f"address:{address}"
    wait = max(
        deps.rules.per_email.wait(await deps.failures.get(email_key), now),
        deps.rules.per_address.wait(await deps.failures.get(address_key), now),
    )
    if wait:
        raise SignInThrottled(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
    person: User | Operator | None = (
        await deps.operators.by_email(normal)
        if realm == OPERATORS
        else await deps.users.by_email(normal)
    )
    stored = person.password_hash if person is not None and person.password_hash else None
    matches = await _verify(deps, stored or deps.stand_in_hash, password)
    if person is None or stored is None or not matches or not person.active:
        for key, policy in (
            (email_key, deps.rules.per_email),
            (address_key, deps.rules.per_address),
        ):
            await deps.failures.add(key, now, policy.forget_after)
        raise SignInFailed("wrong email or password")
    await deps.failures.clear(email_key)
    if deps.hasher.needs_rehash(stored):  # today's parameters are stronger
        person = replace(person, password_hash=await hash_password(deps, password))
        if isinstance(person, User):
            await deps.users.save(person)
        else:
            await deps.operators.save_password(person)
    if isinstance(person, User):
        session, cookie = open_session(person.user_id, person.account_id, now)
    else:
        session, cookie = open_session(person.operator_id, "", now, OPERATORS)
    await deps.sessions.add(session)
    return SignedIn(session, cookie, person)


@dataclass(frozen=True)
class SessionPrincipal:
    principal: Principal | OperatorPrincipal
    session: Session
    person: User | Operator


async def session_principal(cookie: str, deps: IdentityDeps) -> SessionPrincipal | None:
    """Who a session cookie signs in, as of now: None when the session is unknown,
    expired or its user deactivated; the role is the user's current one."""
    token_hash = hash_secret(cookie)
    session = await deps.sessions.get(token_hash)
    if session is None:
        return None
    now = deps.clock.now()
    if session.expired(now, deps.rules.idle, deps.rules.absolute):
        await deps.sessions.delete(token_hash)
        return None
    person: User | Operator | None = (
        await deps.operators.current(session.user_id)
        if session.realm == OPERATORS
        else await deps.users.current(session.user_id)
    )
    if person is None or not person.active:
        await deps.sessions.delete(token_hash)
        return None
    if now - session.last_seen_at > timedelta(minutes=1):  # one write a minute, not a request
        session = session.seen(now)
        await deps.sessions.touch(session)
    return SessionPrincipal(person.principal(), session, person)


async def sign_out(cookie: str, deps: IdentityDeps) -> None:
    """The session stops working at once."""
    await deps.sessions.delete(hash_secret(cookie))


async def token_principal(secret: str, deps: IdentityDeps) -> Principal | None:
    """Who an API token acts as, or None when it is unknown, revoked, or its creator
    (a brand user) has been deactivated."""
    token = await deps.api_tokens.by_hash(hash_secret(secret))
    if token is None:
        return None
    if token.created_by.startswith("user:"):
        creator = await deps.users.current(token.created_by.removeprefix("user:"))
        if creator is None or not creator.active:
            return None
    used = token.used(deps.clock.now())
    if used is not None:
        await deps.api_tokens.touch(used)
    return token.principal()


async def create_api_token(
    creator: Principal, name: str, role: Role | None, deps: IdentityDeps
) -> tuple[ApiToken, str]:
    """A named API token of the creator's brand, in a role no higher than theirs; its
    secret is returned once and only its hash is kept."""
    token, secret = issue_token(creator, name, role, deps.clock.now())
    await deps.api_tokens.add(token)
    return token, secret


async def revoke_api_token(account_id: str, token_id: str, deps: IdentityDeps) -> bool:
    """The token stops working at once; False when the brand has no such token."""
    return await deps.api_tokens.revoke(account_id, token_id)


async def create_operator(
    email: str, role: OperatorRole, password: str, name: str, deps: IdentityDeps
) -> tuple[Operator, str]:
    """A factory operator who signs in with ``password``, and their operator token (shown
    once)."""
    normal = normalize_email(email)
    check_password(password, normal, deps.common_passwords)
    password_hash = await hash_password(deps, password)
    operator, token = new_operator(normal, name, role, password_hash, deps.clock.now())
    if not await deps.operators.add(operator):
        raise InvalidUser(f"{normal} is already an operator")
    return operator, token


async def operator_token_principal(secret: str, deps: IdentityDeps) -> OperatorPrincipal | None:
    """Who an operator token acts as, or None (unknown, or its operator deactivated)."""
    operator = await deps.operators.by_token_hash(hash_secret(secret))
    if operator is None or not operator.active:
        return None
    return operator.principal()


async def change_user(
    manager: Principal, user_id: str, role: Role | None, deactivate: bool, deps: IdentityDeps
) -> User:
    """An owner or admin changes a user of their brand: a new role, in force within a
    second (each gateway remembers the person behind a session or a token until it reads
    the notice of a change to them), or deactivated: their sessions end and the tokens
    they made are revoked, so both stop at once. A session opened or a token made in a
    race with the deactivation stops within the second, with the notice."""
    user = await deps.users.get(user_id)
    if user is None or user.account_id != manager.account_id:
        raise UserNotFound(f"no user {user_id} in this brand")
    changed = user.changed_by(manager, role, deactivate)
    await deps.users.save(changed)
    if changed.status is UserStatus.DEACTIVATED:
        await deps.sessions.delete_for_user(user_id)
        await deps.api_tokens.revoke_made_by(user.account_id, f"user:{user_id}")
    return changed
