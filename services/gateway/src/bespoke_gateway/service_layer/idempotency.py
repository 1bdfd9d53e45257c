"""Answering a creating POST once per Idempotency-Key (docs/api.md, "Idempotency"):
a retry with the same key and body gets the first answer again; the same key with
another body is refused; only successful answers are kept.

Every service behind a keyed route creates at most once per key itself (its own unique
index on the key), so the gateway does not claim the key before calling: the request
goes to the service, and its successful answer is kept in one write. A retry reaches the
service too, which creates nothing new, and gets the answer kept first
(docs/decisions/0012-one-write-per-idempotent-answer.md)."""

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
    """The first answer an identical request under ``key`` got: ``call``'s own, kept
    here, unless one was kept before it."""
    rid = record_id(account_id, method, path, key)
    print_ = fingerprint(payload)
    try:
        response = await call()
    except Exception:
        # No answer now (the service unreachable): a retry whose first attempt succeeded
        # still gets that answer.
        first = await store.first(rid, print_, clock.now())
        if first is None:
            raise
        return Answer(first, replayed=True)
    if 200 <= response.status_code < 300:
        kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        answer = StoredResponse(response.status_code, response.media_type, kept, response.content)
        first = await store.keep(rid, account_id, print_, clock.now(), answer)
    else:
        # Refused or failed now (a service down, a catalog changed since): a retry whose
        # first attempt succeeded still gets that answer.
        first = await store.first(rid, print_, clock.now())
    if first is None:
        return Answer(response, replayed=False)
    return Answer(first, replayed=True)
