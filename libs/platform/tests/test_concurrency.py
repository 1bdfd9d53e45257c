from __future__ import annotations

import pytest

from bespoke_platform.concurrency import change_with_retries


class Moved(Exception):
    pass


async def test_a_change_that_lost_a_race_is_applied_again_to_the_fresh_document() -> None:
    stored = {"n": 0, "revision": 0}
    saves: list[dict[str, int]] = []

    async def load() -> dict[str, int]:
        return dict(stored)

    async def save(doc: dict[str, int]) -> None:
        if not saves:  # another writer got there first
            stored.update(n=10, revision=1)
            saves.append(doc)
            raise Moved()
        stored.update(doc)
        saves.append(doc)

    def add_one(doc: dict[str, int]) -> bool:
        doc["n"] += 1
        return True

    result = await change_with_retries(load, add_one, save, Moved)
    assert result == {"n": 11, "revision": 1}
    assert stored["n"] == 11


async def test_nothing_to_load_nothing_to_change_and_a_document_that_keeps_moving() -> None:
    async def none() -> None:
        return None

    async def never(_: object) -> None:
        raise AssertionError("nothing to save")

    async def moved(_: object) -> None:
        raise Moved()

    async def one() -> dict[str, int]:
        return {"n": 1}

    assert await change_with_retries(none, lambda _: True, never, Moved) is None
    assert await change_with_retries(one, lambda _: False, never, Moved) == {"n": 1}
    with pytest.raises(Moved):
        await change_with_retries(one, lambda _: True, moved, Moved, attempts=3)
