from __future__ import annotations

import asyncio

from bespoke_platform.worker import BackgroundLoop


async def test_a_wake_runs_a_pass_at_once_and_a_failing_pass_is_retried() -> None:
    passes: list[int] = []

    async def work() -> None:
        passes.append(len(passes))
        if len(passes) == 2:
            raise RuntimeError("transient")

    loop = BackgroundLoop("test", work, poll_seconds=60, max_backoff=60)
    loop.start()
    try:
        await asyncio.sleep(0.05)
        assert passes == [0], "one pass at start, then it waits (60 s poll)"
        loop.wake()
        await asyncio.sleep(0.05)
        assert passes == [0, 1], "woken: a pass at once (this one fails and is logged)"
        loop.wake()
        await asyncio.sleep(0.05)
        assert passes == [0, 1, 2], "the loop survived the failure"
    finally:
        await loop.stop()
