"""The order pool's read model: each order's summary, written with the order, made again
from the orders by `bespoke orders rebuild-pool` and compared with them by
`bespoke orders check-pool`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from typer.testing import CliRunner

from bespoke.cli import app
from bespoke.stack.containers import Infrastructure
from bespoke.stack.query_plans import plans, recording_client
from bespoke_orders.adapters.mongo import MongoOrderRepository, ensure_indexes
from bespoke_orders.service_layer.ports import OrderQuery

from .test_mongo_and_outbox import order

pytestmark = pytest.mark.stack

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


async def three_orders(repository: MongoOrderRepository) -> None:
    for n in (1, 2, 3):
        await repository.add(order(f"BF-{n:06d}", f"k{n}", "acc_pool"))
    paid = await repository.get_any("BF-000002")
    assert paid is not None
    paid.mark_paid("evt-2", "corr", AT)
    await repository.save(paid)


async def test_each_write_keeps_its_summary_and_an_older_write_never_wins(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    repository = MongoOrderRepository(orders_db)
    await three_orders(repository)
    [first, second, third] = await repository.find_summaries(
        OrderQuery(account_id="acc_pool", newest_first=False)
    )
    assert [s.status.value for s in (first, second, third)] == [
        "pending_payment",
        "work_in_process",
        "pending_payment",
    ]
    assert (second.payment_status.value, second.wip_started_at) == ("paid", AT)
    stale = await repository.get_any("BF-000002")
    assert stale is not None
    stale.revision -= 1  # as a slower writer's copy from before the payment
    stale.status = first.status
    from bespoke_orders.adapters import mongo

    await mongo._put_summary(orders_db.order_summaries, stale.summary())
    [kept] = await repository.find_summaries(OrderQuery(account_id="acc_pool", search="2"))
    assert kept.status.value == "work_in_process"
    assert await repository.summaries_differing(batch=2) == []


async def test_the_board_reads_a_page_by_an_index_for_each_of_its_filters(
    stack_infrastructure: Infrastructure, unique: str
) -> None:
    """Without an index naming a filter's field, a board page read every summary: 3.5 s
    at 9,000 orders on the local stack. The pages must still be the right ones now the
    database applies the sort and the limit (unpaid orders have no stage or ship date)."""
    client, recorder = recording_client(stack_infrastructure.mongodb_url)
    orders_db = client[f"test_board_{unique}"]
    try:
        await ensure_indexes(orders_db)
        indexes = await orders_db.order_summaries.index_information()
        for name, key in (
            ("by_status", [("status", 1), ("seq", -1)]),
            ("by_production_stage", [("production_stage", 1), ("seq", -1)]),
            ("by_order_type", [("order_type", 1), ("seq", -1)]),
            ("late", [("status", 1), ("estimated_ship_date", 1)]),
        ):
            assert indexes[name]["key"] == key, name
        repository = MongoOrderRepository(orders_db)
        for n in range(1, 6):
            await repository.add(order(f"BF-{n:06d}", f"k{n}", f"acc_{n % 2}"))
            if n % 2:
                paid = await repository.get_any(f"BF-{n:06d}")
                assert paid is not None
                paid.mark_paid(f"evt-{n}", "corr", AT)
                await repository.save(paid)
        await plans(client, recorder)  # the writes' own reads: not the board's

        async def numbers(**query: Any) -> list[str]:
            found = await repository.find_summaries(OrderQuery(**query))
            return [s.order_number for s in found]

        assert await numbers(status="work_in_process", limit=2) == ["BF-000005", "BF-000003"]
        assert await numbers(status="work_in_process", after_seq=3) == ["BF-000001"]
        assert await numbers(status="pending_payment") == ["BF-000004", "BF-000002"]
        assert await numbers(production_stage="queued", limit=2) == ["BF-000005", "BF-000003"]
        assert await numbers(order_type="mto", limit=3) == ["BF-000005", "BF-000004", "BF-000003"]
        assert await numbers(late_on=date(2027, 1, 1), limit=2) == ["BF-000005", "BF-000003"]
        assert await numbers(late_on=AT.date()) == []
        assert await numbers(account_id="acc_0", status="pending_payment") == [
            "BF-000004",
            "BF-000002",
        ]
        assert await numbers(account_id="acc_1", production_stage="queued", limit=1) == [
            "BF-000005"
        ]
        found = await plans(client, recorder)
        assert [p.command for p in found if p.reads_whole_collection] == []
        # The late filter reads every late order, then sorts them: a few.
        assert [p.command["filter"] for p in found if p.reads_every_match] == [
            p.command["filter"] for p in found if "estimated_ship_date" in p.command["filter"]
        ]
        # A brand's page walks its own orders, not every brand's of that status or stage.
        brands = [p for p in found if "account_id" in p.command["filter"]]
        assert len(brands) == 2
        assert all("_brand_pool " in " ".join(p.steps) for p in brands), brands
    finally:
        await client.drop_database(orders_db.name)
        await client.close()


async def test_the_pool_is_rebuilt_from_the_orders_and_checked_against_them(
    orders_db: AsyncDatabase[dict[str, Any]],
    stack_infrastructure: Infrastructure,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repository = MongoOrderRepository(orders_db)
    await three_orders(repository)
    summaries = orders_db.order_summaries
    await summaries.delete_one({"_id": "BF-000001"})  # lost
    await summaries.update_one({"_id": "BF-000002"}, {"$set": {"status": "cancelled"}})  # wrong
    await summaries.insert_one({"_id": "BF-000009", "seq": 9, "account_id": "acc_pool"})  # orphan
    monkeypatch.setenv("BESPOKE_ORDERS_MONGODB_URL", stack_infrastructure.mongodb_url)
    monkeypatch.setenv("BESPOKE_ORDERS_MONGODB_DATABASE", orders_db.name)
    runner = CliRunner()  # in a thread: the command runs its own event loop

    checked = await asyncio.to_thread(runner.invoke, app, ["orders", "check-pool"])
    assert checked.exit_code == 1
    assert json.loads(checked.stdout)["order_numbers"] == ["BF-000001", "BF-000002", "BF-000009"]

    assert await repository.summaries_differing(batch=2) == ["BF-000001", "BF-000002", "BF-000009"]
    rebuilt = await asyncio.to_thread(runner.invoke, app, ["orders", "rebuild-pool"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout) == {"orders": 3, "written": 3, "removed": 1}
    again = await asyncio.to_thread(runner.invoke, app, ["orders", "check-pool"])
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {"differing": 0, "order_numbers": []}
    assert (await repository.rebuild_summaries(batch=2)).written == 3, "page after page"
    orphans = [{"_id": f"BF-00000{n}", "seq": n, "account_id": "acc_pool"} for n in (4, 7)]
    await summaries.insert_many(orphans)  # on two pages of summaries, at batch=2
    assert (await repository.rebuild_summaries(batch=2)).removed == 2, "orphans page by page"
    pool = await repository.find_summaries(OrderQuery(account_id="acc_pool"))
    assert [(s.order_number, s.status.value) for s in pool] == [
        ("BF-000003", "pending_payment"),
        ("BF-000002", "work_in_process"),
        ("BF-000001", "pending_payment"),
    ]


async def test_the_summaries_are_behind_when_the_newest_order_has_none_for_a_while(
    orders_db: AsyncDatabase[dict[str, Any]],
) -> None:
    """A database from before the read model (or restored without it) is behind; a
    checkout whose summary lands just after the check is not."""
    repository = MongoOrderRepository(orders_db)
    assert not await repository.summaries_behind(settle_seconds=0)
    await three_orders(repository)
    assert not await repository.summaries_behind(settle_seconds=0)
    await orders_db.order_summaries.delete_many({})
    assert await repository.summaries_behind(settle_seconds=0)

    async def summarise_soon() -> None:
        await asyncio.sleep(0.1)
        await repository.refresh_summaries(["BF-000003"])

    landing = asyncio.create_task(summarise_soon())
    assert not await repository.summaries_behind(settle_seconds=1)
    await landing
