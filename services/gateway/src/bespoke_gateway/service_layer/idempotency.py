"""Answering a creating POST once per Idempotency-Key (docs/api.md, "Idempotency"):
a retry with the same key and body gets the first answer again without doing the work
again; the same key with another body is refused; only successful answers are kept."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bespoke_gateway.service_layer.ports import Clock, IdempotencyStore, StoredResponse

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


async def answer_once(
    store: IdempotencyStore,
    clock: Clock,
    *,
    account_id: str,
    method: str,
    path: str,
    key: str,
    payload: Any,
    call: Callable[[], Awaitable[StoredResponse]],
) -> Answer:
    """``call``'s answer, or the one an identical earlier request under ``key`` got."""
    rid = record_id(account_id, method, path, key)
    stored = await store.begin(rid, account_id, fingerprint(payload), clock.now())
    if stored is not None:
        return Answer(stored, replayed=True)
    try:
        response = await call()
    except BaseException:
        await store.abandon(rid)
        raise
    kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
    await store.finish(
        rid, StoredResponse(response.status_code, response.media_type, kept, response.content)
    )
    return Answer(response, replayed=False)
