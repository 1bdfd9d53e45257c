"""The job ticket: one printable A4 page that travels with an order's pairs on the
floor. A station scans its QR code or barcode (both the order number) to report the
stage; the rest is what the floor makes: the specification, the bill of materials for
the whole run, the size run, the labeling and the date it is due, and the shoe as the
design service draws it, so the closing room sees the toe cap it is stitching. Drawn
with ReportLab (its own QR and Code 128 renderers), no fonts or files from outside; the
drawing (SVG) rasterised by CairoSVG, which loads nothing the SVG points to."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bespoke_contracts.formatting import words
from bespoke_orders.adapters.artwork import svg_png
from bespoke_orders.domain.model import Order

_TYPES = {"mto": "MTO (single pair)", "mini_bulk": "MINI-BULK", "bulk": "BULK"}
_LABELING = {"unlabeled": "Unlabeled: no brand marks", "custom_stamps": "Custom stamps"}


DRAWING_WIDTH = 62 * mm
"""The drawing's width on the page, right of the codes (a side view is about 2:1)."""
DRAWING_PIXELS = 1000
"""Its raster width: about 400 dpi at that size, sharp on a laser printer."""


class _Codes(Flowable):
    """The order number as a QR code and a Code 128 barcode, side by side, and the
    shoe's drawing at the right (or a line saying it could not be had)."""

    def __init__(self, value: str, drawing: bytes | None) -> None:
        super().__init__()
        self.value = value
        self.drawing = (
            ImageReader(io.BytesIO(svg_png(drawing, DRAWING_PIXELS))) if drawing else None
        )
        self.width, self.height = 174 * mm, 34 * mm

    def draw(self) -> None:
        size = 32 * mm
        code = qr.QrCodeWidget(self.value, barLevel="M")
        left, bottom, right, top = code.getBounds()
        drawing = Drawing(
            size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
        )
        drawing.add(code)
        renderPDF.draw(drawing, self.canv, 0, 0)
        bars = code128.Code128(
            self.value, barHeight=22 * mm, barWidth=0.42 * mm, humanReadable=True
        )
        bars.drawOn(self.canv, 42 * mm, 4 * mm)
        left = self.width - DRAWING_WIDTH
        if self.drawing is None:
            self.canv.setFont("Helvetica", 8)
            self.canv.drawString(left, 16 * mm, "(the design's drawing could not be had)")
            return
        pixels_wide, pixels_high = self.drawing.getSize()
        high = min(self.height, DRAWING_WIDTH * pixels_high / pixels_wide)
        self.canv.drawImage(
            self.drawing,
            left,
            (self.height - high) / 2,
            DRAWING_WIDTH,
            high,
            preserveAspectRatio=True,
        )


def job_ticket(order: Order, now: datetime, drawing: bytes | None) -> bytes:
    """The ticket of ``order`` as PDF bytes, with ``drawing`` (its design version's SVG)
    when there is one."""
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8, leading=10)
    out = io.BytesIO()
    spec = order.specification
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Job ticket {order.order_number}",
        author="Bespoke Factory",
        subject=f"{spec.design_name} v{order.design_version}",
    )
    due = order.estimated_ship_date
    facts: list[list[Any]] = [
        ["Order", order.order_number, "Brand", order.account_id],
        ["Type", _TYPES.get(order.order_type.value, order.order_type.value), "Pairs", order.pairs],
        [
            "Launched",
            order.wip_started_at.strftime("%d %b %Y") if order.wip_started_at else "not paid",
            "Due (ready to ship)",
            due.strftime("%d %b %Y") if due else "-",
        ],
        [
            "Stage",
            words(order.production_stage.value) if order.production_stage else order.status,
            "Labeling",
            _LABELING.get(order.labeling.value, order.labeling.value),
        ],
    ]
    made = [
        ["Design", f"{spec.design_name} (v{order.design_version})"],
        ["Style", words(spec.style)],
        ["Construction", words(spec.construction)],
        ["Last", spec.last],
        ["Sole unit", words(spec.sole_unit)],
        *[
            [words(part), f"{words(choice.material)}, {words(choice.colour)}"]
            for part, choice in spec.materials.items()
        ],
        *[
            [
                words(element.element),
                words(element.option) + (f' "{element.text}"' if element.text else ""),
            ]
            for element in spec.elements
        ],
    ]
    sizes = sorted(order.sizes.items(), key=lambda item: float(item[0]))
    run: list[list[Any]] = [
        ["EU size", *[size for size, _ in sizes], "Total"],
        ["Pairs", *[n for _, n in sizes], order.pairs],
    ]
    materials: list[list[Any]] = [
        ["Component", "Material", "Per pair", f"For {order.pairs} pairs"]
    ] + [
        [
            line.component,
            Paragraph(line.material + (f" ({words(line.colour)})" if line.colour else ""), small),
            f"{line.quantity:g} {line.unit}",
            f"{line.quantity * order.pairs:g} {line.unit}",
        ]
        for line in spec.bill_of_materials
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    header = TableStyle([*grid.getCommands(), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)])
    keyed = TableStyle([*grid.getCommands(), ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")])
    story = [
        Paragraph(f"Job ticket {order.order_number}", styles["Title"]),
        _Codes(order.order_number, drawing),
        Spacer(1, 4 * mm),
        Table(facts, colWidths=[28 * mm, 57 * mm, 34 * mm, 55 * mm], style=keyed),
        Spacer(1, 4 * mm),
        Paragraph("Specification", styles["Heading3"]),
        Table(made, colWidths=[40 * mm, 134 * mm], style=keyed),
        Paragraph("Size run", styles["Heading3"]),
        Table(run, style=header),
        Paragraph("Bill of materials", styles["Heading3"]),
        Table(materials, colWidths=[34 * mm, 80 * mm, 28 * mm, 32 * mm], style=header),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Printed {now.strftime('%d %b %Y %H:%M')} UTC. Scan the code at each station; "
            "quality check sends pairs back for rework with a note.",
            small,
        ),
    ]
    document.build(story)
    return out.getvalue()
