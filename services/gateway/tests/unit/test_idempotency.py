"""Answering a creating POST once per Idempotency-Key (the gateway's service layer)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bespoke_gateway.domain.errors import IdempotencyKeyReused
from bespoke_gateway.service_layer.idempotency import Answer, Underway, answer_once, fingerprint
from bespoke_gateway.service_layer.ports import IdempotencyStore, StoredResponse

from .fakes import FakeIdempotency


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)


class Service:
    """Counts its calls and creates once, as every keyed service does: 201 with a
    Location the first time, then 200 with the order as it is now (unless told to
    refuse or fail)."""

    def __init__(self) -> None:
        self.calls = 0
        self.created = 0
        self.status: int | None = None
        self.fail: BaseException | None = None

    async def __call__(self) -> StoredResponse:
        self.calls += 1
        await asyncio.sleep(0)  # another request may run meanwhile
        if self.fail is not None:
            raise self.fail
        if self.status is not None:
            return StoredResponse(self.status, "application/problem+json", {}, b"{}")
        if self.created:
            return StoredResponse(
                200, "application/json", {"Idempotent-Replayed": "true"}, b'{"status": "paid"}'
            )
        self.created += 1
        return StoredResponse(
            201,
            "application/json",
            {"Location": "/api/v1/orders/BF-000001", "X-Request-Id": f"r{self.calls}"},
            b'{"order_number": "BF-000001"}',
        )


async def post(
    store: IdempotencyStore,
    service: Service,
    payload: object,
    key: str = "k",
    underway: Underway | None = None,
) -> Answer:
    """Each request through a gateway process of its own, unless ``underway`` is one's."""
    return await answer_once(
        store,
        Clock(),
        underway or Underway(),
        account_id="acc_1",
        method="POST",
        path="/api/v1/orders",
        key=key,
        payload=payload,
        call=service,
    )


async def test_a_retry_gets_the_first_answer_kept(replies: IdempotencyStore) -> None:
    service = Service()
    first = await post(replies, service, {"a": 1, "b": 2})
    again = await post(replies, service, {"b": 2, "a": 1})  # same body, other member order

    assert service.created == 1
    assert (first.replayed, again.replayed) == (False, True)
    assert again.response.status_code == 201, "the first answer, not the service's 200 now"
    assert again.response.content == first.response.content
    assert again.response.headers == {"Location": "/api/v1/orders/BF-000001"}, "Location kept"


async def test_a_retry_the_service_cannot_answer_now_still_gets_the_first_answer(
    replies: IdempotencyStore,
) -> None:
    service = Service()
    first = await post(replies, service, {"a": 1})
    service.fail = ConnectionError("service went away")
    unreachable = await post(replies, service, {"a": 1})
    service.fail, service.status = None, 409
    refused = await post(replies, service, {"a": 1})

    for retry in (unreachable, refused):
        assert retry.replayed
        assert (retry.response.status_code, retry.response.content) == (
            201,
            first.response.content,
        )


async def test_concurrent_requests_with_one_key_create_once_and_get_one_answer(
    replies: IdempotencyStore,
) -> None:
    service = Service()
    answers = await asyncio.gather(*(post(replies, service, {"a": 1}) for _ in range(3)))

    assert service.created == 1
    assert {a.response.content for a in answers} == {b'{"order_number": "BF-000001"}'}
    assert sorted(a.replayed for a in answers) == [False, True, True]


async def test_the_same_key_with_another_body_is_refused(replies: IdempotencyStore) -> None:
    service = Service()
    await post(replies, service, {"sizes": {"42": 1}})
    with pytest.raises(IdempotencyKeyReused):
        await post(replies, service, {"sizes": {"44": 1}})
    other_key = await post(replies, Service(), {"sizes": {"44": 1}}, key="k2")
    assert not other_key.replayed


async def test_a_refused_or_failed_request_may_run_again(replies: IdempotencyStore) -> None:
    service = Service()
    service.status = 409
    refused = await post(replies, service, {"a": 1})
    assert refused.response.status_code == 409
    service.status, service.fail = None, ConnectionError("service went away")
    with pytest.raises(ConnectionError):
        await post(replies, service, {"a": 1})
    service.fail = None
    done = await post(replies, service, {"a": 1})

    assert (done.replayed, done.response.status_code, service.calls) == (False, 201, 3)


def test_the_fingerprint_ignores_member_order_but_not_values() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


async def test_retries_reaching_one_gateway_wait_for_the_first_and_reach_no_service(
    replies: IdempotencyStore,
) -> None:
    """Clients retrying a slow service (each giving up on its attempt) do not multiply
    its work: a retry under way with the first waits for its answer, a later one gets it
    from memory."""
    service = Service()
    gateway = Underway()
    at_once = await asyncio.gather(
        *(post(replies, service, {"a": 1}, underway=gateway) for _ in range(5))
    )
    later = await post(replies, service, {"a": 1}, underway=gateway)

    assert service.calls == 1
    assert [a.replayed for a in at_once] == [False, True, True, True, True]
    assert {a.response.content for a in [*at_once, later]} == {b'{"order_number": "BF-000001"}'}
    assert later.replayed
    assert later.response.headers == {"Location": "/api/v1/orders/BF-000001"}, "no X-Request-Id"
    with pytest.raises(IdempotencyKeyReused):
        await post(replies, service, {"a": 2}, underway=gateway)


async def test_a_failure_is_shared_by_those_waiting_and_not_remembered(
    replies: IdempotencyStore,
) -> None:
    service = Service()
    service.fail = ConnectionError("service went away")
    gateway = Underway()
    failed = await asyncio.gather(
        *(post(replies, service, {"a": 1}, underway=gateway) for _ in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(f, ConnectionError) for f in failed)
    assert service.calls == 1
    service.fail = None
    done = await post(replies, service, {"a": 1}, underway=gateway)
    assert (done.replayed, done.response.status_code, service.calls) == (False, 201, 2)


async def test_answers_are_remembered_for_a_while_and_the_latest_few() -> None:
    now = [0.0]
    gateway = Underway(size=2, keep_seconds=60, monotonic=lambda: now[0])
    replies = FakeIdempotency()
    services = {key: Service() for key in ("k1", "k2", "k3")}
    for key, service in services.items():
        await post(replies, service, {"a": 1}, key, gateway)
    await post(replies, services["k1"], {"a": 1}, "k1", gateway)  # forgotten: the service
    await post(replies, services["k3"], {"a": 1}, "k3", gateway)  # remembered
    now[0] = 61.0
    await post(replies, services["k3"], {"a": 1}, "k3", gateway)  # past its minute
    assert [s.calls for s in services.values()] == [2, 1, 2]
