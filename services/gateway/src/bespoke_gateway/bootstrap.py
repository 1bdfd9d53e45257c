"""Wiring: builds the gateway from its settings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from bespoke_gateway.adapters.accounts import MongoAccountRepository
from bespoke_gateway.adapters.idempotency import MongoIdempotency
from bespoke_gateway.adapters.mailer import NotificationsMailer
from bespoke_gateway.adapters.notices import MongoChangeNotices
from bespoke_gateway.adapters.passwords import Argon2Hasher, CommonPasswords
from bespoke_gateway.adapters.people import (
    MongoApiTokens,
    MongoFailures,
    MongoOperators,
    MongoPasswordLinks,
    MongoSessions,
    MongoUsers,
    person_changes,
)
from bespoke_gateway.adapters.upstream import ServiceClient
from bespoke_gateway.domain.errors import UpstreamUnavailable
from bespoke_gateway.domain.ratelimit import RateLimiter
from bespoke_gateway.domain.sessions import ThrottlePolicy
from bespoke_gateway.service_layer.housekeeping import sweep
from bespoke_gateway.service_layer.idempotency import Underway
from bespoke_gateway.service_layer.identity import IdentityDeps, SessionRules
from bespoke_gateway.service_layer.links import LinkDeps, LinkRules
from bespoke_gateway.service_layer.ports import (
    AccountRepository,
    ChangeNotices,
    Clock,
    IdempotencyStore,
)
from bespoke_gateway.settings import GatewaySettings
from bespoke_platform.clock import SystemClock
from bespoke_platform.credentials import signer_from
from bespoke_platform.mongo import Document, connect
from bespoke_platform.tracing import service_client
from bespoke_platform.worker import BackgroundLoop

HOUSEKEEPING_SECONDS = 600.0
"""How often the gateway forgets what has expired (and once at startup)."""


@dataclass
class GatewayRuntime:
    settings: GatewaySettings
    mongo: AsyncMongoClient[Document]
    accounts: AccountRepository
    orders: ServiceClient
    design: ServiceClient
    payments: ServiceClient
    shipping: ServiceClient
    idempotency: IdempotencyStore
    limiter: RateLimiter
    clock: Clock = field(default_factory=SystemClock)
    underway: Underway = field(default_factory=Underway)
    """This process's keyed requests under way and lately answered (idempotency)."""
    address_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(200.0, 400))
    """Requests per client address, before any credential is looked at."""
    identity: IdentityDeps | None = None
    """Brand users and their sessions (None: bearer tokens only, for tests of the rest)."""
    links: LinkDeps | None = None
    """Invitations and password resets by email (None where there is no mail)."""
    person_changes: ChangeNotices | None = None
    """The notices of changes to users and operators, read with the token notices."""

    def people(self) -> IdentityDeps:
        """Brand users, operators, sessions and API tokens, where this gateway has them."""
        if self.identity is None:
            raise UpstreamUnavailable("people and sessions are not available on this gateway")
        return self.identity

    def password_links(self) -> LinkDeps:
        """Invitations and password resets, where this gateway sends them."""
        if self.links is None:
            raise UpstreamUnavailable("invitations and password resets are not available here")
        return self.links

    def __post_init__(self) -> None:
        self._housekeeping = BackgroundLoop("housekeeping", self.sweep, HOUSEKEEPING_SECONDS)
        self._notices = BackgroundLoop(
            "change-notices", self.read_notices, self.settings.token_notice_seconds
        )

    async def read_notices(self) -> int:
        """Read the notices of replaced or revoked brand tokens and of changed people
        (what each gateway remembers of them is forgotten); returns how many were new."""
        new = await self.accounts.read_notices()
        if self.person_changes is not None:
            new += len(await self.person_changes.read())
        return new

    async def sweep(self) -> dict[str, int]:
        """Forget what has expired (``service_layer.housekeeping``)."""
        links = self.links.links if self.links is not None else None
        return await sweep(
            self.clock, self.idempotency, self.identity, links, self.accounts, self.person_changes
        )

    async def start(self) -> None:
        self._housekeeping.start()
        self._notices.start()

    async def ensure_indexes(self) -> None:
        await self.idempotency.ensure_indexes()
        if self.identity is not None:
            await self.identity.api_tokens.ensure_indexes()
            await self.identity.users.ensure_indexes()

    async def close(self) -> None:
        await self._housekeeping.stop()
        await self._notices.stop()
        await self.orders.aclose()
        await self.design.aclose()
        await self.payments.aclose()
        await self.shipping.aclose()
        if self.links is not None:
            await self.links.mailer.aclose()


def bootstrap(settings: GatewaySettings | None = None) -> GatewayRuntime:
    settings = settings or GatewaySettings()
    mongo = connect(settings.mongodb_url)
    timeout = httpx.Timeout(settings.upstream_timeout_seconds)
    db = mongo[settings.mongodb_database]
    accounts = MongoAccountRepository(db, remember_seconds=settings.token_remember_seconds)
    changes = person_changes(db)
    identity = identity_deps(settings, db, accounts, changes)
    signer = signer_from("gateway", settings.signing_key, settings.signing_key_id)
    return GatewayRuntime(
        settings=settings,
        mongo=mongo,
        accounts=accounts,
        orders=ServiceClient("orders", service_client(settings.orders_url, timeout), signer),
        design=ServiceClient("design", service_client(settings.design_url, timeout), signer),
        payments=ServiceClient("payments", service_client(settings.payments_url, timeout), signer),
        shipping=ServiceClient("shipping", service_client(settings.shipping_url, timeout), signer),
        idempotency=MongoIdempotency(db),
        limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
        address_limiter=RateLimiter(
            settings.rate_limit_per_address_per_second, settings.rate_limit_per_address_burst
        ),
        identity=identity,
        person_changes=changes,
        links=LinkDeps(
            identity=identity,
            links=MongoPasswordLinks(db),
            mailer=NotificationsMailer(service_client(settings.notifications_url, timeout), signer),
            rules=LinkRules(
                invitation_lasts=timedelta(seconds=settings.invitation_lasts_seconds),
                reset_lasts=timedelta(seconds=settings.reset_link_lasts_seconds),
                resets_per_email=ThrottlePolicy(
                    3, timedelta(minutes=5), timedelta(hours=1), timedelta(hours=1)
                ),
            ),
        ),
    )


def identity_deps(
    settings: GatewaySettings,
    db: AsyncDatabase[Document],
    accounts: AccountRepository,
    changes: MongoChangeNotices | None = None,
) -> IdentityDeps:
    """Brand users, sessions and sign-in throttling, in the gateway's database. With
    ``changes`` (the notices this gateway reads), the person behind a session or an API
    token is remembered for ``person_remember_seconds``."""
    remember = settings.person_remember_seconds if changes is not None else 0.0
    longest = timedelta(seconds=settings.sign_in_longest_wait_seconds)

    def policy(free: int) -> ThrottlePolicy:
        return ThrottlePolicy(free, timedelta(seconds=1), longest, forget_after=longest)

    hasher = Argon2Hasher()
    return IdentityDeps(
        accounts=accounts,
        users=MongoUsers(db, changes, remember),
        sessions=MongoSessions(db),
        failures=MongoFailures(db),
        hasher=hasher,
        common_passwords=CommonPasswords(),
        clock=SystemClock(),
        rules=SessionRules(
            idle=timedelta(seconds=settings.session_idle_seconds),
            absolute=timedelta(seconds=settings.session_absolute_seconds),
            per_email=policy(settings.sign_in_free_failures_per_email),
            per_address=policy(settings.sign_in_free_failures_per_address),
        ),
        stand_in_hash=hasher.hash(secrets.token_urlsafe(16)),
        api_tokens=MongoApiTokens(db),
        operators=MongoOperators(db, changes, remember),
    )
