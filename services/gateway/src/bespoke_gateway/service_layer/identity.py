"""People signing in: brand users, browser sessions, failed sign-ins throttled.

A wrong email and a wrong password get the same answer after the same work (an unknown
email is checked against a stand-in hash), and throttling counts emails whether or not
they exist, so no answer tells whether an email has an account.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import timedelta

from bespoke_gateway.domain.errors import InvalidUser, SignInFailed, SignInThrottled
from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.sessions import (
    Session,
    ThrottlePolicy,
    csrf_matches,
    hash_secret,
    open_session,
)
from bespoke_gateway.domain.tokens import ApiToken, issue_token
from bespoke_gateway.domain.users import User, check_password, new_user, normalize_email
from bespoke_gateway.service_layer.ports import (
    AccountRepository,
    ApiTokenStore,
    Clock,
    FailureCounter,
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


@dataclass(frozen=True)
class SignedIn:
    session: Session
    cookie: str
    """The cookie's value, shown once (only its hash is stored)."""
    user: User


async def create_user(
    account_id: str, email: str, role: Role, password: str, name: str, deps: IdentityDeps
) -> User:
    """A brand user who can sign in with ``password`` (scripts, the demo)."""
    normal = normalize_email(email)
    if await deps.accounts.get(account_id) is None:
        raise InvalidUser(f"no brand {account_id}")
    check_password(password, normal, deps.common_passwords)
    user = new_user(account_id, normal, name, role, deps.hasher.hash(password), deps.clock.now())
    if not await deps.users.add(user):
        raise InvalidUser(f"{normal} already has an account")
    return user


async def sign_in(email: str, password: str, address: str, deps: IdentityDeps) -> SignedIn:
    """A new session for the user whose email and password these are, or ``SignInFailed``
    (one answer for a wrong email and a wrong password); ``SignInThrottled`` while this
    email or this client address has failed too often."""
    now = deps.clock.now()
    try:
        normal = normalize_email(email)
    except InvalidUser:
        normal = email.strip().casefold()  # counted and refused like any unknown email
    email_key, address_key = f"email:{hash_secret(normal)}", f"address:{address}"
    wait = max(
        deps.rules.per_email.wait(await deps.failures.get(email_key), now),
        deps.rules.per_address.wait(await deps.failures.get(address_key), now),
    )
    if wait:
        raise SignInThrottled(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
    user = await deps.users.by_email(normal)
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = deps.hasher.verify(stored or deps.stand_in_hash, password)
    if user is None or stored is None or not matches or not user.active:
        for key, policy in (
            (email_key, deps.rules.per_email),
            (address_key, deps.rules.per_address),
        ):
            await deps.failures.add(key, now, policy.forget_after)
        raise SignInFailed("wrong email or password")
    await deps.failures.clear(email_key)
    if deps.hasher.needs_rehash(stored):
        user = replace(user, password_hash=deps.hasher.hash(password))
        await deps.users.save(user)
    session, cookie = open_session(user.user_id, user.account_id, now)
    await deps.sessions.add(session)
    return SignedIn(session, cookie, user)


@dataclass(frozen=True)
class SessionPrincipal:
    principal: Principal
    session: Session
    user: User


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
    user = await deps.users.get(session.user_id)
    if user is None or not user.active:
        await deps.sessions.delete(token_hash)
        return None
    if now - session.last_seen_at > timedelta(minutes=1):  # one write a minute, not a request
        session = session.seen(now)
        await deps.sessions.touch(session)
    return SessionPrincipal(user.principal(), session, user)


def csrf_ok(session: Session, sent: str | None) -> bool:
    """A cookie-authenticated change carries its session's CSRF token."""
    return csrf_matches(session, sent)


async def sign_out(cookie: str, deps: IdentityDeps) -> None:
    """The session stops working at once."""
    await deps.sessions.delete(hash_secret(cookie))


async def token_principal(secret: str, deps: IdentityDeps) -> Principal | None:
    """Who an API token acts as, or None when it is unknown or revoked."""
    token = await deps.api_tokens.by_hash(hash_secret(secret))
    if token is None:
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
