"""Changing one document without transactions: read it, apply the change in memory, write
it back guarded by the revision it was read at (see ``outbox.save_with_events``); if
another writer got there first, read it again and apply the change again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

MAX_ATTEMPTS = 10


async def change_with_retries(
    load: Callable[[], Awaitable[T | None]],
    apply: Callable[[T], bool],
    save: Callable[[T], Awaitable[None]],
    conflict: type[Exception],
    attempts: int = MAX_ATTEMPTS,
    read: T | None = None,
) -> T | None:
    """Load, apply, save; ``save`` raises ``conflict`` when the document moved meanwhile.

    ``apply`` returns False when there is nothing to change (nothing is saved). Returns
    the item as it now is, or None when ``load`` finds none; raises ``conflict`` when the
    document kept changing for ``attempts`` tries. ``read``: the item as the caller has
    just read it, changed on the first try instead of loading it again (its save is
    refused if the document moved since; then it is loaded).
    """
    for attempt in range(attempts):
        item = read if attempt == 0 and read is not None else await load()
        if item is None or not apply(item):
            return item
        try:
            await save(item)
        except conflict:
            continue
        return item
    raise conflict("it kept changing while we tried to change it; try again")
