"""Invitations and password resets in the gateway's service layer, with fakes: the
single-use, expiring link, who may invite whom, and what a reset request tells."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bespoke_gateway.domain.errors import (
    Forbidden,
    PasswordLinkInvalid,
    SignInFailed,
    SignInThrottled,
    UpstreamUnavailable,
    UserExists,
    WeakPassword,
)
from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.sessions import hash_secret
from bespoke_gateway.domain.users import UserStatus
from bespoke_gateway.service_layer import identity, links

from .fakes import PASSWORD, World

NEW_PASSWORD = "resoled welted brogues 7"


def owner(world: World) -> Principal:
    return Principal.brand_token(world.account_id)


def secret_sent(world: World, index: int = -1) -> str:
    return world.mailer.sent[index][1].secret


async def test_an_invitation_emails_a_link_that_sets_the_password_once(world: World) -> None:
    invited = await links.invite_user(
        owner(world), "Bea@Norte.Example", Role.DESIGNER, "Bea", world.link_deps
    )
    assert (invited.status, invited.password_hash, invited.role) == (
        UserStatus.INVITED,
        None,
        Role.DESIGNER,
    )
    link_id, email = world.mailer.sent[0]
    assert (email.kind, email.to, email.brand, email.role) == (
        "invitation",
        "bea@norte.example",
        "Norte",
        "designer",
    )
    assert email.expires_at == world.clock.now() + timedelta(hours=72)
    assert link_id.startswith("lnk_")
    assert email.secret.startswith("bsl_")
    assert hash_secret(email.secret) in world.links.live, "only the hash is kept"
    assert email.secret not in str(world.links.live)

    with pytest.raises(SignInFailed):  # no password yet
        await identity.sign_in("bea@norte.example", "", "10.0.0.1", world.deps)

    signed = await links.set_password(email.secret, NEW_PASSWORD, world.link_deps)
    assert signed.person.status is UserStatus.ACTIVE
    assert world.sessions.stored[signed.session.token_hash].user_id == invited.user_id
    await identity.sign_in("bea@norte.example", NEW_PASSWORD, "10.0.0.1", world.deps)

    with pytest.raises(PasswordLinkInvalid):
        await links.set_password(email.secret, "another fine password 9", world.link_deps)


async def test_a_link_expires(world: World) -> None:
    await links.invite_user(owner(world), "bea@norte.example", Role.VIEWER, "", world.link_deps)
    world.clock.at += timedelta(hours=72)
    with pytest.raises(PasswordLinkInvalid):
        await links.set_password(secret_sent(world), NEW_PASSWORD, world.link_deps)


async def test_a_weak_password_leaves_the_link_usable(world: World) -> None:
    await links.invite_user(owner(world), "bea@norte.example", Role.VIEWER, "", world.link_deps)
    with pytest.raises(WeakPassword):
        await links.set_password(secret_sent(world), "short", world.link_deps)
    await links.set_password(secret_sent(world), NEW_PASSWORD, world.link_deps)


async def test_inviting_again_sends_a_new_link_and_the_old_one_dies(world: World) -> None:
    await links.invite_user(owner(world), "bea@norte.example", Role.VIEWER, "", world.link_deps)
    first = secret_sent(world)
    again = await links.invite_user(
        owner(world), "bea@norte.example", Role.FINANCE, "", world.link_deps
    )
    assert again.role is Role.FINANCE
    assert len(world.mailer.sent) == 2
    with pytest.raises(PasswordLinkInvalid):
        await links.set_password(first, NEW_PASSWORD, world.link_deps)
    await links.set_password(secret_sent(world), NEW_PASSWORD, world.link_deps)


async def test_an_email_with_an_account_is_not_invited_again(world: World) -> None:
    await identity.create_user(
        world.account_id, "ana@norte.example", Role.VIEWER, PASSWORD, "Ana", world.deps
    )
    with pytest.raises(UserExists):
        await links.invite_user(owner(world), "ANA@norte.example", Role.ADMIN, "", world.link_deps)
    assert world.mailer.sent == []


async def test_only_an_owner_invites_an_owner(world: World) -> None:
    admin = Principal(world.account_id, Role.ADMIN, "user:usr_admin")
    with pytest.raises(Forbidden):
        await links.invite_user(admin, "bea@norte.example", Role.OWNER, "", world.link_deps)
    await links.invite_user(admin, "bea@norte.example", Role.ADMIN, "", world.link_deps)


async def test_the_invitation_names_the_inviting_user(world: World) -> None:
    ana = await identity.create_user(
        world.account_id, "ana@norte.example", Role.ADMIN, PASSWORD, "Ana", world.deps
    )
    await links.invite_user(ana.principal(), "bea@norte.example", Role.VIEWER, "", world.link_deps)
    assert world.mailer.sent[0][1].invited_by == "Ana (ana@norte.example)"


async def test_an_invitation_that_cannot_be_emailed_is_refused_and_can_be_retried(
    world: World,
) -> None:
    world.mailer.down = True
    with pytest.raises(UpstreamUnavailable):
        await links.invite_user(owner(world), "bea@norte.example", Role.VIEWER, "", world.link_deps)
    world.mailer.down = False
    await links.invite_user(owner(world), "bea@norte.example", Role.VIEWER, "", world.link_deps)
    await links.set_password(secret_sent(world), NEW_PASSWORD, world.link_deps)


async def test_a_reset_ends_every_session_and_the_old_password(world: World) -> None:
    ana = await identity.create_user(
        world.account_id, "ana@norte.example", Role.VIEWER, PASSWORD, "Ana", world.deps
    )
    before = await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)
    await links.send_password_reset("Ana@Norte.Example", world.link_deps)
    _, email = world.mailer.sent[0]
    assert (email.kind, email.to) == ("password_reset", ana.email)
    assert email.expires_at == world.clock.now() + timedelta(hours=1)

    after = await links.set_password(email.secret, NEW_PASSWORD, world.link_deps)
    assert await identity.session_principal(before.cookie, world.deps) is None
    assert await identity.session_principal(after.cookie, world.deps) is not None
    with pytest.raises(SignInFailed):
        await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)


async def test_a_reset_for_no_one_or_a_deactivated_user_sends_nothing(world: World) -> None:
    ana = await identity.create_user(
        world.account_id, "ana@norte.example", Role.VIEWER, PASSWORD, "Ana", world.deps
    )
    await links.send_password_reset("nobody@norte.example", world.link_deps)
    await links.send_password_reset("not an email", world.link_deps)
    await identity.change_user(owner(world), ana.user_id, None, True, world.deps)
    await links.send_password_reset("ana@norte.example", world.link_deps)
    assert world.mailer.sent == []


async def test_a_deactivated_users_link_is_dead(world: World) -> None:
    bea = await links.invite_user(
        owner(world), "bea@norte.example", Role.VIEWER, "", world.link_deps
    )
    await identity.change_user(owner(world), bea.user_id, None, True, world.deps)
    with pytest.raises(PasswordLinkInvalid):
        await links.set_password(secret_sent(world), NEW_PASSWORD, world.link_deps)
    assert world.users.by_id[bea.user_id].status is UserStatus.DEACTIVATED


async def test_reset_emails_to_one_address_are_capped(world: World) -> None:
    await identity.create_user(
        world.account_id, "ana@norte.example", Role.VIEWER, PASSWORD, "Ana", world.deps
    )
    for _ in range(6):
        await links.send_password_reset("ana@norte.example", world.link_deps)
    assert len(world.mailer.sent) == 3
    world.clock.at += timedelta(hours=2)
    await links.send_password_reset("ana@norte.example", world.link_deps)
    assert len(world.mailer.sent) == 4


async def test_reset_requests_from_one_address_are_throttled(world: World) -> None:
    for _ in range(3):  # the per-address policy of these tests lets 3 through
        await links.throttle_reset_requests("10.0.0.9", world.link_deps)
    with pytest.raises(SignInThrottled):
        await links.throttle_reset_requests("10.0.0.9", world.link_deps)
    await links.throttle_reset_requests("10.0.0.10", world.link_deps)
