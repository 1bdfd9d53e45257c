"""VAT on invoices: an order's invoice carries its costs' VAT; a group's is computed on
each order's lines (manufacturing, its share of the group's shipping, customization) at
the order's rate, each line rounded, so the lines add up to the total exactly."""

from __future__ import annotations

import pytest

from bespoke_contracts import OrderCosts
from bespoke_contracts.vat import VatTreatment, line_vat
from bespoke_payments.domain.errors import InvoiceNotPayable
from bespoke_payments.domain.model import invoice_for_group, invoice_for_order

SPAIN = VatTreatment(2100, "Spanish VAT (IVA) 21 %")


def order(number: str, per_pair: int, pairs: int, vat: VatTreatment = SPAIN) -> OrderCosts:
    return OrderCosts.priced(
        per_pair=per_pair, pairs=pairs, shipping=1_499, customization=0, currency="EUR", vat=vat
    )


def test_an_orders_invoice_asks_for_its_costs_with_vat() -> None:
    costs = order("BF-000001", 10_001, 1)
    invoice = invoice_for_order(
        order_number="BF-000001", account_id="acc", costs=costs, contact_email="a@b.example"
    )
    assert (invoice.subtotal, invoice.vat, invoice.total) == (
        costs.subtotal,
        costs.vat,
        costs.total,
    )
    assert invoice.vat == line_vat(10_001, 2100) + line_vat(1_499, 2100)
    assert (invoice.vat_rate_bp, invoice.vat_note) == (2100, SPAIN.note)


def test_a_groups_vat_is_its_orders_lines_each_rounded() -> None:
    invoices = [
        invoice_for_order(
            order_number=n, account_id="acc", costs=order(n, per_pair, 1), contact_email="a@b"
        )
        for n, per_pair in (("BF-000001", 10_001), ("BF-000002", 20_003))
    ]
    allocations = {"BF-000001": 1_001, "BF-000002": 999}
    group = invoice_for_group(
        group_id="grp_1",
        account_id="acc",
        orders=invoices,
        allocations=allocations,
        currency="EUR",
        contact_email="a@b",
    )
    lines = [10_001, 1_001, 20_003, 999]
    assert group.subtotal == sum(lines)
    assert group.vat == sum(line_vat(x, 2100) for x in lines)  # 2100.21+210.21+4200.63+209.79
    assert group.vat == 2_100 + 210 + 4_201 + 210
    assert group.total == group.subtotal + group.vat
    assert group.shipping == sum(allocations.values())


def test_a_group_never_mixes_vat_rates() -> None:
    export = VatTreatment(0, "Export")
    invoices = [
        invoice_for_order(
            order_number=n, account_id="acc", costs=order(n, 100, 1, vat), contact_email="a"
        )
        for n, vat in (("BF-000001", SPAIN), ("BF-000002", export))
    ]
    with pytest.raises(InvoiceNotPayable, match="mixes VAT rates"):
        invoice_for_group(
            group_id="grp_1",
            account_id="acc",
            orders=invoices,
            allocations={"BF-000001": 1, "BF-000002": 1},
            currency="EUR",
            contact_email="a",
        )
