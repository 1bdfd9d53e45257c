"""Brand users and sessions in the gateway's domain and service layer, with fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from argon2 import PasswordHasher as Argon2

from bespoke_gateway.adapters.passwords import Argon2Hasher, CommonPasswords, common_passwords
from bespoke_gateway.domain.errors import (
    Forbidden,
    InvalidUser,
    SignInFailed,
    SignInThrottled,
    UserNotFound,
    WeakPassword,
)
from bespoke_gateway.domain.operators import OperatorPrincipal, OperatorRole
from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.sessions import Failures, Session
from bespoke_gateway.domain.tokens import may_grant
from bespoke_gateway.domain.users import User, UserStatus, check_password, normalize_email
from bespoke_gateway.service_layer import identity

from .fakes import PASSWORD, POLICY, T0, CountingHasher, World


async def a_user(world: World, role: Role = Role.VIEWER) -> User:
    return await identity.create_user(
        world.account_id, "Ana@Norte.Example", role, PASSWORD, "Ana", world.deps
    )


def test_emails_are_compared_case_insensitively_and_checked() -> None:
    assert normalize_email("  Ana@Norte.EXAMPLE ") == "ana@norte.example"
    with pytest.raises(InvalidUser):
        normalize_email("not an email")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 12"),
        ("x" * 257, "at most 256"),
        ("Password123456", "most common"),
        ("ana@norte.example", "not your email"),
    ],
)
def test_weak_passwords_are_refused_saying_why(password: str, why: str) -> None:
    with pytest.raises(WeakPassword, match=why):
        check_password(password, "ana@norte.example", frozenset({"password123456"}))


def test_the_common_password_list_is_the_real_one() -> None:
    common = common_passwords()
    assert len(common) > 20_000
    assert {"password", "123456", "qwerty"} <= common
    with pytest.raises(WeakPassword, match="most common"):
        check_password("qazwsxedcrfv", "a@b.example", common)
    with pytest.raises(WeakPassword, match="most common"):
        check_password("qazwsxedcrfv", "a@b.example", CommonPasswords())  # the gateway's


def test_argon2id_hashes_record_their_parameters_and_weaker_ones_are_rehashed() -> None:
    weak = Argon2Hasher(Argon2(time_cost=1, memory_cost=8, parallelism=1))
    strong = Argon2Hasher(Argon2(time_cost=2, memory_cost=16, parallelism=1))
    made = weak.hash(PASSWORD)
    assert made.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert strong.verify(made, PASSWORD) is True, "verifies with the parameters it records"
    assert strong.verify(made, "another password") is False
    assert strong.verify("not a hash", PASSWORD) is False
    assert (weak.needs_rehash(made), strong.needs_rehash(made)) == (False, True)


def test_delays_grow_after_the_free_failures_and_are_forgotten() -> None:
    def wait(count: int, seconds_ago: float) -> int:
        return POLICY.wait(Failures(count, T0 - timedelta(seconds=seconds_ago)), T0)

    assert [wait(n, 0) for n in (1, 2, 3, 4, 5, 6)] == [0, 0, 1, 2, 4, 8]
    assert wait(30, 0) == 900, "at most the longest wait: a temporary lock"
    assert wait(5, 3) == 1
    assert wait(5, 16 * 60) == 0, "failures older than the window count no more"


def test_a_session_ends_when_idle_or_old() -> None:
    session = Session("h", "usr", "acc", "csrf", created_at=T0, last_seen_at=T0)
    idle, absolute = timedelta(hours=8), timedelta(days=7)
    assert not session.expired(T0 + timedelta(hours=7), idle, absolute)
    assert session.expired(T0 + timedelta(hours=9), idle, absolute)
    recent = session.seen(T0 + timedelta(days=7, hours=1))
    assert recent.expired(T0 + timedelta(days=7, hours=2), idle, absolute)


async def test_a_wrong_email_costs_the_same_work_as_a_wrong_password(world: World) -> None:
    await a_user(world)
    for email in ("ana@norte.example", "nobody@norte.example"):
        before = world.hasher.verified
        with pytest.raises(SignInFailed, match="wrong email or password"):
            await identity.sign_in(email, "wrong", "10.0.0.1", world.deps)
        assert world.hasher.verified == before + 1, email


async def test_sign_in_makes_a_new_session_each_time_acting_in_the_users_role(
    world: World,
) -> None:
    user = await a_user(world, Role.FINANCE)
    first = await identity.sign_in("ANA@norte.example", PASSWORD, "10.0.0.1", world.deps)
    second = await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)
    assert first.cookie != second.cookie
    assert first.session.csrf_token != second.session.csrf_token
    found = await identity.session_principal(second.cookie, world.deps)
    assert found is not None
    assert (found.principal.role, found.principal.actor) == (Role.FINANCE, f"user:{user.user_id}")


async def test_a_deactivated_user_or_an_expired_session_is_signed_in_no_more(
    world: World,
) -> None:
    user = await a_user(world)
    signed = await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)
    world.clock.at += timedelta(hours=9)
    assert await identity.session_principal(signed.cookie, world.deps) is None, "idle"
    assert world.sessions.stored == {}, "and forgotten"

    again = await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)
    await world.users.save(
        User(**{**user.__dict__, "status": UserStatus.DEACTIVATED})  # an admin's change
    )
    assert await identity.session_principal(again.cookie, world.deps) is None
    with pytest.raises(SignInFailed):
        await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)


async def test_an_address_that_fails_for_many_emails_is_throttled(world: World) -> None:
    for n in range(3):
        with pytest.raises(SignInFailed):
            await identity.sign_in(f"guess{n}@norte.example", "x", "10.0.0.9", world.deps)
    with pytest.raises(SignInThrottled):
        await identity.sign_in("fresh@norte.example", "x", "10.0.0.9", world.deps)
    with pytest.raises(SignInFailed):  # another address is not held up
        await identity.sign_in("fresh@norte.example", "x", "10.0.0.10", world.deps)


async def test_users_belong_to_a_brand_that_exists_and_emails_are_unique(world: World) -> None:
    await a_user(world)
    with pytest.raises(InvalidUser, match="already has an account"):
        await a_user(world)
    with pytest.raises(InvalidUser, match="no brand"):
        await identity.create_user("acc_nope", "b@n.example", Role.ADMIN, PASSWORD, "", world.deps)


def test_a_token_may_do_nothing_its_creator_cannot() -> None:
    assert may_grant(Role.OWNER, Role.OWNER)
    assert may_grant(Role.ADMIN, Role.FINANCE)
    assert not may_grant(Role.ADMIN, Role.OWNER), "only an owner grants owner"
    assert not may_grant(Role.DESIGNER, Role.FINANCE)
    assert not may_grant(Role.VIEWER, Role.DESIGNER)
    assert may_grant(Role.DESIGNER, Role.VIEWER)


async def test_an_api_token_acts_in_its_role_until_revoked(world: World) -> None:
    admin = (await a_user(world, Role.ADMIN)).principal()
    with pytest.raises(Forbidden, match="may not make a `owner` token"):
        await identity.create_api_token(admin, "too much", Role.OWNER, world.deps)
    token, secret = await identity.create_api_token(admin, "ERP sync", Role.FINANCE, world.deps)
    assert secret.startswith("bsa_")
    assert secret not in repr(world.api_tokens.by_hash_), "only its hash is kept"

    acting = await identity.token_principal(secret, world.deps)
    assert acting == Principal(world.account_id, Role.FINANCE, f"api-token:{token.token_id}")
    await identity.token_principal(secret, world.deps)
    assert world.api_tokens.touched == 1, "last use recorded once a minute, not per request"
    world.clock.at += timedelta(minutes=2)
    await identity.token_principal(secret, world.deps)
    assert world.api_tokens.touched == 2

    assert await identity.revoke_api_token(world.account_id, token.token_id, world.deps)
    assert await identity.token_principal(secret, world.deps) is None
    assert not await identity.revoke_api_token(world.account_id, token.token_id, world.deps)


async def test_operators_sign_in_apart_from_brands_and_their_tokens_act_as_them(
    world: World,
) -> None:
    operator, token = await identity.create_operator(
        "Floor@Factory.example", OperatorRole.PRODUCTION, PASSWORD, "Floor", world.deps
    )
    assert token.startswith("bso_")
    acting = await identity.operator_token_principal(token, world.deps)
    assert acting == OperatorPrincipal(
        operator.operator_id, OperatorRole.PRODUCTION, f"operator:{operator.operator_id}"
    )
    with pytest.raises(SignInFailed):  # not a brand user
        await identity.sign_in("floor@factory.example", PASSWORD, "10.0.0.1", world.deps)
    signed = await identity.sign_in(
        "floor@factory.example", PASSWORD, "10.0.0.1", world.deps, realm="operators"
    )
    found = await identity.session_principal(signed.cookie, world.deps)
    assert found is not None
    assert isinstance(found.principal, OperatorPrincipal)


async def test_owners_and_admins_manage_users_within_the_rules(world: World) -> None:
    ana = await a_user(world, Role.ADMIN)
    owner = Principal(world.account_id, Role.OWNER, "token:owner")
    admin = ana.principal()
    bea = await identity.create_user(
        world.account_id, "bea@n.example", Role.OWNER, PASSWORD, "", world.deps
    )
    with pytest.raises(Forbidden, match="only an owner"):
        await identity.change_user(admin, bea.user_id, Role.VIEWER, False, world.deps)
    with pytest.raises(Forbidden, match="your own"):
        await identity.change_user(admin, ana.user_id, Role.OWNER, False, world.deps)
    demoted = await identity.change_user(owner, bea.user_id, Role.VIEWER, False, world.deps)
    assert demoted.role is Role.VIEWER
    gone = await identity.change_user(admin, bea.user_id, None, True, world.deps)
    assert gone.status is UserStatus.DEACTIVATED
    other_brand = Principal("acc_other", Role.OWNER, "token:other")
    with pytest.raises(UserNotFound):
        await identity.change_user(other_brand, ana.user_id, Role.VIEWER, False, world.deps)


async def test_the_tokens_a_deactivated_user_made_stop_with_them(world: World) -> None:
    ana = await a_user(world, Role.ADMIN)
    _, secret = await identity.create_api_token(ana.principal(), "sync", None, world.deps)
    assert await identity.token_principal(secret, world.deps) is not None
    owner = Principal(world.account_id, Role.OWNER, "token:owner")
    await identity.change_user(owner, ana.user_id, None, True, world.deps)
    assert await identity.token_principal(secret, world.deps) is None


async def test_a_deactivation_stops_sessions_and_tokens_before_gateways_read_the_notice(
    world: World,
) -> None:
    """Each gateway remembers the person behind a session or a token until it reads the
    notice of a change to them: a deactivation ends the sessions and revokes the tokens,
    which every request reads, so it does not wait for the notice."""
    ana = await a_user(world, Role.ADMIN)
    signed = await identity.sign_in("ana@norte.example", PASSWORD, "10.0.0.1", world.deps)
    _, secret = await identity.create_api_token(ana.principal(), "sync", None, world.deps)
    world.users.remembered = {}  # a gateway that has not read the notice yet
    assert await identity.session_principal(signed.cookie, world.deps) is not None
    assert await identity.token_principal(secret, world.deps) is not None

    owner = Principal(world.account_id, Role.OWNER, "token:owner")
    await identity.change_user(owner, ana.user_id, Role.VIEWER, False, world.deps)
    remembered = await identity.session_principal(signed.cookie, world.deps)
    assert remembered is not None
    assert remembered.principal.role is Role.ADMIN, "a new role waits for the notice"
    await identity.change_user(owner, ana.user_id, None, True, world.deps)

    assert await identity.session_principal(signed.cookie, world.deps) is None
    assert await identity.token_principal(secret, world.deps) is None


class UpgradingHasher(CountingHasher):
    """Hashes made before today's parameters start `old:`; today's `hashed:`."""

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return password_hash in (f"old:{password}", f"hashed:{password}")

    def needs_rehash(self, password_hash: str) -> bool:
        return password_hash.startswith("old:")


async def test_a_weaker_hash_is_replaced_at_sign_in_for_users_and_operators(
    world: World,
) -> None:
    world.hasher = UpgradingHasher()
    user = await a_user(world)
    operator, _ = await identity.create_operator(
        "floor@factory.example", OperatorRole.PRODUCTION, PASSWORD, "Floor", world.deps
    )
    world.users.by_id[user.user_id] = replace(user, password_hash=f"old:{PASSWORD}")
    world.operators.by_id[operator.operator_id] = replace(operator, password_hash=f"old:{PASSWORD}")

    await identity.sign_in(user.email, PASSWORD, "10.0.0.1", world.deps)
    await identity.sign_in(operator.email, PASSWORD, "10.0.0.1", world.deps, realm="operators")

    assert world.users.by_id[user.user_id].password_hash == f"hashed:{PASSWORD}"
    assert world.operators.by_id[operator.operator_id].password_hash == f"hashed:{PASSWORD}"
