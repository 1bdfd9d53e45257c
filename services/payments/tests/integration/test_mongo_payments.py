"""Payments' MongoDB adapters on the real MongoDB-wire server: invoices are created once,
saved only from the revision they were read at (with their events, in one write), and
each Stripe event is recorded once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from bespoke.stack.containers import Infrastructure
from bespoke.stack.query_plans import plans, recording_client
from bespoke_contracts import OrderCosts
from bespoke_payments.adapters.mongo import (
    MongoInvoices,
    MongoIssuedInvoices,
    MongoProcessedWebhooks,
    ensure_indexes,
)
from bespoke_payments.domain.invoicing import InvoiceLine, IssuedInvoice, Party
from bespoke_payments.domain.model import InvoiceStatus, invoice_for_order
from bespoke_payments.service_layer.handlers import ConcurrentChange

pytestmark = pytest.mark.stack

COSTS = OrderCosts.priced(per_pair=20_000, pairs=2, shipping=1_500, customization=0, currency="EUR")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def invoice(order_number: str = "BF-900001") -> Any:
    return invoice_for_order(
        order_number=order_number, account_id="acc_1", costs=COSTS, contact_email="a@b.example"
    )


async def test_an_invoice_is_created_once_and_reads_back_as_it_was(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    invoices = MongoInvoices(fresh_database)
    first = invoice()
    assert await invoices.add(first) is True
    assert await invoices.add(invoice()) is False, "a second invoice under the same id"

    stored = await invoices.get(first.id)
    assert stored is not None
    assert (stored.id, stored.target, stored.total, stored.status) == (
        "inv_BF-900001",
        "BF-900001",
        COSTS.total,
        InvoiceStatus.OPEN,
    )
    assert await invoices.get("inv_BF-000000") is None


async def test_a_save_from_a_stale_read_is_refused_and_writes_nothing(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    invoices = MongoInvoices(fresh_database)
    await invoices.add(invoice())
    mine, theirs = await invoices.get("inv_BF-900001"), await invoices.get("inv_BF-900001")
    assert mine is not None
    assert theirs is not None

    assert mine.settle(
        stripe_event_id="evt_1",
        payment_intent_id="pi_1",
        amount=COSTS.total,
        currency="eur",
        metadata_version=1,
        at=NOW,
        correlation_id="req_1",
    )
    await invoices.save(mine)
    theirs.void("evt_2")
    with pytest.raises(ConcurrentChange):
        await invoices.save(theirs)

    stored = await invoices.get("inv_BF-900001")
    assert stored is not None
    assert stored.status is InvoiceStatus.PAID, "the stale save changed nothing"
    assert stored.revision == 1
    doc = await fresh_database.invoices.find_one({"_id": "inv_BF-900001"})
    assert doc is not None
    assert [e["event_type"] for e in doc["outbox"]] == ["payment.cleared"]
    assert doc["outbox_pending"] is True, "the event waits in the same document"
    assert await fresh_database.outbox_signals.find_one({"_id": "inv_BF-900001"}) is not None


async def test_each_stripe_event_is_recorded_once(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    webhooks = MongoProcessedWebhooks(fresh_database)
    assert await webhooks.seen("evt_9") is False
    await webhooks.record("evt_9", "payment_intent.succeeded", "cleared")
    await webhooks.record("evt_9", "payment_intent.succeeded", "duplicate")  # a replay

    assert await webhooks.seen("evt_9") is True
    [doc] = await fresh_database.stripe_events.find({}).to_list()
    assert (doc["_id"], doc["outcome"]) == ("evt_9", "cleared"), "the first outcome stands"


def issued(source: str, at: datetime = NOW) -> IssuedInvoice:
    seller = Party("Factory S.L.", ("Calle 1",), "ES", "ESB12345674")
    return IssuedInvoice(
        source=source,
        account_id="acc_1",
        issued_at=at,
        seller=seller,
        buyer=Party("Brand", ("Street 1",), "PT"),
        lines=[InvoiceLine("BF-900001", 20_000, 1_500, 0)],
        currency="EUR",
        vat_rate_bp=2100,
        vat=4_515,
        vat_note="Spanish VAT (IVA) 21 %",
        payment_reference=f"pi_{source}",
        paid_at=at,
        order_numbers=["BF-900001"],
    )


async def test_a_process_reads_the_highest_number_once_and_again_only_when_taken(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    """The highest number is read when the process starts issuing, and again only when
    another process took one; nothing else is read to issue a new invoice."""
    await ensure_indexes(fresh_database)
    ours, theirs = MongoIssuedInvoices(fresh_database), MongoIssuedInvoices(fresh_database)
    collection = ours._issued
    highest_reads = reads = 0

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(collection, name)

        async def find_one(self, *args: Any, **kwargs: Any) -> Any:
            nonlocal highest_reads, reads
            highest_reads += "sort" in kwargs
            reads += 1
            return await collection.find_one(*args, **kwargs)

    ours._issued = Counting()  # type: ignore[assignment]
    numbers = [(await ours.issue(issued(f"inv_BF-{n:06d}:pi_{n}"))).number for n in range(1, 4)]
    assert (numbers, highest_reads, reads) == ([f"INV-2026-{n:06d}" for n in (1, 2, 3)], 1, 1)
    again = await ours.issue(issued("inv_BF-000002:pi_2"))  # redelivered: refused, read back
    assert (again.number, highest_reads) == ("INV-2026-000002", 1)
    assert (await theirs.issue(issued("inv_BF-000004:pi_4"))).number == "INV-2026-000004"
    assert (await ours.issue(issued("inv_BF-000005:pi_5"))).number == "INV-2026-000005"
    assert highest_reads == 2, "its proposal refused, it read the highest again"


async def test_issuing_reads_by_index_whatever_the_number_of_invoices(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    """The year's highest number is read after every start: as a scan it took 3.4-4.2 s
    at 12,000 invoices on the local stack, and payments issued nothing meanwhile."""
    client, recorder = recording_client(stack_infrastructure.mongodb_url)
    db = client[f"test_payments_plans_{unique}"]
    try:
        await ensure_indexes(db)
        issuer = MongoIssuedInvoices(db)
        await issuer.issue(issued("inv_BF-000001:pi_1"))
        await issuer.issue(issued("inv_BF-000001:pi_1"))  # redelivered
        await MongoIssuedInvoices(db).issue(issued("inv_BF-000002:pi_2"))  # another process
        found = await plans(client, recorder)
        assert found
        assert [p.command for p in found if p.reads_whole_collection or p.reads_every_match] == []
    finally:
        await client.drop_database(db.name)
        await client.close()


async def test_fifty_concurrent_payments_get_gapless_numbers_once_each(
    fresh_database: AsyncDatabase[dict[str, Any]],
) -> None:
    await ensure_indexes(fresh_database)
    # Two processes (two repositories, two locks) issuing at once; every payment's
    # event delivered twice, as a redelivery after a crash would.
    issuers = [MongoIssuedInvoices(fresh_database), MongoIssuedInvoices(fresh_database)]
    sources = [f"inv_BF-{n:06d}:pi_{n}" for n in range(1, 51)]
    results = await asyncio.gather(
        *(issuers[i % 2].issue(issued(source)) for i, source in enumerate(sources * 2))
    )
    by_source: dict[str, set[str]] = {}
    for result in results:
        by_source.setdefault(result.source, set()).add(result.number)
    assert all(len(numbers) == 1 for numbers in by_source.values()), "one invoice per payment"
    numbers = sorted(n for numbers in by_source.values() for n in numbers)
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 51)], "no gap, no duplicate"
    assert await fresh_database.issued_invoices.count_documents({}) == 50

    next_year = await issuers[0].issue(issued("inv_BF-000099:pi_99", NOW.replace(year=2027)))
    assert next_year.number == "INV-2027-000001", "each year counts from one"
    stored = await issuers[1].get("acc_1", "INV-2026-000007")
    assert stored is not None
    assert (stored.total, stored.vat_note) == (21_500 + 4_515, "Spanish VAT (IVA) 21 %")
    assert await issuers[1].get("acc_2", "INV-2026-000007") is None, "another brand's"
    page = await issuers[0].find("acc_1", None, "INV-2026-000010", 3)
    assert [i.number for i in page] == ["INV-2026-000009", "INV-2026-000008", "INV-2026-000007"]
