"""Invitations and password resets: a person gets an email with a single-use link that
expires, and sets their password with it (then they are signed in).

A reset request gets the same answer whether or not the email has an account, and its
work (the lookup, the link, the email) runs after the answer, so not even its timing
tells. Emails to one address are capped (no mail-bombing through the form), requests
from one client address are throttled like failed sign-ins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from bespoke_contracts.api.notifications import AccountEmailKind, AccountEmailRequest
from bespoke_gateway.domain.errors import (
    GatewayError,
    InvalidUser,
    PasswordLinkInvalid,
    SignInThrottled,
    UserExists,
)
from bespoke_gateway.domain.links import LinkPurpose, issue_link
from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.sessions import BRANDS, ThrottlePolicy, hash_secret, open_session
from bespoke_gateway.domain.users import (
    User,
    UserStatus,
    check_invitation,
    check_password,
    new_user,
    normalize_email,
)
from bespoke_gateway.service_layer.identity import (
    IdentityDeps,
    SignedIn,
    failures_key,
    hash_password,
)
from bespoke_gateway.service_layer.ports import AccountMailer, PasswordLinkStore

log = logging.getLogger(__name__)

_KINDS = {
    LinkPurpose.INVITATION: AccountEmailKind.INVITATION,
    LinkPurpose.PASSWORD_RESET: AccountEmailKind.PASSWORD_RESET,
}


@dataclass(frozen=True)
class LinkRules:
    invitation_lasts: timedelta
    reset_lasts: timedelta
    resets_per_email: ThrottlePolicy
    """Reset emails to one address: a few, then ever longer apart (silently skipped)."""


@dataclass(frozen=True)
class LinkDeps:
    identity: IdentityDeps
    links: PasswordLinkStore
    mailer: AccountMailer
    rules: LinkRules


async def _email_link(
    user: User, purpose: LinkPurpose, asked_by: str, invited_by: str | None, deps: LinkDeps
) -> None:
    """A new link for ``user`` (the one before dies), emailed to them."""
    lasts = (
        deps.rules.invitation_lasts if purpose is LinkPurpose.INVITATION else deps.rules.reset_lasts
    )
    link, secret = issue_link(user.user_id, purpose, deps.identity.clock.now(), lasts, asked_by)
    await deps.links.replace(link)
    account = await deps.identity.accounts.get(user.account_id)
    await deps.mailer.send(
        link.link_id,
        AccountEmailRequest(
            kind=_KINDS[purpose],
            to=user.email,
            name=user.name,
            brand=account.name if account else user.account_id,
            invited_by=invited_by,
            role=user.role.value if purpose is LinkPurpose.INVITATION else None,
            secret=secret,
            expires_at=link.expires_at,
        ),
    )


async def _who(principal: Principal, deps: IdentityDeps) -> str | None:
    """How an invitation names its sender: the inviting user, or none for a token."""
    if not principal.actor.startswith("user:"):
        return None
    inviter = await deps.users.get(principal.actor.removeprefix("user:"))
    return None if inviter is None else f"{inviter.name} ({inviter.email})"


async def invite_user(
    manager: Principal, email: str, role: Role, name: str, deps: LinkDeps
) -> User:
    """A new user of the manager's brand, invited by email to set a password. Inviting
    someone whose invitation is still open sends a new link (the old one dies) in the
    role now asked for; an email that already has an account is ``UserExists``."""
    check_invitation(manager, role)
    people = deps.identity
    normal = normalize_email(email)
    existing = await people.users.by_email(normal)
    if existing is None:
        user = new_user(manager.account_id, normal, name, role, None, people.clock.now())
        if not await people.users.add(user):
            raise UserExists(f"{normal} already has an account")
    elif existing.account_id == manager.account_id and existing.status is UserStatus.INVITED:
        user = replace(existing, role=role, name=name.strip() or existing.name)
        await people.users.save(user)
    else:
        raise UserExists(f"{normal} already has an account")
    invited_by = await _who(manager, people)
    await _email_link(user, LinkPurpose.INVITATION, manager.actor, invited_by, deps)
    return user


async def throttle_reset_requests(address: str, deps: LinkDeps) -> None:
    """``SignInThrottled`` while this client address has asked for too many resets."""
    people, now = deps.identity, deps.identity.clock.now()
    key, policy = f"reset-address:{address}", people.rules.per_address
    wait = policy.wait(await people.failures.get(key), now)
    if wait:
        raise SignInThrottled(f"too many requests; try again in {wait} s", retry_after=wait)
    await people.failures.add(key, now, policy.forget_after)


async def send_password_reset(email: str, deps: LinkDeps) -> None:
    """Email a reset link if ``email`` is an active or invited user's, and if that
    address has not had too many lately. Runs after the answer: never raises."""
    people, now = deps.identity, deps.identity.clock.now()
    try:
        normal = normalize_email(email)
    except InvalidUser:
        return
    key, policy = f"reset-email:{hash_secret(normal)}", deps.rules.resets_per_email
    if policy.wait(await people.failures.get(key), now):
        log.info("password reset skipped: too many lately for this address")
        return
    await people.failures.add(key, now, policy.forget_after)
    user = await people.users.by_email(normal)
    if user is None or user.status is UserStatus.DEACTIVATED:
        return
    try:
        await _email_link(user, LinkPurpose.PASSWORD_RESET, "self", None, deps)
    except GatewayError:
        log.warning("password reset email for %s could not be queued", user.user_id)


async def set_password(secret: str, password: str, deps: LinkDeps) -> SignedIn:
    """The person a live link was sent to sets ``password`` and is signed in. The link is
    used up; every earlier session of theirs ends; an invited user becomes active. A weak
    password is refused before the link is used, so they can try another."""
    people = deps.identity
    link = await deps.links.get(hash_secret(secret))
    now = people.clock.now()
    user = None if link is None else await people.users.get(link.user_id)
    if link is None or link.expired(now) or user is None:
        raise PasswordLinkInvalid(
            "this link is not valid (used, replaced or expired); ask for a new one"
        )
    if user.status is UserStatus.DEACTIVATED:
        raise PasswordLinkInvalid("this link is not valid: the user has been deactivated")
    check_password(password, user.email, people.common_passwords)
    changed = user.with_password(await hash_password(people, password))
    if not await deps.links.take(link.secret_hash):
        raise PasswordLinkInvalid("this link has just been used; ask for a new one")
    if not await people.users.save_password(changed):
        raise PasswordLinkInvalid("this link is not valid: the user has been deactivated")
    await people.sessions.delete_for_user(user.user_id)
    await people.failures.clear(failures_key(BRANDS, user.email))  # a reset unlocks
    session, cookie = open_session(changed.user_id, changed.account_id, now)
    await people.sessions.add(session)
    return SignedIn(session, cookie, changed)
