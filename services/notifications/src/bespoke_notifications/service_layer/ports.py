"""What notification handlers need from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bespoke_notifications.domain.emails import Email, Notification


class TransientMailError(Exception):
    """The SMTP server is unreachable or asked us to try later."""


class PermanentMailError(Exception):
    """The SMTP server refused the email for good (e.g. an unknown recipient)."""


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...

    async def close(self) -> None:
        """Let go of the connection to the mail server, if the mailer keeps one."""


class Writer(Protocol):
    def write(self, notification: Notification) -> Email: ...


class Drawings(Protocol):
    """The design service's drawing of a design version, as a PNG for an email."""

    async def png(self, account_id: str, design_id: str, version: int) -> bytes | None:
        """None when it cannot be had now (the email goes without it)."""
        ...


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Waiting for its (next) attempt."""
    SENDING = "sending"
    """Handed to SMTP right now."""
    SENT = "sent"
    FAILED = "failed"
    """Given up: refused for good, or retried for too long. ``error`` says why."""
    UNKNOWN = "unknown"
    """The process stopped while handing it to SMTP: it may or may not have gone out.
    Not sent again (at most once); an operator can check the relay's log."""


@dataclass
class Delivery:
    """One email in the send log: what to send and how it went."""

    email: Email
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    error: str | None = None
    sent_at: datetime | None = None
    sending_since: datetime | None = None


class SendLog(Protocol):
    """Every notification, by dedup key: sent at most once, retried until then."""

    async def add(self, email: Email, now: datetime, claimed: bool = False) -> Delivery | None:
        """Record a new email, pending, or with ``claimed`` already taken for its first
        attempt (``sending`` since ``now``, as ``claim`` leaves it), in one write. The
        delivery recorded, or None if this notification is already known."""
        ...

    async def get(self, dedup_key: str) -> Delivery | None: ...

    async def put(self, delivery: Delivery) -> None:
        """Store the delivery's new state (only the attempt that claimed it writes it)."""
        ...

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Keys of pending emails whose next attempt is due at ``now``, soonest first."""
        ...

    async def claim(self, dedup_key: str, now: datetime) -> Delivery | None:
        """In one atomic write, take a pending, due email for an attempt: it becomes
        ``sending`` since ``now``, one more attempt counted. The delivery as it is now, or
        None if it is not pending and due (another attempt took it, or it is settled)."""
        ...

    async def stalled(self, sending_before: datetime, limit: int) -> list[Delivery]:
        """Emails ``sending`` since before ``sending_before``: attempts a stopped process
        left unfinished."""
        ...

    async def by_status(self, status: DeliveryStatus, limit: int) -> list[Delivery]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Dispatcher(Protocol):
    """What the handlers hand new emails to: the courier."""

    def can_take(self) -> bool:
        """Whether an email recorded now as claimed would be sent at once."""
        ...

    def take(self, delivery: Delivery) -> None:
        """Send this claimed email now, in the background."""
        ...

    def wake(self) -> None:
        """Pending emails were recorded: look for them soon."""
        ...
