"""Answering a creating POST once per Idempotency-Key (docs/api.md, "Idempotency"):
a retry with the same key and body gets the first answer again; the same key with
another body is refused; only successful answers are kept.

Every service behind a keyed route creates at most once per key itself (its own unique
index on the key), so the gateway does not claim the key before calling: the request
goes to the service, and its successful answer is kept in one write. A retry that
reaches another gateway reaches the service too, which creates nothing new, and gets
the answer kept first (docs/decisions/0012-one-write-per-idempotent-answer.md). Within
one gateway process a retry costs nothing (``Underway``): it waits for the request
under way with its key, or gets the answer given in the last minute, so clients retrying
a slow service do not multiply its work."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bespoke_gateway.domain.errors import IdempotencyKeyReused
from bespoke_gateway.service_layer.ports import Clock, IdempotencyStore, StoredResponse
from bespoke_platform.memo import Recent

KEPT_HEADERS = frozenset({"location"})
"""The headers of an answer that a replay repeats."""


def record_id(account_id: str, method: str, path: str, key: str) -> str:
    """Keys are scoped to the brand and the route."""
    return hashlib.sha256(f"{account_id}\x00{method}\x00{path}\x00{key}".encode()).hexdigest()


def fingerprint(payload: Any) -> str:
    """What was asked, whatever the order of its JSON members."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class Answer:
    response: StoredResponse
    replayed: bool
    """True when this is the stored answer of an earlier request with the same key."""


class Underway:
    """One gateway process's keyed requests: the one under way for each record, and the
    answers given in the last ``keep_seconds`` (the latest ``size``)."""

    def __init__(
        self,
        size: int = 1_000,
        keep_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._running: dict[str, tuple[str, asyncio.Task[Answer]]] = {}
        self._answered: Recent[str, tuple[str, StoredResponse]] = Recent(
            size, keep_seconds, monotonic
        )

    def first(self, rid: str, print_: str) -> StoredResponse | asyncio.Task[Answer] | None:
        """The answer given lately under ``rid``, or the request under way with it."""
        answered = self._answered.get(rid)
        if answered is not None:
            _same(answered[0], print_)
            return answered[1]
        running = self._running.get(rid)
        if running is not None:
            _same(running[0], print_)
            return running[1]
        return None

    def start(self, rid: str, print_: str, task: asyncio.Task[Answer]) -> None:
        self._running[rid] = (print_, task)
        task.add_done_callback(lambda done: self._finish(rid, print_, done))

    def _finish(self, rid: str, print_: str, done: asyncio.Task[Answer]) -> None:
        del self._running[rid]
        if done.cancelled() or done.exception() is not None:
            return
        answer = done.result().response
        if _succeeded(answer):
            self._answered.put(rid, (print_, _kept(answer)))


def _same(first_print: str, print_: str) -> None:
    if first_print != print_:
        raise IdempotencyKeyReused()


async def answer_once(
    store: IdempotencyStore,
    clock: Clock,
    underway: Underway,
    *,
    account_id: str,
    method: str,
    path: str,
    key: str,
    payload: Any,
    call: Callable[[], Awaitable[StoredResponse]],
) -> Answer:
    """The first answer an identical request under ``key`` got: ``call``'s own, kept
    here, unless one was kept before it."""
    rid = record_id(account_id, method, path, key)
    print_ = fingerprint(payload)
    first = underway.first(rid, print_)
    if isinstance(first, StoredResponse):
        return Answer(first, replayed=True)
    if first is not None:  # the same request, under way: its answer (or its failure)
        answer = await asyncio.shield(first)
        if _succeeded(answer.response):
            return Answer(_kept(answer.response), replayed=True)
        return answer
    answering = asyncio.ensure_future(_answer(store, clock, account_id, rid, print_, call))
    underway.start(rid, print_, answering)
    # A client giving up does not stop the answer the others with its key wait for.
    return await asyncio.shield(answering)


def _succeeded(response: StoredResponse) -> bool:
    return 200 <= response.status_code < 300


def _kept(response: StoredResponse) -> StoredResponse:
    """The answer as a replay repeats it."""
    kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
    return StoredResponse(response.status_code, response.media_type, kept, response.content)


async def _answer(
    store: IdempotencyStore,
    clock: Clock,
    account_id: str,
    rid: str,
    print_: str,
    call: Callable[[], Awaitable[StoredResponse]],
) -> Answer:
    try:
        response = await call()
    except Exception:
        # No answer now (the service unreachable): a retry whose first attempt succeeded
        # still gets that answer.
        first = await store.first(rid, print_, clock.now())
        if first is None:
            raise
        return Answer(first, replayed=True)
    if _succeeded(response):
        first = await store.keep(rid, account_id, print_, clock.now(), _kept(response))
    else:
        # Refused or failed now (a service down, a catalog changed since): a retry whose
        # first attempt succeeded still gets that answer.
        first = await store.first(rid, print_, clock.now())
    if first is None:
        return Answer(response, replayed=False)
    return Answer(first, replayed=True)
