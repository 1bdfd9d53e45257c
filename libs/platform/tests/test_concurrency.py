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


async def test_a_document_the_caller_just_read_is_changed_without_loading_it_again() -> None:
    stored = {"n": 0, "revision": 0}
    loads = 0

    async def load() -> dict[str, int]:
        nonlocal loads
        loads += 1
        return dict(stored)

    async def save(doc: dict[str, int]) -> None:
        if doc["revision"] != stored["revision"]:
            raise Moved()
        stored.update(doc, revision=doc["revision"] + 1)

    def add_one(doc: dict[str, int]) -> bool:
        doc["n"] += 1
        return True

    await change_with_retries(load, add_one, save, Moved, read=dict(stored))
    assert (stored, loads) == ({"n": 1, "revision": 1}, 0)
    stale = {"n": 0, "revision": 0}  # read before the change above
    await change_with_retries(load, add_one, save, Moved, read=stale)
    assert (stored, loads) == ({"n": 2, "revision": 2}, 1), "refused, then loaded"
