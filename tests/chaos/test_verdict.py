"""The drills' checks themselves: each one fails on the failure it names."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _drills() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "chaos_drills", Path(__file__).with_name("drills.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chaos_drills"] = module
    spec.loader.exec_module(module)
    return module


drills = _drills()
POISON = {b"p1", b"p2"}


def healthy() -> dict[str, Any]:
    ledger = drills.Ledger()
    ledger.acknowledged = {"k1": "BF-000001", "k2": "BF-000002", "k3": "BF-000003"}
    ledger.paid = {"BF-000001", "BF-000003"}
    ledger.cancelled = ledger.cancelling = {"BF-000003"}
    return {
        "ledger": ledger,
        "orders": [
            {"order_number": "BF-000001", "status": "work_in_process"},
            {"order_number": "BF-000002", "status": "pending_payment"},
            {"order_number": "BF-000003", "status": "cancelled"},
        ],
        "entered_work_in_process_twice": [],
        "cleared": Counter({"BF-000001": 2}),  # a repeated event is allowed
        "emails_sent": Counter(
            {
                ("a@x", "Order BF-000001 received - pending payment"): 1,
                ("a@x", "Order BF-000001 payment received - now Work In Process"): 1,
                ("a@x", "Order BF-000002 received - pending payment"): 1,
                ("a@x", "Order BF-000003 received - pending payment"): 1,
            }
        ),
        "dead_letter_keys": [b"p1", b"p2", b"p1"],
        "poison_keys": POISON,
        "money": drills.Money(
            invoices=Counter({"BF-000001": 1, "BF-000003": 1}),
            credit_notes=Counter({"BF-000003": 1}),
            refunds=Counter({"BF-000003": 1}),
            sequences={"INV-2026": [2, 1, 3], "CN-2026": [1]},  # others' invoices count too
        ),
    }


def test_a_healthy_run_passes_every_check() -> None:
    assert all(drills.verdict(**healthy()).values())


def _lose_an_order(run: dict[str, Any]) -> None:
    run["orders"].pop()


def _double_an_order(run: dict[str, Any]) -> None:
    run["orders"].append({"order_number": "BF-000009", "status": "pending_payment"})


def _leave_a_paid_order_pending(run: dict[str, Any]) -> None:
    run["orders"][0]["status"] = "pending_payment"


def _clear_an_unpaid_order(run: dict[str, Any]) -> None:
    run["cleared"]["BF-000002"] += 1


def _send_an_email_twice(run: dict[str, Any]) -> None:
    run["emails_sent"][("a@x", "Order BF-000002 received - pending payment")] += 1


def _lose_an_email(run: dict[str, Any]) -> None:
    del run["emails_sent"][("a@x", "Order BF-000002 received - pending payment")]


def _dead_letter_a_good_message(run: dict[str, Any]) -> None:
    run["dead_letter_keys"].append(b"BF-000001")


def _keep_a_poisoned_message(run: dict[str, Any]) -> None:
    run["dead_letter_keys"] = [b"p1"]


def _two_keys_answered_with_one_order(run: dict[str, Any]) -> None:
    run["ledger"].acknowledged["k4"] = "BF-000002"


def _invoice_a_payment_twice(run: dict[str, Any]) -> None:
    run["money"].invoices["BF-000001"] += 1


def _skip_an_invoice_number(run: dict[str, Any]) -> None:
    run["money"].sequences["INV-2026"].append(5)


def _refund_twice(run: dict[str, Any]) -> None:
    run["money"].refunds["BF-000003"] += 1


def _refund_an_order_in_production(run: dict[str, Any]) -> None:
    run["money"].refunds["BF-000001"] = 1


def _keep_a_cancelled_order_s_money(run: dict[str, Any]) -> None:
    del run["money"].refunds["BF-000003"]


def _invoice_an_unpaid_order(run: dict[str, Any]) -> None:
    run["money"].invoices["BF-000002"] = 1


def _leave_a_cancelled_order_in_production(run: dict[str, Any]) -> None:
    run["orders"][2]["status"] = "work_in_process"


@pytest.mark.parametrize(
    ("break_it", "check"),
    [
        (_lose_an_order, "every_acknowledged_checkout_exists"),
        (_double_an_order, "no_order_without_an_acknowledgement"),
        (_two_keys_answered_with_one_order, "one_order_per_idempotency_key"),
        (_leave_a_paid_order_pending, "every_paid_order_in_work_in_process"),
        (_clear_an_unpaid_order, "no_payment_cleared_for_an_unpaid_order"),
        (_send_an_email_twice, "no_email_sent_twice"),
        (_lose_an_email, "every_acknowledged_order_emailed_once"),
        (_dead_letter_a_good_message, "dead_letters_only_the_poisoned"),
        (_keep_a_poisoned_message, "every_poisoned_message_dead_lettered"),
        (_invoice_a_payment_twice, "every_cleared_payment_invoiced_once"),
        (_invoice_an_unpaid_order, "no_invoice_without_a_payment"),
        (_skip_an_invoice_number, "invoice_numbers_gapless"),
        (_refund_twice, "no_refund_issued_twice"),
        (_refund_an_order_in_production, "no_refund_for_an_order_not_cancelled"),
        (_keep_a_cancelled_order_s_money, "every_cancelled_paid_order_refunded_once"),
        (_leave_a_cancelled_order_in_production, "every_cancelled_order_cancelled"),
    ],
)
def test_each_check_fails_on_its_failure(break_it: Any, check: str) -> None:
    run = healthy()
    break_it(run)
    assert drills.verdict(**run)[check] is False
