"""Sending at most once, retrying transient failures, recording what fails."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import datetime

from bespoke_contracts import OrderSubmitted, examples
from bespoke_contracts.api.notifications import AccountEmailKind, AccountEmailRequest
from bespoke_notifications.service_layer import handlers
from bespoke_notifications.service_layer.delivery import Courier, RetryPolicy, deliver
from bespoke_notifications.service_layer.ports import Delivery, DeliveryStatus

from .fakes import Fakes


async def test_an_event_is_emailed_once_however_often_it_arrives(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    assert await handlers.on_order_submitted(order_submitted, fakes.deps) == 1
    assert await handlers.on_order_submitted(order_submitted, fakes.deps) == 0
    courier = fakes.courier
    assert await courier.deliver_waiting() == 1
    assert await courier.deliver_waiting() == 0
    assert len(fakes.sent) == 1
    assert await fakes.log.due(fakes.clock.at, 10) == []


async def test_smtp_down_is_retried_with_backoff_until_it_returns(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    await handlers.on_order_submitted(order_submitted, fakes.deps)
    [key] = fakes.log.log
    fakes.mailer.down = True
    courier = fakes.courier
    await courier.deliver_waiting()
    first = fakes.log.log[key]
    assert (first.status, first.attempts) == (DeliveryStatus.PENDING, 1)
    assert "SMTP server down" in (first.error or "")
    assert (first.next_attempt_at - fakes.clock.at).total_seconds() == 1
    await courier.deliver_waiting()
    assert fakes.log.log[key].attempts == 1, "not due yet"
    for expected_delay in (2, 4, 8):
        fakes.clock.advance(60)
        await courier.deliver_waiting()
        retry = fakes.log.log[key]
        assert (retry.next_attempt_at - fakes.clock.at).total_seconds() == expected_delay
    fakes.mailer.down = False
    fakes.clock.advance(60)
    assert await courier.deliver_waiting() == 1
    done = fakes.log.log[key]
    assert (done.status, done.attempts, done.error) == (DeliveryStatus.SENT, 5, None)


async def test_an_email_that_keeps_failing_is_recorded_failed_and_others_go_on(
    fakes: Fakes,
) -> None:
    refused = examples.order_submitted("BF-000001")
    fine = examples.order_submitted("BF-000002").model_copy(
        update={
            "payload": examples.order_submitted("BF-000002").payload.model_copy(
                update={"billing": examples.BILLING.model_copy(update={"email": "ok@x.example"})}
            )
        }
    )
    fakes.mailer.refuse.add("ops@norte.example")
    await handlers.on_order_submitted(refused, fakes.deps)
    await handlers.on_order_submitted(fine, fakes.deps)
    assert await fakes.courier.deliver_waiting() == 1
    [sent] = fakes.sent
    assert sent.to == "ok@x.example"
    [failed] = await fakes.log.by_status(DeliveryStatus.FAILED, 10)
    assert "550" in (failed.error or "")

    fakes.mailer.down = True
    later = examples.order_submitted("BF-000003")
    await handlers.on_order_submitted(later, fakes.deps)
    fakes.clock.advance(1)
    for _ in range(12):
        await fakes.courier.deliver_waiting()
        fakes.clock.advance(60)
    [*_, gave_up] = await fakes.log.by_status(DeliveryStatus.FAILED, 10)
    assert gave_up.email.subject.startswith("Order BF-000003")
    assert "SMTP server down" in (gave_up.error or "")


async def test_a_send_interrupted_by_a_crash_is_never_repeated(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    await handlers.on_order_submitted(order_submitted, fakes.deps)
    [key] = fakes.log.log
    fakes.mailer.crash = True
    with contextlib.suppress(SystemExit):
        await deliver(key, fakes.mailer, fakes.log, fakes.clock, fakes.policy)
    fakes.mailer.crash = False  # the process is gone; another courier starts
    await fakes.courier.deliver_waiting()
    assert fakes.log.log[key].status is DeliveryStatus.SENDING, "within the lease: wait"
    fakes.clock.advance(fakes.policy.lease + 1)
    await fakes.courier.deliver_waiting()
    unknown = fakes.log.log[key]
    assert unknown.status is DeliveryStatus.UNKNOWN
    assert "not sent again" in (unknown.error or "")
    assert fakes.sent == []


async def test_an_account_email_is_queued_once_per_link(fakes: Fakes) -> None:
    request = AccountEmailRequest(
        kind=AccountEmailKind.INVITATION,
        to="bea@norte.example",
        name="Bea",
        brand="Norte",
        secret="bsl_" + "s" * 43,
        expires_at=fakes.clock.at,
    )
    assert await handlers.queue_account_email("lnk_1", request, fakes.deps) is True
    assert await handlers.queue_account_email("lnk_1", request, fakes.deps) is False
    assert await fakes.courier.deliver_waiting() == 1
    assert [email.to for email in fakes.sent] == ["bea@norte.example"]


async def test_an_email_taken_by_one_attempt_is_not_taken_by_another(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    await handlers.on_order_submitted(order_submitted, fakes.deps)
    [key] = fakes.log.log
    claimed = await fakes.log.claim(key, fakes.clock.at)
    assert claimed is not None
    assert claimed.status is DeliveryStatus.SENDING
    assert await deliver(key, fakes.mailer, fakes.log, fakes.clock, fakes.policy) is None
    assert await fakes.courier.deliver_waiting() == 0
    assert fakes.sent == []


async def test_a_running_courier_sends_a_new_email_at_once_without_claiming_it(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    """Recorded claimed, sent, its outcome recorded: no pending record for a pass to
    find and claim."""
    claims = 0
    claim = fakes.log.claim

    async def counted(key: str, now: datetime) -> Delivery | None:
        nonlocal claims
        claims += 1
        return await claim(key, now)

    fakes.log.claim = counted  # type: ignore[method-assign,assignment]
    courier = Courier(fakes.mailer, fakes.log, fakes.clock, fakes.policy, poll_seconds=3600)
    courier.start()
    deps = replace(fakes.deps, courier=courier)
    try:
        assert await handlers.on_order_submitted(order_submitted, deps) == 1
        assert await handlers.on_order_submitted(order_submitted, deps) == 0, "once"
    finally:
        await courier.stop()  # after the email being sent is handed over and recorded
    assert len(fakes.sent) == 1
    assert fakes.mailer.closed_after == 1  # hung up on the server after the last send
    [done] = fakes.log.log.values()
    assert (done.status, done.attempts, done.sending_since) == (DeliveryStatus.SENT, 1, None)
    assert claims == 0


async def test_emails_past_what_the_courier_sends_at_once_wait_pending(fakes: Fakes) -> None:
    fakes.mailer.slow = asyncio.Event()
    courier = Courier(fakes.mailer, fakes.log, fakes.clock, fakes.policy, 3600, at_once=1)
    courier.start()
    deps = replace(fakes.deps, courier=courier)
    try:
        for number in ("BF-000001", "BF-000002"):
            await handlers.on_order_submitted(examples.order_submitted(number), deps)
        statuses = sorted(d.status.value for d in fakes.log.log.values())
        assert statuses == ["pending", "sending"]
        fakes.mailer.slow.set()
        async with asyncio.timeout(5):
            while len(fakes.sent) < 2:  # noqa: ASYNC110 - the courier's pass, woken
                await asyncio.sleep(0.01)
    finally:
        await courier.stop()
    assert {d.status for d in fakes.log.log.values()} == {DeliveryStatus.SENT}


async def test_an_outcome_the_database_refuses_for_a_while_is_stored_when_it_returns(
    order_submitted: OrderSubmitted, fakes: Fakes
) -> None:
    """The database restarting just after SMTP took the email: the courier keeps trying
    to store "sent" instead of leaving it to be recorded unknown."""
    await handlers.on_order_submitted(order_submitted, fakes.deps)
    put = fakes.log.put
    refusals = 2

    async def flaky(delivery: Delivery) -> None:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise ConnectionError("database restarting")
        await put(delivery)

    fakes.log.put = flaky  # type: ignore[method-assign]
    quick = RetryPolicy(first_delay=0.01, max_delay=1, give_up_after=600)
    courier = Courier(fakes.mailer, fakes.log, fakes.clock, quick, sweep_seconds=0)
    assert await courier.deliver_waiting() == 1
    [done] = fakes.log.log.values()
    assert (done.status, refusals, len(fakes.sent)) == (DeliveryStatus.SENT, 0, 1)
