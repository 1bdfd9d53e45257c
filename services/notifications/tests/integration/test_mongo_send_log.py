"""The send log on the real MongoDB-wire server (FerretDB)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import bson
import pytest

from bespoke.stack.containers import Infrastructure
from bespoke.stack.query_plans import plans, recording_client
from bespoke_notifications.adapters.mongo import ERASED, MongoSendLog, ensure_indexes
from bespoke_notifications.domain.emails import Email, InlineImage
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
    [taken] = [c for c in claims if c is not None]
    assert (taken.status, taken.attempts, taken.sending_since) == (DeliveryStatus.SENDING, 1, AT)
    assert await send_log.due(AT, 10) == []
    taken.status, taken.next_attempt_at = DeliveryStatus.PENDING, AT + timedelta(seconds=2)
    await send_log.put(taken)  # a transient failure: again in two seconds
    assert await send_log.claim("e1:order:ops", AT) is None, "not due yet"
    assert await send_log.due(AT, 10) == []
    assert await send_log.due(AT + timedelta(seconds=2), 10) == ["e1:order:ops"]
    again = await send_log.claim("e1:order:ops", AT + timedelta(seconds=2))
    assert again is not None
    assert again.attempts == 2


async def test_a_notification_recorded_claimed_is_sending_and_never_due(send_log: Any) -> None:
    recorded = await send_log.add(email("e2:order:ops"), AT, claimed=True)
    assert recorded is not None
    assert await send_log.add(email("e2:order:ops"), AT, claimed=True) is None
    stored = await send_log.get("e2:order:ops")
    assert (stored.status, stored.attempts, stored.sending_since) == (DeliveryStatus.SENDING, 1, AT)
    assert (recorded.status, recorded.attempts) == (stored.status, stored.attempts)
    assert await send_log.due(AT + timedelta(hours=1), 10) == []
    assert await send_log.claim("e2:order:ops", AT + timedelta(hours=1)) is None
    [stalled] = await send_log.stalled(AT + timedelta(minutes=3), 10)  # its process died
    assert stalled.email.dedup_key == "e2:order:ops"


async def test_what_is_due_what_stalled_and_what_failed(send_log: Any) -> None:
    for key in ("a", "b", "c", "d"):
        await send_log.add(email(key), AT)
    assert sorted(await send_log.due(AT, 10)) == ["a", "b", "c", "d"]
    sent = await send_log.claim("a", AT)
    sent.status, sent.sent_at = DeliveryStatus.SENT, AT
    await send_log.put(sent)
    failed = await send_log.claim("b", AT)
    failed.status, failed.error = DeliveryStatus.FAILED, "550 no such user"
    await send_log.put(failed)
    await send_log.claim("c", AT)  # and its process stopped
    assert await send_log.due(AT, 10) == ["d"]
    assert await send_log.stalled(AT, 10) == []
    [stalled] = await send_log.stalled(AT + timedelta(seconds=1), 10)
    assert (stalled.email.dedup_key, stalled.status) == ("c", DeliveryStatus.SENDING)
    [found] = await send_log.by_status(DeliveryStatus.FAILED, 10)
    assert (found.email.dedup_key, found.error) == ("b", "550 no such user")
    again = await send_log.get("a")
    assert (again.status, again.email.html) == (DeliveryStatus.SENT, "<p>html</p>")


async def test_what_is_due_and_each_status_are_read_by_index_oldest_first(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    client, recorder = recording_client(stack_infrastructure.mongodb_url)
    db = client[f"test_notifications_indexes_{unique}"]
    try:
        await db.sent_notifications.create_index("status", name="status")  # an older log's
        await ensure_indexes(db)
        indexes = await db.sent_notifications.index_information()
        assert indexes["due"]["key"] == [("status", 1), ("next_attempt_at", 1)]
        assert indexes["by_status"]["key"] == [("status", 1), ("created_at", 1)]
        assert "status" not in indexes, "served by both: one more write per change for nothing"
        log = MongoSendLog(db)
        for minutes, key in ((3, "late"), (1, "early"), (2, "middle"), (9, "not yet")):
            await log.add(email(key), AT + timedelta(minutes=minutes))
        now = AT + timedelta(minutes=5)
        assert await log.due(now, 2) == ["early", "middle"]
        assert await log.due(now, 10) == ["early", "middle", "late"]
        for key in ("late", "early"):
            failed = await log.claim(key, now)
            assert failed is not None
            failed.status, failed.error = DeliveryStatus.FAILED, "550"
            await log.put(failed)
        assert [d.email.dedup_key for d in await log.by_status(DeliveryStatus.FAILED, 10)] == [
            "early",
            "late",
        ]
        await log.stalled(now, 10)
        # A courier pass read every pending email (4.3 s with 3,000 after an SMTP outage).
        wasteful = [
            p.command
            for p in await plans(client, recorder)
            if p.reads_whole_collection or p.reads_every_match
        ]
        assert wasteful == []
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_a_picture_is_stored_once_for_every_email_that_carries_it(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    client = connect(stack_infrastructure.mongodb_url)
    db = client[f"test_notifications_images_{unique}"]
    try:
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100
        log = MongoSendLog(db)
        for key in ("x", "y"):
            await log.add(replace(email(key), images=(InlineImage("drawing@x", png),)), AT)
        assert await db.notification_images.count_documents({}) == 1
        logged = await db.sent_notifications.find_one({"_id": "x"})
        assert logged is not None
        assert len(bson.encode(logged)) < 1000, "the log has no picture"
        restarted = MongoSendLog(db)  # nothing in memory: the picture is read back
        claimed = await restarted.claim("y", AT)
        assert claimed is not None
        assert claimed.email.images == (InlineImage("drawing@x", png),)
    finally:
        await client.drop_database(db.name)
        await client.close()


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
