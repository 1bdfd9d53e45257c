"""The send log on the real MongoDB-wire server (FerretDB)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bespoke.stack.containers import Infrastructure
from bespoke_notifications.adapters.mongo import ERASED, MongoSendLog, ensure_indexes
from bespoke_notifications.domain.emails import Email
from bespoke_notifications.service_layer.ports import DeliveryStatus
from bespoke_platform.mongo import connect

pytestmark = pytest.mark.stack

AT = datetime(2026, 11, 22, 9, tzinfo=UTC)


@pytest.fixture
async def send_log(stack_infrastructure: Infrastructure, unique: str) -> AsyncIterator[Any]:
    client = connect(stack_infrastructure.mongodb_url)
    name = f"test_notifications_{unique}"
    await ensure_indexes(client[name])
    yield MongoSendLog(client[name])
    await client.drop_database(name)
    await client.close()


def email(key: str) -> Email:
    return Email(key, "ops@norte.example", f"Subject {key}", "text", "<p>html</p>")


async def test_a_notification_is_recorded_once_and_claimed_by_one_attempt(send_log: Any) -> None:
    assert await send_log.add(email("e1:order:ops"), AT)
    assert not await send_log.add(email("e1:order:ops"), AT)
    claims = await asyncio.gather(*(send_log.claim("e1:order:ops", AT) for _ in range(10)))
    assert sum(claims) == 1
    await send_log.release("e1:order:ops")
    assert await send_log.claim("e1:order:ops", AT)


async def test_states_hints_and_the_sweep(send_log: Any) -> None:
    for key in ("a", "b", "c"):
        await send_log.add(email(key), AT)
    assert sorted(await send_log.waiting(10)) == ["a", "b", "c"]
    delivery = await send_log.get("a")
    delivery.status, delivery.sent_at, delivery.attempts = DeliveryStatus.SENT, AT, 1
    await send_log.put(delivery)
    await send_log.settled("a")
    failed = await send_log.get("b")
    failed.status, failed.error = DeliveryStatus.FAILED, "550 no such user"
    await send_log.put(failed)
    await send_log.settled("b")
    await send_log.settled("c")  # a hint lost in a crash
    assert await send_log.waiting(10) == []
    assert await send_log.sweep() == 1
    assert await send_log.waiting(10) == ["c"]
    [found] = await send_log.by_status(DeliveryStatus.FAILED, 10)
    assert (found.email.dedup_key, found.error) == ("b", "550 no such user")
    again = await send_log.get("a")
    assert (again.status, again.email.html) == (DeliveryStatus.SENT, "<p>html</p>")


async def test_a_sensitive_emails_words_are_erased_once_it_has_gone(send_log: Any) -> None:
    secret = Email("link:lnk_1", "bea@norte.example", "Invited", "bsl_secret", "bsl_secret", True)
    await send_log.add(secret, AT)
    pending = await send_log.get("link:lnk_1")
    assert pending.email.text == "bsl_secret", "kept until it is sent"
    pending.status, pending.sent_at, pending.attempts = DeliveryStatus.SENT, AT, 1
    await send_log.put(pending)
    sent = await send_log.get("link:lnk_1")
    assert "bsl_secret" not in sent.email.text + sent.email.html
    assert sent.email.text == ERASED

    await send_log.add(email("plain"), AT)
    plain = await send_log.get("plain")
    plain.status = DeliveryStatus.SENT
    await send_log.put(plain)
    assert (await send_log.get("plain")).email.text == "text", "other emails are kept whole"
