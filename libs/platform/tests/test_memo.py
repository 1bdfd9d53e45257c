"""Recent: the latest values by key, each for a while; Memo: those loaded once however
many ask at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bespoke_platform.memo import Memo, Recent


class Loader:
    def __init__(self) -> None:
        self.loads: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    def of(self, key: str) -> Callable[[], Awaitable[str | None]]:
        async def load() -> str | None:
            self.loads.append(key)
            await self.gate.wait()
            if self.fail:
                raise LookupError(key)
            return None if key == "missing" else key.upper()

        return load


def kept(value: str | None) -> bool:
    return value is not None


async def test_many_asking_at_once_share_one_load_and_later_ones_none() -> None:
    memo: Memo[str, str | None] = Memo(8)
    loader = Loader()
    loader.gate.clear()
    waiting = [asyncio.create_task(memo.get("a", loader.of("a"), kept)) for _ in range(5)]
    await asyncio.sleep(0)
    loader.gate.set()
    assert await asyncio.gather(*waiting) == ["A"] * 5
    assert await memo.get("a", loader.of("a"), kept) == "A"
    assert loader.loads == ["a"]


async def test_what_may_not_be_kept_and_failures_are_loaded_again() -> None:
    memo: Memo[str, str | None] = Memo(8)
    loader = Loader()
    for _ in range(2):
        assert await memo.get("missing", loader.of("missing"), kept) is None
    loader.fail = True
    for _ in range(2):
        with pytest.raises(LookupError):
            await memo.get("b", loader.of("b"), kept)
    assert loader.loads == ["missing", "missing", "b", "b"]
    assert len(memo) == 0


async def test_only_the_latest_used_are_kept() -> None:
    memo: Memo[str, str | None] = Memo(2)
    loader = Loader()
    for key in ("a", "b", "a", "c", "a", "b"):  # "b" is the oldest when "c" comes
        await memo.get(key, loader.of(key), kept)
    assert loader.loads == ["a", "b", "c", "b"]


async def test_one_caller_giving_up_does_not_stop_the_load_the_others_wait_for() -> None:
    memo: Memo[str, str | None] = Memo(8)
    loader = Loader()
    loader.gate.clear()
    impatient = asyncio.create_task(memo.get("a", loader.of("a"), kept))
    patient = asyncio.create_task(memo.get("a", loader.of("a"), kept))
    await asyncio.sleep(0)
    impatient.cancel()
    loader.gate.set()
    assert await patient == "A"
    assert loader.loads == ["a"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_recent_keeps_the_latest_used_and_each_for_its_seconds() -> None:
    clock = Clock()
    recent: Recent[str, int | None] = Recent(2, seconds=10, monotonic=clock)
    recent.put("a", 1)
    recent.put("b", None)
    assert recent.get("a") == 1  # "a" is now the latest used: "b" goes first
    recent.put("c", 3)
    assert (recent.lookup("b"), recent.get("a"), recent.get("c")) == (None, 1, 3)
    recent.put("c", 4)  # put again: kept from now
    clock.now += 9
    recent.put("d", None)
    assert recent.lookup("d") == (None,)  # a kept None is told from nothing kept
    clock.now += 1
    assert (recent.get("c"), recent.lookup("d")) == (None, (None,))
    assert len(recent) == 1
    recent.pop("d")
    assert recent.lookup("d") is None


async def test_a_memo_with_seconds_loads_again_once_they_have_passed() -> None:
    clock = Clock()
    memo: Memo[str, str | None] = Memo(8, seconds=60, monotonic=clock)
    loader = Loader()
    assert await memo.get("a", loader.of("a"), kept) == "A"
    clock.now += 59
    assert await memo.get("a", loader.of("a"), kept) == "A"
    clock.now += 1
    assert await memo.get("a", loader.of("a"), kept) == "A"
    assert loader.loads == ["a", "a"]
