"""In-memory stand-ins for the notifications service's ports, each a subclass of the port it
replaces, so mypy checks that it keeps the port's shape."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bespoke_notifications.adapters.templates import TemplateWriter
from bespoke_notifications.domain.emails import Email
from bespoke_notifications.service_layer.delivery import Courier, RetryPolicy
from bespoke_notifications.service_layer.handlers import NotificationsDeps
from bespoke_notifications.service_layer.ports import (
    Clock,
    Delivery,
    DeliveryStatus,
    Drawings,
    Mailer,
    PermanentMailError,
    SendLog,
    TransientMailError,
)


class FakeMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.down = False
        self.refuse: set[str] = set()
        self.crash = False
        self.slow: asyncio.Event | None = None
        """While set and not yet set off, sending waits for it."""
        self.closed_after: int | None = None
        """How many emails were sent when the mailer was closed."""

    async def send(self, email: Email) -> None:
        if self.slow is not None:
            await self.slow.wait()
        if self.crash:
            raise SystemExit("killed mid-send")
        if self.down:
            raise TransientMailError("ConnectionRefusedError: SMTP server down")
        if email.to in self.refuse:
            raise PermanentMailError("recipient refused: 550 no such user")
        self.sent.append(email)

    async def close(self) -> None:
        self.closed_after = len(self.sent)


class FakeSendLog(SendLog):
    def __init__(self) -> None:
        self.log: dict[str, Delivery] = {}

    async def add(self, email: Email, now: datetime, claimed: bool = False) -> Delivery | None:
        if email.dedup_key in self.log:
            return None
        delivery = (
            Delivery(email, DeliveryStatus.SENDING, 1, now, now, sending_since=now)
            if claimed
            else Delivery(email, DeliveryStatus.PENDING, 0, now, now)
        )
        self.log[email.dedup_key] = delivery
        return copy.deepcopy(delivery)

    async def get(self, dedup_key: str) -> Delivery | None:
        d = self.log.get(dedup_key)
        return copy.deepcopy(d) if d else None

    async def put(self, delivery: Delivery) -> None:
        self.log[delivery.email.dedup_key] = copy.deepcopy(delivery)

    async def due(self, now: datetime, limit: int) -> list[str]:
        due = [
            d
            for d in self.log.values()
            if d.status is DeliveryStatus.PENDING and d.next_attempt_at <= now
        ]
        return [d.email.dedup_key for d in sorted(due, key=lambda d: d.next_attempt_at)][:limit]

    async def claim(self, dedup_key: str, now: datetime) -> Delivery | None:
        d = self.log.get(dedup_key)
        if d is None or d.status is not DeliveryStatus.PENDING or d.next_attempt_at > now:
            return None
        d.status, d.sending_since, d.attempts = DeliveryStatus.SENDING, now, d.attempts + 1
        return copy.deepcopy(d)

    async def stalled(self, sending_before: datetime, limit: int) -> list[Delivery]:
        return [
            copy.deepcopy(d)
            for d in self.log.values()
            if d.status is DeliveryStatus.SENDING
            and (d.sending_since or d.created_at) < sending_before
        ][:limit]

    async def by_status(self, status: DeliveryStatus, limit: int) -> list[Delivery]:
        return [d for d in self.log.values() if d.status is status][:limit]


@dataclass
class FakeClock(Clock):
    at: datetime = field(default_factory=lambda: datetime(2026, 11, 22, 10, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class FakeDrawings(Drawings):
    """Every design drawn as the same PNG, or none while ``down``."""

    png_bytes: bytes = b"\x89PNG\r\n\x1a\nfake"
    down: bool = False
    asked: list[tuple[str, str, int]] = field(default_factory=list)

    async def png(self, account_id: str, design_id: str, version: int) -> bytes | None:
        self.asked.append((account_id, design_id, version))
        return None if self.down else self.png_bytes


@dataclass
class Fakes:
    mailer: FakeMailer = field(default_factory=FakeMailer)
    drawings: FakeDrawings = field(default_factory=FakeDrawings)
    log: FakeSendLog = field(default_factory=FakeSendLog)
    clock: FakeClock = field(default_factory=FakeClock)
    policy: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(first_delay=1, max_delay=60, give_up_after=600)
    )

    @property
    def courier(self) -> Courier:
        return Courier(self.mailer, self.log, self.clock, self.policy, sweep_seconds=0)

    @property
    def deps(self) -> NotificationsDeps:
        return NotificationsDeps(
            writer=TemplateWriter("https://backoffice.example"),
            log=self.log,
            clock=self.clock,
            courier=self.courier,
            drawings=self.drawings,
        )

    @property
    def sent(self) -> list[Email]:
        return self.mailer.sent
