"""In-memory stand-ins for the gateway's ports, each a subclass of the port it replaces,
so mypy checks that it keeps the port's shape, and a ``World`` that wires the people
ports (users, sessions, failures, API tokens, operators, password links, the mailer) as
the service layer's dependencies. Tests get them as fixtures (``conftest``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx

from bespoke_contracts.api.notifications import AccountEmailRequest
from bespoke_gateway.domain.accounts import Account
from bespoke_gateway.domain.errors import (
    IdempotencyKeyReused,
    UpstreamUnavailable,
)
from bespoke_gateway.domain.links import PasswordLink
from bespoke_gateway.domain.operators import Operator
from bespoke_gateway.domain.sessions import Failures, Session, ThrottlePolicy
from bespoke_gateway.domain.tokens import ApiToken
from bespoke_gateway.domain.users import User, UserStatus
from bespoke_gateway.service_layer.identity import IdentityDeps, SessionRules
from bespoke_gateway.service_layer.links import LinkDeps, LinkRules
from bespoke_gateway.service_layer.ports import (
    AccountMailer,
    AccountRepository,
    ApiTokenStore,
    FailureCounter,
    IdempotencyStore,
    OperatorRepository,
    PasswordHasher,
    PasswordLinkStore,
    SessionStore,
    StoredResponse,
    UserRepository,
)
from bespoke_platform.credentials import (
    Claims,
    CredentialSigner,
    CredentialVerifier,
    new_key,
)


class FakeAccounts(AccountRepository):
    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    async def ensure_indexes(self) -> None:
        return None

    async def add(self, account: Account) -> None:
        self.accounts[account.token_hash] = account

    async def account_id_for_token(self, token_hash: str) -> str | None:
        account = self.accounts.get(token_hash)
        return None if account is None else account.account_id

    async def get(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.account_id == account_id), None)

    async def read_notices(self) -> int:
        return 0

    async def purge_notices(self, now: datetime) -> int:
        return 0

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
        self.records: dict[str, tuple[str, StoredResponse]] = {}

    async def ensure_indexes(self) -> None:
        return None

    async def keep(
        self, rid: str, account_id: str, print_: str, now: datetime, response: StoredResponse
    ) -> StoredResponse | None:
        first = await self.first(rid, print_, now)
        if first is None:
            self.records[rid] = (print_, response)
        return first

    async def first(self, rid: str, print_: str, now: datetime) -> StoredResponse | None:
        if rid not in self.records:
            return None
        kept_print, response = self.records[rid]
        if kept_print != print_:
            raise IdempotencyKeyReused("used for a different request")
        return response

    async def purge(self, now: datetime) -> int:
        return 0


SIGNING_KEY = new_key()
SIGNER = CredentialSigner("gateway", "gateway-test", SIGNING_KEY)
"""The gateway's key in these tests: the fake services verify what it signs."""


def claims_of(request: httpx.Request, service: str) -> Claims:
    """What the gateway's credential on ``request`` says, verified as ``service`` would."""
    verifier = CredentialVerifier(service, {"gateway": {"gateway-test": SIGNING_KEY.public_key()}})
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    assert scheme == "Bearer", "every call to a service carries the gateway's credential"
    return verifier.verify(token)


T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "sturdy leather insoles 42"


class FakeClock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


class CountingHasher(PasswordHasher):
    """Not a real hash: counts the verifications, which cost the same whatever they check."""

    def __init__(self) -> None:
        self.verified = 0

    def hash(self, password: str) -> str:
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return password_hash == f"hashed:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class FakeUsers(UserRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, User] = {}
        self.remembered: dict[str, User] | None = None
        """When set, ``current`` answers as a gateway that has not yet read the notices:
        each user as it first found them."""

    async def add(self, user: User) -> bool:
        if any(u.email == user.email for u in self.by_id.values()):
            return False
        self.by_id[user.user_id] = user
        return True

    async def get(self, user_id: str) -> User | None:
        return self.by_id.get(user_id)

    async def current(self, user_id: str) -> User | None:
        if self.remembered is None:
            return self.by_id.get(user_id)
        if user_id not in self.remembered and user_id in self.by_id:
            self.remembered[user_id] = self.by_id[user_id]
        return self.remembered.get(user_id)

    async def by_email(self, email: str) -> User | None:
        return next((u for u in self.by_id.values() if u.email == email), None)

    async def save(self, user: User) -> None:
        self.by_id[user.user_id] = user

    async def save_password(self, user: User) -> bool:
        stored = self.by_id.get(user.user_id)
        if stored is None or stored.status is UserStatus.DEACTIVATED:
            return False
        self.by_id[user.user_id] = user
        return True

    async def for_brand(self, account_id: str) -> list[User]:
        return [u for u in self.by_id.values() if u.account_id == account_id]

    async def ensure_indexes(self) -> None:
        return None


class FakeSessions(SessionStore):
    def __init__(self) -> None:
        self.stored: dict[str, Session] = {}

    async def add(self, session: Session) -> None:
        self.stored[session.token_hash] = session

    async def get(self, token_hash: str) -> Session | None:
        return self.stored.get(token_hash)

    async def touch(self, session: Session) -> None:
        self.stored[session.token_hash] = session

    async def delete(self, token_hash: str) -> None:
        self.stored.pop(token_hash, None)

    async def delete_for_user(self, user_id: str) -> None:
        for key, session in list(self.stored.items()):
            if session.user_id == user_id:
                del self.stored[key]

    async def purge(self, idle_before: datetime, created_before: datetime) -> int:
        old = [
            k
            for k, s in self.stored.items()
            if s.last_seen_at < idle_before or s.created_at < created_before
        ]
        for key in old:
            del self.stored[key]
        return len(old)


class FakeFailures(FailureCounter):
    def __init__(self) -> None:
        self.counts: dict[str, Failures] = {}

    async def get(self, key: str) -> Failures | None:
        return self.counts.get(key)

    async def add(self, key: str, now: datetime, forget_after: timedelta) -> None:
        old = self.counts.get(key)
        fresh = old is None or now - old.last_at > forget_after
        self.counts[key] = Failures(1 if fresh or old is None else old.count + 1, now)

    async def clear(self, key: str) -> None:
        self.counts.pop(key, None)


class FakeApiTokens(ApiTokenStore):
    def __init__(self) -> None:
        self.by_hash_: dict[str, ApiToken] = {}
        self.touched = 0

    async def ensure_indexes(self) -> None:
        return None

    async def add(self, token: ApiToken) -> None:
        self.by_hash_[token.token_hash] = token

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        return self.by_hash_.get(token_hash)

    async def for_brand(self, account_id: str) -> list[ApiToken]:
        return [t for t in self.by_hash_.values() if t.account_id == account_id]

    async def touch(self, token: ApiToken) -> None:
        self.touched += 1
        self.by_hash_[token.token_hash] = token

    async def revoke(self, account_id: str, token_id: str) -> bool:
        for key, token in list(self.by_hash_.items()):
            if (token.account_id, token.token_id) == (account_id, token_id):
                del self.by_hash_[key]
                return True
        return False

    async def revoke_made_by(self, account_id: str, created_by: str) -> int:
        made = [
            k
            for k, t in self.by_hash_.items()
            if (t.account_id, t.created_by) == (account_id, created_by)
        ]
        for key in made:
            del self.by_hash_[key]
        return len(made)


class FakeOperators(OperatorRepository):
    def __init__(self) -> None:
        self.by_id: dict[str, Operator] = {}

    async def add(self, operator: Operator) -> bool:
        if any(o.email == operator.email for o in self.by_id.values()):
            return False
        self.by_id[operator.operator_id] = operator
        return True

    async def get(self, operator_id: str) -> Operator | None:
        return self.by_id.get(operator_id)

    async def current(self, operator_id: str) -> Operator | None:
        return self.by_id.get(operator_id)

    async def by_email(self, email: str) -> Operator | None:
        return next((o for o in self.by_id.values() if o.email == email), None)

    async def by_token_hash(self, token_hash: str) -> Operator | None:
        return next((o for o in self.by_id.values() if o.token_hash == token_hash), None)

    async def save_password(self, operator: Operator) -> None:
        self.by_id[operator.operator_id] = operator


class FakeLinks(PasswordLinkStore):
    def __init__(self) -> None:
        self.live: dict[str, PasswordLink] = {}

    async def replace(self, link: PasswordLink) -> None:
        self.live = {k: v for k, v in self.live.items() if v.user_id != link.user_id}
        self.live[link.secret_hash] = link

    async def get(self, secret_hash: str) -> PasswordLink | None:
        return self.live.get(secret_hash)

    async def take(self, secret_hash: str) -> bool:
        return self.live.pop(secret_hash, None) is not None

    async def purge(self, now: datetime) -> int:
        expired = [k for k, link in self.live.items() if link.expired(now)]
        for key in expired:
            del self.live[key]
        return len(expired)


class FakeMailer(AccountMailer):
    """Keeps what it was asked to send; ``down`` makes it fail as an unreachable service."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, AccountEmailRequest]] = []
        self.down = False

    async def send(self, link_id: str, email: AccountEmailRequest) -> None:
        if self.down:
            raise UpstreamUnavailable("the notifications service is not answering")
        self.sent.append((link_id, email))

    async def aclose(self) -> None:
        return None


POLICY = ThrottlePolicy(3, timedelta(seconds=1), timedelta(minutes=15), timedelta(minutes=15))
RESETS = ThrottlePolicy(3, timedelta(minutes=5), timedelta(hours=1), timedelta(hours=1))


@dataclass
class World:
    clock: FakeClock = field(default_factory=FakeClock)
    hasher: CountingHasher = field(default_factory=CountingHasher)
    accounts: FakeAccounts = field(default_factory=FakeAccounts)
    users: FakeUsers = field(default_factory=FakeUsers)
    sessions: FakeSessions = field(default_factory=FakeSessions)
    failures: FakeFailures = field(default_factory=FakeFailures)
    api_tokens: FakeApiTokens = field(default_factory=FakeApiTokens)
    operators: FakeOperators = field(default_factory=FakeOperators)
    links: FakeLinks = field(default_factory=FakeLinks)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    account_id: str = ""

    @property
    def deps(self) -> IdentityDeps:
        return IdentityDeps(
            accounts=self.accounts,
            users=self.users,
            sessions=self.sessions,
            failures=self.failures,
            hasher=self.hasher,
            common_passwords=frozenset({"password123456"}),
            clock=self.clock,
            rules=SessionRules(timedelta(hours=8), timedelta(days=7), POLICY, POLICY),
            stand_in_hash="hashed:nobody's",
            api_tokens=self.api_tokens,
            operators=self.operators,
        )

    @property
    def link_deps(self) -> LinkDeps:
        return LinkDeps(
            identity=self.deps,
            links=self.links,
            mailer=self.mailer,
            rules=LinkRules(timedelta(hours=72), timedelta(hours=1), RESETS),
        )
