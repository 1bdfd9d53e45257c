"""An issued invoice as an A4 PDF, laid out by ReportLab's Platypus (paragraphs and
tables flowed onto pages, so long invoices break across pages with their header row
repeated): seller and buyer with their VAT numbers, the invoice's number and dates, one
line per order, the VAT breakdown and its wording, and the payment reference. Only
ReportLab's built-in fonts: nothing is fetched or read from outside."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bespoke_contracts.formatting import money, percent
from bespoke_payments.domain.invoicing import IssuedInvoice, Party

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9.5, leading=12.5)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=10, textColor=colors.grey)
_RIGHT = ParagraphStyle("right", parent=_BODY, alignment=TA_RIGHT)
_TITLE = ParagraphStyle("title", parent=_STYLES["Title"], alignment=0, fontSize=20, leading=24)


PARTS = {
    "deposit": "the deposit (half; the balance is due before shipping)",
    "balance": "the balance",
}


def _party(title: str, party: Party) -> Paragraph:
    lines = [f"<b>{escape(title)}</b>", f"<b>{escape(party.name)}</b>"]
    lines += [escape(line) for line in party.address_lines]
    lines.append(f"VAT: {escape(party.vat_id)}" if party.vat_id else "VAT: none given")
    return Paragraph("<br/>".join(lines), _BODY)


def render(invoice: IssuedInvoice) -> bytes:
    """The invoice's (or credit note's) PDF."""
    credit = invoice.kind == "credit_note"
    title = "Credit note" if credit else "Invoice"
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title} {invoice.number}",
        author=invoice.seller.name,
        subject=f"{title} {invoice.number} for {', '.join(invoice.order_numbers)}",
    )
    c = invoice.currency
    facts = Table(
        [
            [f"{title} number", invoice.number],
            *([["Credits invoice", invoice.credits]] if credit and invoice.credits else []),
            ["Issued", invoice.issued_at.strftime("%d %B %Y")],
            ["Refunded" if credit else "Paid", invoice.paid_at.strftime("%d %B %Y")],
            ["Refund reference" if credit else "Payment reference", invoice.payment_reference],
            ["Orders", ", ".join(invoice.order_numbers)],
            *([["Pays", PARTS[invoice.part]]] if invoice.part in PARTS else []),
        ],
        colWidths=[38 * mm, 70 * mm],
        hAlign="LEFT",
    )
    facts.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9.5),
                ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 9.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    buyer = _party("Bill to", invoice.buyer)
    if invoice.vat_check:
        buyer = Paragraph(f"{buyer.text}<br/><i>{escape(invoice.vat_check)}</i>", _BODY)
    parties = Table(
        [[_party("From", invoice.seller), buyer]],
        colWidths=[87 * mm, 87 * mm],
    )
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    header: list[object] = ["Order", "Manufacturing", "Shipping", "Customization", "Net"]
    rows: list[list[object]] = [header]
    for line in invoice.lines:
        rows.append(
            [
                line.order_number,
                money(line.manufacturing, c),
                money(line.shipping, c),
                money(line.customization, c),
                money(line.net, c),
            ]
        )
    if invoice.fee:
        rows.append(["Cancellation fee", "", "", "kept", money(-invoice.fee, c)])
    spans = []
    if invoice.adjustment:  # its words across the first four columns
        spans.append(("SPAN", (0, len(rows)), (3, len(rows))))
        rows.append(
            [
                Paragraph(escape(invoice.adjustment_label), _BODY),
                "",
                "",
                "",
                money(invoice.adjustment, c),
            ]
        )
    summary_start = len(rows)
    rows.append(["", "", "", "Subtotal (net)", money(invoice.subtotal, c)])
    rows.append(["", "", "", f"VAT {percent(invoice.vat_rate_bp)}", money(invoice.vat, c)])
    rows.append(["", "", "", "Total refunded" if credit else "Total", money(invoice.total, c)])
    lines = Table(
        rows,
        colWidths=[30 * mm, 38 * mm, 32 * mm, 38 * mm, 36 * mm],
        repeatRows=1,
    )
    lines.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9.5),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, summary_start - 1), 0.25, colors.lightgrey),
                ("LINEABOVE", (3, summary_start), (-1, summary_start), 0.8, colors.black),
                ("FONT", (3, -1), (-1, -1), "Helvetica-Bold", 10.5),
                ("LINEABOVE", (3, -1), (-1, -1), 0.8, colors.black),
                *spans,
            ]
        )
    )
    vat_rows = [
        ["VAT rate", "Taxable base", "VAT"],
        [percent(invoice.vat_rate_bp), money(invoice.subtotal, c), money(invoice.vat, c)],
    ]
    breakdown = Table(vat_rows, colWidths=[30 * mm, 40 * mm, 36 * mm], hAlign="LEFT")
    breakdown.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ]
        )
    )
    story = [
        Paragraph(f"{title} {escape(invoice.number)}", _TITLE),
        facts,
        Spacer(1, 6 * mm),
        parties,
        Spacer(1, 8 * mm),
        lines,
        Spacer(1, 6 * mm),
        Paragraph("<b>VAT breakdown</b>", _BODY),
        breakdown,
        Spacer(1, 3 * mm),
    ]
    if invoice.vat_note:
        story.append(Paragraph(escape(invoice.vat_note), _BODY))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(
            "Amounts are rounded half up per line; prices are net, VAT is added. "
            + (
                f"Refunded through Stripe to the card that paid invoice {invoice.credits}."
                if credit
                else "Paid in full by card through Stripe."
            ),
            _SMALL,
        ),
    ]
    document.build(story)
    return out.getvalue()
