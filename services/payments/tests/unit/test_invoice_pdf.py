"""The invoice PDF holds what the invoice says: read back with pypdf."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from bespoke_contracts.formatting import money
from bespoke_payments.adapters.invoice_pdf import render
from bespoke_payments.domain.invoicing import InvoiceLine, IssuedInvoice, Party

SELLER = Party("Factory S.L.", ("Calle Italia 12", "03600 Elda", "Spain"), "ES", "ESB12345674")
BUYER = Party("Schuh GmbH", ("Hauptstr. 1", "10115 Berlin", "DE"), "DE", "DE136695976")
NOTE = "Reverse charge: intra-Community supply exempt from Spanish VAT (Article 138)."


def invoice(lines: list[InvoiceLine], vat: int = 0, rate_bp: int = 0) -> IssuedInvoice:
    return IssuedInvoice(
        number="INV-2026-000042",
        source="inv_SG-1:pi_1",
        account_id="acc",
        issued_at=datetime(2026, 12, 2, 10, tzinfo=UTC),
        seller=SELLER,
        buyer=BUYER,
        lines=lines,
        currency="EUR",
        vat_rate_bp=rate_bp,
        vat=vat,
        vat_note=NOTE if not rate_bp else "Spanish VAT (IVA) 21 %",
        payment_reference="pi_3Q7bespoke",
        paid_at=datetime(2026, 12, 2, 9, tzinfo=UTC),
        order_numbers=[line.order_number for line in lines],
    )


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_names_both_parties_the_lines_and_the_vat() -> None:
    issued = invoice(
        [InvoiceLine("BF-000001", 100_000, 1_250, 15_000), InvoiceLine("BF-000002", 60_050, 750, 0)]
    )
    pdf = render(issued)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for expected in (
        "Invoice INV-2026-000042",
        "Factory S.L.",
        "ESB12345674",
        "Schuh GmbH",
        "DE136695976",
        "BF-000001",
        "BF-000002",
        money(116_250, "EUR"),  # the first order's net line
        money(60_800, "EUR"),
        money(issued.subtotal, "EUR"),
        "VAT 0 %",
        "Reverse charge",
        "pi_3Q7bespoke",
    ):
        assert expected in text, expected
    assert money(issued.total, "EUR") == "EUR 1,770.50"


def test_a_long_invoice_flows_onto_more_pages() -> None:
    lines = [InvoiceLine(f"BF-{n:06d}", 10_000, 100, 0) for n in range(1, 121)]
    subtotal = sum(line.net for line in lines)
    pdf = render(invoice(lines, vat=subtotal * 21 // 100, rate_bp=2100))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    text = text_of(pdf)
    assert "BF-000001" in text
    assert "BF-000120" in text
    assert reader.pages[1].extract_text().count("Manufacturing") == 1, "header repeated"


def test_a_credit_note_names_its_invoice_the_fee_kept_and_the_total_refunded() -> None:
    note = invoice([InvoiceLine("BF-000003", 40_000, 1_500, 0)], vat=8_715 - 1_050, rate_bp=2100)
    note.number, note.kind, note.credits, note.fee = (
        "CN-2026-000007",
        "credit_note",
        "INV-2026-000042",
        5_050,
    )
    text = text_of(render(note))
    for expected in (
        "Credit note CN-2026-000007",
        "Credits invoice\nINV-2026-000042",
        "Cancellation fee",
        "EUR -50.50",  # kept: deducted from the line given back
        money(41_500 - 5_050, "EUR"),
        "Total refunded",
        money(note.total, "EUR"),
    ):
        assert expected in text, expected
    assert note.total == 41_500 - 5_050 + 8_715 - 1_050


def test_negative_amounts_keep_their_cents() -> None:
    assert money(-5_050, "EUR") == "EUR -50.50"
    assert money(-1, "EUR") == "EUR -0.01"


def test_a_final_invoice_deducts_its_deposit_and_names_the_vies_answer() -> None:
    final = invoice(
        [InvoiceLine("BF-000004", 200_000, 1_500, 0)], vat=42_315 - 21_158, rate_bp=2100
    )
    final.part, final.adjustment = "balance", -100_753
    final.adjustment_label = "Deposit, invoiced in INV-2026-000041"
    final.vat_check = "VIES check unavailable (ConnectError); number format and check digits valid"
    text = text_of(render(final))
    for expected in (
        "Deposit, invoiced in INV-2026-000041",
        "EUR -1,007.53",
        "the balance",
        "VIES check unavailable",
        money(final.total, "EUR"),
    ):
        assert expected in text, expected
