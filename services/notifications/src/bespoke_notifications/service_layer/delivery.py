"""The courier: sends recorded emails, at most once each, retrying transient failures.

For each email: claim it, which marks it ``sending`` in one atomic write (one attempt at
a time, across processes), hand it to SMTP, record the outcome. A new email the courier
has room for is recorded already claimed by the process that records it and sent at
once (``Courier.take``): two writes in all. A transient failure
(SMTP down, 4xx) is retried with exponential backoff until ``give_up_after``; a
permanent one (5xx) fails at once. Either way the error is recorded and the other
emails go on. If the process dies while an email is ``sending``, nobody can know whether
SMTP took it; once the lease has passed (looked for when the courier starts and every
``sweep_seconds``) it is recorded as ``unknown`` and not sent again: at most once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bespoke_notifications.service_layer.ports import (
    Clock,
    Delivery,
    DeliveryStatus,
    Mailer,
    PermanentMailError,
    SendLog,
    TransientMailError,
)
from bespoke_platform.worker import BackgroundLoop

log = logging.getLogger(__name__)


RECORD_TRIES = 6
"""Tries at storing an attempt's outcome (waits of 0.5 to 8 s between them: 15 s in all,
well inside the 2-minute lease)."""


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 1.0
    max_delay: float = 60.0
    give_up_after: float = 3600.0
    """Seconds after which an email still not accepted is recorded as failed."""
    lease: float = 120.0
    """Seconds after which an email still ``sending`` is taken as interrupted."""

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay))


async def deliver(
    key: str, mailer: Mailer, send_log: SendLog, clock: Clock, policy: RetryPolicy
) -> DeliveryStatus | None:
    """One attempt at one email, if it is pending and due and no other attempt took it
    first. Returns its status afterwards (None when this attempt did not take it)."""
    delivery = await send_log.claim(key, clock.now())
    if delivery is None:
        return None
    return await attempt(delivery, mailer, send_log, clock, policy)


async def attempt(
    delivery: Delivery, mailer: Mailer, send_log: SendLog, clock: Clock, policy: RetryPolicy
) -> DeliveryStatus:
    """Hand a claimed email to SMTP and record how it went; returns its status."""
    key = delivery.email.dedup_key
    try:
        await mailer.send(delivery.email)
    except TransientMailError as error:
        now = clock.now()
        delivery.error = str(error)
        delivery.sending_since = None
        if (now - delivery.created_at).total_seconds() >= policy.give_up_after:
            delivery.status = DeliveryStatus.FAILED
            log.error("giving up on %s after %d attempts: %s", key, delivery.attempts, error)
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + policy.delay(delivery.attempts)
            log.warning(
                "sending %s failed (attempt %d), will retry: %s", key, delivery.attempts, error
            )
    except PermanentMailError as error:
        delivery.status, delivery.error, delivery.sending_since = (
            DeliveryStatus.FAILED,
            str(error),
            None,
        )
        log.error("%s refused for good: %s", key, error)
    else:
        delivery.status, delivery.sent_at, delivery.sending_since = (
            DeliveryStatus.SENT,
            clock.now(),
            None,
        )
        delivery.error = None
    await _record(send_log, delivery, policy)
    return delivery.status


async def _record(send_log: SendLog, delivery: Delivery, policy: RetryPolicy) -> None:
    """Store how an attempt went, retried while the database is away (a restart takes
    seconds): an email SMTP took but whose outcome was never stored would be recorded
    ``unknown`` once its lease passes, though this process knew it was sent."""
    wait = policy.first_delay / 2
    for _ in range(RECORD_TRIES - 1):
        try:
            await send_log.put(delivery)
            return
        except Exception as error:
            log.warning("recording %s failed, retrying: %s", delivery.email.dedup_key, error)
            await asyncio.sleep(wait)
            wait *= 2
    await send_log.put(delivery)


async def give_up_stalled(send_log: SendLog, clock: Clock, policy: RetryPolicy) -> int:
    """Record as ``unknown`` every email whose attempt a stopped process left ``sending``
    for longer than the lease: it may have gone out, so it is not sent again."""
    stalled = await send_log.stalled(clock.now() - timedelta(seconds=policy.lease), 100)
    for delivery in stalled:
        since = delivery.sending_since or delivery.created_at
        delivery.status = DeliveryStatus.UNKNOWN
        delivery.error = (
            f"interrupted while handing it to SMTP at {since.isoformat()}; it may have been "
            "sent, so it is not sent again"
        )
        delivery.sending_since = None
        await send_log.put(delivery)
    return len(stalled)


class Courier(BackgroundLoop):
    """Sends what the send log holds, in the background (``start``, ``wake``, ``stop``)."""

    def __init__(
        self,
        mailer: Mailer,
        send_log: SendLog,
        clock: Clock,
        policy: RetryPolicy,
        poll_seconds: float = 1.0,
        sweep_seconds: float = 300.0,
        at_once: int = 1,
    ) -> None:
        """``at_once``: emails sent side by side as they are recorded (``take``); more
        are recorded pending and wait for a pass. Each is one a crash can leave
        ``unknown`` (at most once): one, as when the courier claims them in turn, keeps
        "a crash can lose one email" true (`make chaos` lost two with 16)."""
        self._mailer, self._log, self._clock, self._policy = mailer, send_log, clock, policy
        self._sweep_seconds = sweep_seconds
        self._last_sweep = -float("inf")
        self._at_once = at_once
        self._sending: set[asyncio.Task[None]] = set()
        super().__init__("courier", self.deliver_waiting, poll_seconds)

    def can_take(self) -> bool:
        return self.running and len(self._sending) < self._at_once

    def take(self, delivery: Delivery) -> None:
        task = asyncio.create_task(self._send(delivery), name="courier-send")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, delivery: Delivery) -> None:
        try:
            await attempt(delivery, self._mailer, self._log, self._clock, self._policy)
        except Exception:
            # Left `sending`: once its lease passes it is recorded `unknown` (at most once).
            log.exception("recording the attempt at %s failed", delivery.email.dedup_key)

    async def stop(self) -> None:
        """Stop looking, after the emails being sent now are handed over and recorded, then
        hang up on the mail server."""
        await super().stop()
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
        await self._mailer.close()

    async def deliver_waiting(self) -> int:
        """One pass over the emails that may need an attempt; returns how many were sent."""
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._last_sweep >= self._sweep_seconds:
            self._last_sweep = loop_time
            await give_up_stalled(self._log, self._clock, self._policy)
        sent = 0
        for key in await self._log.due(self._clock.now(), 100):
            status = await deliver(key, self._mailer, self._log, self._clock, self._policy)
            sent += status is DeliveryStatus.SENT
        return sent
