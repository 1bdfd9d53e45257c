"""Failure drills (`make chaos`): while checkouts, payments and cancellations of paid
orders flow, kill -9 each service and restart it, stop and restart Kafka, stop and
restart FerretDB; then check that nothing was lost or done twice: orders, emails, one
invoice per cleared payment with gapless numbers, one refund and credit note per
cancelled paid order. Prints the counts as JSON; exits 1 when a check fails.

Runs on the local stack (started if needed, stopped afterwards if it started it), on
loopback only, for a bounded time and traffic (``--rate`` checkouts per second, each
disruption followed by ``--settle`` seconds of traffic). Its brands are new, so the
checks look only at what the drill itself did.

    uv run python tests/chaos/drills.py [--rate 4] [--settle 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from bespoke.accounts import create_account
from bespoke.stack import processes
from bespoke.stack.config import StackConfig
from bespoke.stack.kafka_security import client_options
from bespoke.stack.keys import CallsAsGateway
from bespoke.stack.lifecycle import Stack
from bespoke_contracts import ALL_TOPICS, ORDER_SUBMITTED, PAYMENT_CLEARED, dead_letter_topic
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_payments.settings import PaymentsSettings

SERVICES = ["gateway", "orders", "payments", "shipping", "notifications", "design"]
CONSUMERS = {"orders", "payments", "shipping", "notifications"}
"""The services that consume events, each in the consumer group named after it."""
BACK_TO_WORK_LIMIT = 60.0
"""How long the drill waits for a restarted consumer to catch up before saying it did not."""
POISON = 3  # undecodable messages published on purpose to `order.submitted`
ADDRESS = {
    "name": "Chaos",
    "line1": "Calle 2",
    "city": "Elda",
    "postal_code": "03600",
    "country": "ES",
}


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Ledger:
    """What the drill's clients were told (the ground truth the checks compare with)."""

    brands: dict[str, dict[str, Any]] = field(default_factory=dict)  # account -> auth, body
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotency key -> order
    key_brand: dict[str, str] = field(default_factory=dict)
    gave_up: list[str] = field(default_factory=list)  # keys never acknowledged
    paying: set[str] = field(default_factory=set)  # orders the drill started paying
    paid: set[str] = field(default_factory=set)  # orders whose webhook was accepted
    cancelling: set[str] = field(default_factory=set)  # paid orders the drill asked to cancel
    cancelled: set[str] = field(default_factory=set)  # ... and whose cancel was answered
    payment_attempts: int = 0
    errors: Counter[str] = field(default_factory=Counter)


async def new_brand(config: StackConfig, client: httpx.AsyncClient, i: int) -> tuple[str, Any]:
    brand = await create_account(
        name=f"Chaos brand {i}", email=f"chaos-{uuid.uuid4().hex[:8]}@chaos.example"
    )
    auth = {"Authorization": f"Bearer {brand['token']}"}
    design = (
        await client.post(
            f"{config.gateway_url}/api/v1/gallery/gal_country_derby/clone",
            headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        )
    ).json()
    billing_email = f"billing-{uuid.uuid4().hex[:10]}@chaos.example"
    body = {
        "design_id": design["id"],
        "design_version": design["version"],
        "bom_hash": design["bom_hash"],
        "order_type": "mto",
        "sizes": {"42": 1},
        "shipping_address": ADDRESS,
        "billing": {"name": "Chaos SL", "email": billing_email, "address": ADDRESS},
        "labeling": "unlabeled",
    }
    return brand["account_id"], {"auth": auth, "body": body, "email": billing_email}


async def checkout(config: StackConfig, ledger: Ledger, account: str, deadline: float) -> None:
    """One checkout, retried with the same Idempotency-Key until it is acknowledged."""
    key = str(uuid.uuid4())
    ledger.key_brand[key] = account
    brand = ledger.brands[account]
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                r = await client.post(
                    f"{config.gateway_url}/api/v1/orders",
                    json=brand["body"],
                    headers={**brand["auth"], "Idempotency-Key": key},
                )
                if r.status_code in (200, 201):
                    ledger.acknowledged[key] = r.json()["order_number"]
                    return
                ledger.errors[f"checkout {r.status_code}"] += 1
            except httpx.TransportError as error:
                ledger.errors[f"checkout {type(error).__name__}"] += 1
            await asyncio.sleep(0.5)
    ledger.gave_up.append(key)


async def pay(config: StackConfig, ledger: Ledger, order: str, deadline: float) -> None:
    """Start the payment and send Stripe's signed webhook; the same event until accepted."""
    secret = PaymentsSettings().stripe_webhook_secret
    invoice_url = f"{config.service_url('payments')}/internal/operator/invoices/{order}"
    payload: bytes | None = None
    ledger.payment_attempts += 1
    ops = CallsAsGateway(config, "payments")  # payments' operator routes, as the factory
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                if payload is None:
                    found = await client.get(invoice_url, auth=ops)
                    if found.status_code != 200:  # not opened yet (payments is catching up)
                        await asyncio.sleep(0.5)
                        continue
                    invoice = found.json()
                    if not invoice.get("payment_intent_id"):
                        started = await client.post(f"{invoice_url}/payment", auth=ops)
                        if started.status_code != 200:
                            ledger.errors[f"start payment {started.status_code}"] += 1
                            await asyncio.sleep(0.5)
                            continue
                        invoice = (await client.get(invoice_url, auth=ops)).json()
                    payload = json.dumps(succeeded_event(invoice)).encode()
                r = await client.post(
                    f"{config.gateway_url}/api/v1/webhooks/stripe",
                    content=payload,
                    headers={"Stripe-Signature": sign(payload, secret)},
                )
                if r.status_code == 200:
                    ledger.paid.add(order)
                    if ledger.payment_attempts % CANCEL_EVERY == 0:
                        await cancel(config, ledger, order, deadline)
                    return
                ledger.errors[f"webhook {r.status_code}"] += 1
            except httpx.TransportError as error:
                ledger.errors[f"payment {type(error).__name__}"] += 1
            await asyncio.sleep(0.5)


CANCEL_EVERY = 3
"""One paid order in so many is cancelled once it is in production (a full refund)."""


async def cancel(config: StackConfig, ledger: Ledger, order: str, deadline: float) -> None:
    """Cancel a paid order once orders has it in production; retried until answered (a
    retry of a cancel that went through is a 409 naming it cancelled)."""
    ledger.cancelling.add(order)
    account = next(a for k, a in ledger.key_brand.items() if ledger.acknowledged.get(k) == order)
    auth = ledger.brands[account]["auth"]
    url = f"{config.gateway_url}/api/v1/orders/{order}"
    async with httpx.AsyncClient(timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                found = await client.get(url, headers=auth)
                state = found.json().get("status") if found.status_code == 200 else None
                if state == "cancelled":
                    ledger.cancelled.add(order)
                    return
                if state == "work_in_process":
                    r = await client.post(f"{url}/cancel", headers=auth)
                    if r.status_code == 200:
                        ledger.cancelled.add(order)
                        return
                    ledger.errors[f"cancel {r.status_code}"] += 1
            except httpx.TransportError as error:
                ledger.errors[f"cancel {type(error).__name__}"] += 1
            await asyncio.sleep(2)  # a person, not a poller: the drill loads the stack enough


async def traffic(config: StackConfig, ledger: Ledger, rate: float, stop: asyncio.Event) -> None:
    """Checkouts at ``rate``/s over the brands; every other acknowledged order is paid."""
    tasks: list[asyncio.Task[None]] = []
    accounts = list(ledger.brands)
    i = 0
    while not stop.is_set():
        deadline = time.monotonic() + 120
        tasks.append(
            asyncio.create_task(checkout(config, ledger, accounts[i % len(accounts)], deadline))
        )
        i += 1
        if i % 2 == 0:
            ready = [o for o in ledger.acknowledged.values() if o not in ledger.paying]
            if ready:
                ledger.paying.add(ready[0])
                tasks.append(asyncio.create_task(pay(config, ledger, ready[0], deadline)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


async def offsets(config: StackConfig, topics: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=config.kafka_bootstrap, **client_options(config=config)
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()  # no public call lists partitions
        partitions = [
            TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()
        ]
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def read_since(config: StackConfig, start: dict[TopicPartition, int]) -> list[Any]:
    """Every message written to those partitions after ``start`` (to their current end)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=config.kafka_bootstrap,
        enable_auto_commit=False,
        **client_options(config=config),
    )
    await consumer.start()
    found = []
    try:
        end = await consumer.end_offsets(list(start))
        pending = {tp for tp in start if end[tp] > start[tp]}
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        while pending:
            batch = await consumer.getmany(timeout_ms=2000)
            if not batch:
                break
            for tp, messages in batch.items():
                for m in messages:
                    if m.offset < end[tp]:
                        found.append(m)
                    if m.offset >= end[tp] - 1:
                        pending.discard(tp)
    finally:
        await consumer.stop()
    return found


async def back_to_work(config: StackConfig, group: str) -> float | None:
    """Seconds from now (a consumer just restarted) until ``group`` has consumed
    everything written to its partitions up to now: its committed offsets reach those
    ends. None if it has not within ``BACK_TO_WORK_LIMIT``."""
    began = time.monotonic()
    admin = AIOKafkaAdminClient(
        bootstrap_servers=config.kafka_bootstrap, **client_options(config=config)
    )
    await admin.start()
    try:
        partitions = list(await admin.list_consumer_group_offsets(group))
        ends = await offsets_of(config, partitions)
        while time.monotonic() - began < BACK_TO_WORK_LIMIT:
            committed = await admin.list_consumer_group_offsets(group)
            if all(
                tp in committed and committed[tp].offset >= end
                for tp, end in ends.items()
                if end > 0
            ):
                return round(time.monotonic() - began, 1)
            await asyncio.sleep(0.2)
        return None
    finally:
        await admin.close()


async def offsets_of(config: StackConfig, partitions: list[TopicPartition]) -> dict[Any, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=config.kafka_bootstrap, **client_options(config=config)
    )
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def disrupt(config: StackConfig, stack: Stack, name: str, how: str) -> float:
    """kill -9 (services) or stop (Kafka, FerretDB), then start it again; seconds it took."""
    component = stack.components([name])[0]
    began = time.monotonic()
    pid = processes.read_pid(component.pid_file)
    if how == "kill -9" and pid is not None:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        while processes.read_pid(component.pid_file) is not None:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    else:
        await asyncio.to_thread(processes.stop, component.pid_file)
    await asyncio.sleep(1)
    await stack.up(lambda _: None, [name])
    return round(time.monotonic() - began, 1)


async def read(client: httpx.AsyncClient, url: str, **kwargs: Any) -> Any:
    """GET a JSON answer the way a production client reads after the drills: wait and
    retry what says so (429 rate limited, 503 unavailable, per Retry-After); anything else
    that is not 200 fails the drill with the answer."""
    for _ in range(30):
        r = await client.get(url, **kwargs)
        if r.status_code not in (429, 503):
            break
        await asyncio.sleep(min(float(r.headers.get("Retry-After", "1")), 5.0))
    if r.status_code != 200:
        raise RuntimeError(f"GET {url}: {r.status_code} {r.text[:300]}")
    return r.json()


async def brand_orders(config: StackConfig, ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    async with httpx.AsyncClient(base_url=config.gateway_url, timeout=30) as client:
        for account, brand in ledger.brands.items():
            items: list[dict[str, Any]] = []
            cursor = None
            while True:
                params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
                page = await read(client, "/api/v1/orders", params=params, headers=brand["auth"])
                items += page["items"]
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            found[account] = items
    return found


async def entered_twice(
    config: StackConfig, ledger: Ledger, orders: dict[str, list[dict[str, Any]]], status: str
) -> list[str]:
    """Orders whose status timeline enters ``status`` more than once (its production
    stage moves are timeline entries too, with ``production_stage`` set: not counted)."""
    twice = []
    async with httpx.AsyncClient(base_url=config.gateway_url, timeout=30) as client:
        for account, items in orders.items():
            auth = ledger.brands[account]["auth"]
            for order in items:
                number = order["order_number"]
                history = await read(client, f"/api/v1/orders/{number}/history", headers=auth)
                changes = [h for h in history["items"] if not h.get("production_stage")]
                if sum(1 for h in changes if h["status"] == status) > 1:
                    twice.append(number)
    return twice


async def emails(config: StackConfig, ledger: Ledger) -> Counter[tuple[str, str]]:
    sent: Counter[tuple[str, str]] = Counter()
    async with httpx.AsyncClient(timeout=30) as client:
        for brand in ledger.brands.values():
            start = 0
            while True:
                r = await client.get(
                    f"{config.mailpit_api_url}/api/v1/search",
                    params={"query": f"to:{brand['email']}", "start": start, "limit": 200},
                )
                page = r.json()
                for m in page["messages"]:
                    sent[(brand["email"], m["Subject"])] += 1
                start += len(page["messages"])
                if not page["messages"] or start >= page["total"]:
                    break
    return sent


@dataclass
class Money:
    """What payments issued and refunded, as the drill reads it back."""

    invoices: Counter[str] = field(default_factory=Counter)  # order -> its invoices
    credit_notes: Counter[str] = field(default_factory=Counter)  # order -> its credit notes
    refunds: Counter[str] = field(default_factory=Counter)  # order -> refunds made at Stripe
    sequences: dict[str, list[int]] = field(default_factory=dict)  # "INV-2026" -> numbers


async def money_of(config: StackConfig, ledger: Ledger) -> Money:
    """The brands' invoices and credit notes (their API), and from payments' own database
    every number of every year (gaps are global, not per brand) and the refunds made."""
    found = Money()
    async with httpx.AsyncClient(base_url=config.gateway_url, timeout=30) as client:
        for brand in ledger.brands.values():
            cursor = None
            while True:
                params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
                page = await read(client, "/api/v1/invoices", params=params, headers=brand["auth"])
                for document in page["items"]:
                    kept = (
                        found.credit_notes if document["kind"] == "credit_note" else found.invoices
                    )
                    for number in document["order_numbers"]:
                        kept[number] += 1
                cursor = page.get("next_cursor")
                if not cursor:
                    break
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(config.mongodb_url)
    try:
        db = mongo[PaymentsSettings().mongodb_database]
        async for doc in db.issued_invoices.find({}, {"_id": 1, "seq": 1}):
            found.sequences.setdefault(doc["_id"].rsplit("-", 1)[0], []).append(doc["seq"])
        ours = list(ledger.brands)
        async for bill in db.invoices.find({"account_id": {"$in": ours}}, {"refunds": 1}):
            for refund in bill.get("refunds", []):
                if refund.get("stripe_refund_id"):
                    found.refunds[refund["order_number"]] += 1
    finally:
        await mongo.close()
    return found


def verdict(
    ledger: Ledger,
    orders: list[dict[str, Any]],
    entered_work_in_process_twice: list[str],
    cleared: Counter[str],
    emails_sent: Counter[tuple[str, str]],
    dead_letter_keys: list[bytes | None],
    poison_keys: set[bytes],
    money: Money,
) -> dict[str, bool]:
    """The drill's checks: what the clients were told against what the system did."""
    numbers = [o["order_number"] for o in orders]
    status = {o["order_number"]: o["status"] for o in orders}
    acknowledged = set(ledger.acknowledged.values())
    received: Counter[str] = Counter()
    for (_, subject), n in emails_sent.items():
        match = re.search(r"BF-\d+", subject)
        if match and subject.endswith("received - pending payment"):
            received[match.group()] += n
    return {
        "every_acknowledged_checkout_exists": acknowledged <= set(numbers),
        "no_order_without_an_acknowledgement": set(numbers) <= acknowledged,
        "one_order_per_idempotency_key": len(acknowledged) == len(ledger.acknowledged),
        "order_numbers_unique": len(numbers) == len(set(numbers)),
        "every_paid_order_in_work_in_process": all(
            status.get(o) == "work_in_process" for o in ledger.paid - ledger.cancelling
        ),
        # A cancel the client gave up on may or may not have reached the orders service.
        "every_cancelled_order_cancelled": all(
            status.get(o) == "cancelled" for o in ledger.cancelled
        )
        and all(status.get(o) in ("cancelled", "work_in_process") for o in ledger.cancelling),
        "every_cleared_payment_invoiced_once": all(money.invoices[o] == 1 for o in ledger.paid),
        "no_invoice_without_a_payment": set(money.invoices) <= ledger.paid,
        "invoice_numbers_gapless": all(
            sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in money.sequences.values()
        ),
        "every_cancelled_paid_order_refunded_once": all(
            money.refunds[o] == 1 and money.credit_notes[o] == 1
            for o in ledger.paid
            if status.get(o) == "cancelled"
        ),
        "no_refund_issued_twice": all(n == 1 for n in money.refunds.values())
        and all(n == 1 for n in money.credit_notes.values()),
        "no_refund_for_an_order_not_cancelled": all(
            status.get(o) == "cancelled" for o in money.refunds
        ),
        "no_order_in_work_in_process_twice": not entered_work_in_process_twice,
        "no_payment_cleared_for_an_unpaid_order": set(cleared) <= ledger.paid,
        "no_email_sent_twice": all(n == 1 for n in emails_sent.values()),
        "every_acknowledged_order_emailed_once": all(received[o] == 1 for o in acknowledged),
        "dead_letters_only_the_poisoned": all(k in poison_keys for k in dead_letter_keys),
        "every_poisoned_message_dead_lettered": set(dead_letter_keys) >= poison_keys,
    }


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=4.0, help="checkouts per second")
    parser.add_argument("--settle", type=float, default=8.0, help="seconds between disruptions")
    parser.add_argument("--brands", type=int, default=3)
    args = parser.parse_args()
    config = StackConfig()
    stack = Stack(config)
    began = time.monotonic()
    started = await stack.up(say)
    try:
        return await drill(config, stack, args)
    finally:
        say(f"chaos: done in {time.monotonic() - began:.0f} s")
        if started:
            stack.down(lambda _: None, started)


async def drill(config: StackConfig, stack: Stack, args: argparse.Namespace) -> int:
    ledger = Ledger()
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(args.brands):
            account, brand = await new_brand(config, client, i)
            ledger.brands[account] = brand
    watched = [PAYMENT_CLEARED, *(dead_letter_topic(t) for t in ALL_TOPICS)]
    start = await offsets(config, watched)

    stop = asyncio.Event()
    flow = asyncio.create_task(traffic(config, ledger, args.rate, stop))
    producer = AIOKafkaProducer(
        bootstrap_servers=config.kafka_bootstrap, **client_options(config=config)
    )
    await producer.start()
    poison_keys = {f"chaos-poison-{uuid.uuid4().hex[:8]}".encode() for _ in range(POISON)}
    for key in poison_keys:
        await producer.send_and_wait(ORDER_SUBMITTED, b"{not an event", key=key)
    await producer.stop()

    disruptions = []
    await asyncio.sleep(args.settle)
    for name, how in [(s, "kill -9") for s in SERVICES] + [
        ("kafka", "stop and restart"),
        ("ferretdb", "stop and restart"),
    ]:
        say(f"chaos: {how} {name}")
        seconds = await disrupt(config, stack, name, how)
        disruption: dict[str, Any] = {"component": name, "how": how, "back_after_seconds": seconds}
        if name in CONSUMERS:
            # Ready is not working: its partitions may still wait for the group.
            disruption["consuming_again_after_seconds"] = await back_to_work(config, name)
        disruptions.append(disruption)
        await asyncio.sleep(args.settle)
    stop.set()
    say("chaos: traffic stopped; waiting for every paid order to reach work_in_process")
    await flow

    # Let the system finish what it acknowledged (bounded).
    deadline = time.monotonic() + 120
    while True:
        orders = await brand_orders(config, ledger)
        status = {o["order_number"]: o for items in orders.values() for o in items}
        now = {o: status.get(o, {}).get("status") for o in ledger.paid}
        settled = all(
            s == "cancelled" if o in ledger.cancelled else s == "work_in_process"
            for o, s in now.items()
            if o not in ledger.cancelling or o in ledger.cancelled
        )
        if settled:
            money = await money_of(config, ledger)
            refunded = [o for o, s in now.items() if s == "cancelled"]
            if all(money.credit_notes[o] for o in refunded) and all(
                money.invoices[o] for o in ledger.paid
            ):
                break
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(2)
    await asyncio.sleep(5)  # emails and late duplicates, if any, arrive

    messages = await read_since(config, start)
    cleared = [m for m in messages if m.topic == PAYMENT_CLEARED]
    dead = [m for m in messages if m.topic != PAYMENT_CLEARED]
    ours = set(ledger.brands)
    cleared_orders: Counter[str] = Counter()
    for m in cleared:
        event = json.loads(m.value)
        if event["account_id"] in ours:
            for number in event["payload"].get("order_numbers", []):
                cleared_orders[number] += 1
    sent = await emails(config, ledger)

    all_orders = [o for items in orders.values() for o in items]
    numbers = [o["order_number"] for o in all_orders]
    wip_twice = await entered_twice(config, ledger, orders, "work_in_process")
    money = await money_of(config, ledger)
    checks = verdict(
        ledger,
        all_orders,
        wip_twice,
        cleared_orders,
        sent,
        [m.key for m in dead],
        poison_keys,
        money,
    )
    report = {
        "drill": "chaos",
        "disruptions": disruptions,
        "brands": len(ledger.brands),
        "checkouts_acknowledged": len(ledger.acknowledged),
        "checkouts_given_up": len(ledger.gave_up),
        "orders_found": len(numbers),
        "payments_accepted": len(ledger.paid),
        "orders_in_work_in_process": sum(1 for o in all_orders if o["status"] == "work_in_process"),
        "paid_orders_cancelled": sum(
            1 for o in all_orders if o["order_number"] in ledger.paid and o["status"] == "cancelled"
        ),
        "invoices": sum(money.invoices.values()),
        "credit_notes": sum(money.credit_notes.values()),
        "refunds_made": sum(money.refunds.values()),
        "numbering": {k: {"issued": len(v), "highest": max(v)} for k, v in money.sequences.items()},
        "payment_cleared_events": sum(cleared_orders.values()),
        # Kafka delivers at least once: a repeated event is allowed, a repeated effect not.
        "payment_cleared_repeated": sum(n - 1 for n in cleared_orders.values()),
        "emails": sum(sent.values()),
        "emails_sent_twice": sum(1 for n in sent.values() if n > 1),
        "poisoned_messages": POISON,
        "dead_letters": len(dead),
        "dead_letters_by_topic": dict(Counter(m.topic for m in dead)),
        "client_errors_retried": dict(ledger.errors),
        "checks": checks,
        "passed": all(checks.values()),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
