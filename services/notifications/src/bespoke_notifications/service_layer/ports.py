"""What notification handlers need from the outside world."""

from __future__ import annotations

from typing import Protocol

from bespoke_notifications.domain.emails import Email


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...


class SentLog(Protocol):
    """Which notifications went out, so a redelivered event sends nothing twice."""

    async def was_sent(self, dedup_key: str) -> bool: ...

    async def record(self, email: Email) -> None: ...
