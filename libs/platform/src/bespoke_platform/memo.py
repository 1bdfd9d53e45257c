"""Things that never change once made (a design version, its drawing), kept in memory:
the latest few by key, each loaded once even when many ask for it at the same moment
(a burst of orders of a new design version costs one call, not one per order)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """The latest ``size`` values by key. ``get`` returns the kept value, or loads it:
    callers asking for a key while it loads wait for that one load, and get its value
    or its exception."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._loading: dict[K, asyncio.Task[V]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    async def get(self, key: K, load: Callable[[], Awaitable[V]], keep: Callable[[V], bool]) -> V:
        """``keep``: whether a loaded value may be kept (an answer that can still change,
        such as "not found", is not)."""
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.create_task(self._load(key, load, keep))
            self._loading[key] = loading
        # One caller giving up (cancelled) does not cancel the load the others wait for.
        return await asyncio.shield(loading)

    async def _load(self, key: K, load: Callable[[], Awaitable[V]], keep: Callable[[V], bool]) -> V:
        try:
            value = await load()
        finally:
            del self._loading[key]
        if keep(value):
            self._kept[key] = value
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value
