"""Things kept in memory by key: the latest few, each for a while at most (``Recent``),
and those loaded once even when many ask for them at the same moment (``Memo``: a burst
of orders of a new design version costs one call, not one per order)."""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The latest ``size`` values put, by key, each for ``seconds`` after it was put (by
    default for as long as it stays among the latest)."""

    def __init__(
        self,
        size: int,
        seconds: float = math.inf,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size, self._seconds, self._monotonic = size, seconds, monotonic
        self._kept: OrderedDict[K, tuple[V, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: K) -> V | None:
        """The value kept under ``key``, unless it has expired; it becomes the latest."""
        found = self.lookup(key)
        return None if found is None else found[0]

    def lookup(self, key: K) -> tuple[V] | None:
        """``(value,)`` as ``get`` finds it, or None: for values that may be None."""
        kept = self._kept.get(key)
        if kept is None:
            return None
        if kept[1] <= self._monotonic():
            del self._kept[key]
            return None
        self._kept.move_to_end(key)
        return (kept[0],)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` (the earliest kept goes when there are more than ``size``)."""
        self._kept[key] = (value, self._monotonic() + self._seconds)
        self._kept.move_to_end(key)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def pop(self, key: K) -> None:
        self._kept.pop(key, None)


class Memo(Generic[K, V]):
    """The latest ``size`` values by key, each for ``seconds`` at most (by default, while
    among the latest). ``get`` returns the kept value, or loads it: callers asking for a
    key while it loads wait for that one load, and get its value or its exception."""

    def __init__(
        self,
        size: int,
        seconds: float = math.inf,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept: Recent[K, V] = Recent(size, seconds, monotonic)
        self._loading: dict[K, asyncio.Task[V]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    async def get(self, key: K, load: Callable[[], Awaitable[V]], keep: Callable[[V], bool]) -> V:
        """``keep``: whether a loaded value may be kept (an answer that can still change,
        such as "not found", is not)."""
        kept = self._kept.lookup(key)
        if kept is not None:
            return kept[0]
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
            self._kept.put(key, value)
        return value
