"""Answering a creating POST once per Idempotency-Key (the gateway's service layer)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bespoke_gateway.domain.errors import IdempotencyKeyReused
from bespoke_gateway.service_layer.idempotency import Answer, answer_once, fingerprint
from bespoke_gateway.service_layer.ports import IdempotencyStore, StoredResponse


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)


class Service:
    """Counts its calls; answers 201 with a Location unless told otherwise."""

    def __init__(self) -> None:
        self.calls = 0
        self.status = 201
        self.fail: BaseException | None = None

    async def __call__(self) -> StoredResponse:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        return StoredResponse(
            self.status,
            "application/json",
            {"Location": "/api/v1/orders/BF-000001", "X-Request-Id": f"r{self.calls}"},
            b'{"order_number": "BF-000001"}',
        )


async def post(
    store: IdempotencyStore, service: Service, payload: object, key: str = "k"
) -> Answer:
    return await answer_once(
        store,
        Clock(),
        account_id="acc_1",
        method="POST",
        path="/api/v1/orders",
        key=key,
        payload=payload,
        call=service,
    )


async def test_a_retry_gets_the_first_answer_without_calling_again(
    replies: IdempotencyStore,
) -> None:
    service = Service()
    first = await post(replies, service, {"a": 1, "b": 2})
    again = await post(replies, service, {"b": 2, "a": 1})  # same body, other member order

    assert service.calls == 1
    assert (first.replayed, again.replayed) == (False, True)
    assert again.response.content == first.response.content
    assert again.response.headers == {"Location": "/api/v1/orders/BF-000001"}, "Location kept"


async def test_the_same_key_with_another_body_is_refused(replies: IdempotencyStore) -> None:
    service = Service()
    await post(replies, service, {"sizes": {"42": 1}})
    with pytest.raises(IdempotencyKeyReused):
        await post(replies, service, {"sizes": {"44": 1}})
    assert service.calls == 1
    other_key = await post(replies, service, {"sizes": {"44": 1}}, key="k2")
    assert not other_key.replayed


async def test_a_refused_or_failed_request_may_run_again(replies: IdempotencyStore) -> None:
    service = Service()
    service.status = 409
    refused = await post(replies, service, {"a": 1})
    assert refused.response.status_code == 409
    service.fail = ConnectionError("service went away")
    with pytest.raises(ConnectionError):
        await post(replies, service, {"a": 1})
    service.status, service.fail = 201, None
    done = await post(replies, service, {"a": 1})

    assert (done.replayed, done.response.status_code, service.calls) == (False, 201, 3)


def test_the_fingerprint_ignores_member_order_but_not_values() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
