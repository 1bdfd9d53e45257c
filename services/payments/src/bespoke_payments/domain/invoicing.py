"""Invoices as issued documents: what a cleared payment paid for, numbered
``INV-YYYY-NNNNNN`` (sequential within the year of issue, no gaps), immutable once issued;
and credit notes, ``CN-YYYY-NNNNNN`` by the same rules, for money given back.

Pure: an issued invoice is a snapshot of the bill that was paid (its lines per order,
its VAT, its buyer) with the seller's details and the payment's reference. The number is
given by the repository when the document is stored (``MongoIssuedInvoices.issue``): a
number exists only once its invoice does, so a crash or a retry leaves no gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

INVOICE_PREFIX: Final = "INV"
CREDIT_NOTE_PREFIX: Final = "CN"
PREFIXES: Final = {"invoice": INVOICE_PREFIX, "credit_note": CREDIT_NOTE_PREFIX}
NUMBER_PATTERN: Final = re.compile(r"^(INV|CN)-(\d{4})-(\d{6,})$")


@dataclass(frozen=True)
class Party:
    """Seller or buyer as the invoice names them."""

    name: str
    address_lines: tuple[str, ...]
    country: str
    vat_id: str | None = None


@dataclass(frozen=True)
class InvoiceLine:
    """One order on an invoice: what it costs, net (shipping: its share of a group's)."""

    order_number: str
    manufacturing: int
    shipping: int
    customization: int

    @property
    def net(self) -> int:
        return self.manufacturing + self.shipping + self.customization


def format_number(prefix: str, year: int, sequence: int) -> str:
    """``INV-2026-000042`` for the 42nd invoice of 2026."""
    if sequence < 1:
        raise ValueError("invoice sequences start at 1")
    return f"{prefix}-{year:04d}-{sequence:06d}"


def parse_number(number: str) -> tuple[str, int, int] | None:
    """(prefix, year, sequence) of an invoice or credit note number; None if it is none."""
    found = NUMBER_PATTERN.fullmatch(number)
    if found is None:
        return None
    return found.group(1), int(found.group(2)), int(found.group(3))


@dataclass
class IssuedInvoice:
    """An issued invoice. ``number`` is empty until the repository stores it."""

    source: str
    """What it was issued for, once: ``<bill id>:<payment reference>``."""
    account_id: str
    issued_at: datetime
    seller: Party
    buyer: Party
    lines: list[InvoiceLine]
    currency: str
    vat_rate_bp: int
    vat: int
    vat_note: str
    payment_reference: str
    paid_at: datetime
    kind: str = "invoice"
    """``invoice``, or ``credit_note``: money going back, numbered ``CN-YYYY-NNNNNN``."""
    number: str = ""
    order_numbers: list[str] = field(default_factory=list)
    credits: str | None = None
    """A credit note's invoice: the one whose payment it gives back."""
    fee: int = 0
    """A credit note's cancellation fee, net: kept, so deducted from its lines."""
    part: str = "full"
    """What its payment paid of the bill: ``full``, ``deposit`` or ``balance``."""
    adjustment: int = 0
    """Net, signed, added to the lines: a deposit invoice's balance (not invoiced yet,
    negative), a final invoice's deposit (invoiced already, negative)."""
    adjustment_label: str = ""
    vat_check: str = ""
    """What a VIES check of the buyer's VAT number answered when it was issued (empty: no
    check is configured, or the buyer gave none)."""

    @property
    def subtotal(self) -> int:
        return sum(line.net for line in self.lines) - self.fee + self.adjustment

    @property
    def total(self) -> int:
        """What was paid (an invoice) or is given back (a credit note), VAT included."""
        return self.subtotal + self.vat

    @property
    def prefix(self) -> str:
        return PREFIXES[self.kind]
