"""A background task that repeats one pass of work: at once when woken, otherwise every
``poll_seconds``; a failing pass is logged and tried again after a backoff that doubles
up to ``max_backoff``. The outbox relay, the email courier and shipping's recovery of
interrupted groups run on it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class BackgroundLoop:
    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[object]],
        poll_seconds: float,
        max_backoff: float | None = None,
    ) -> None:
        self._name = name
        self._work = work
        self._poll_seconds = poll_seconds
        self._max_backoff = max(max_backoff or poll_seconds, poll_seconds)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background until ``stop``."""
        self._task = asyncio.create_task(self.run(), name=self._name)

    @property
    def running(self) -> bool:
        """Started, and neither stopped nor ended."""
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Do a pass soon (there is new work)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Pass after pass until cancelled."""
        backoff = self._poll_seconds
        while True:
            self._wakeup.clear()  # before the pass, so a wake during it is not lost
            try:
                await self._work()
                backoff = self._poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; retrying in %.1fs", self._name, backoff)
                backoff = min(backoff * 2, self._max_backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=backoff)
