"""How amounts and rates are written for people (emails, invoices): one way everywhere."""

from __future__ import annotations


def money(minor: int, currency: str) -> str:
    """``EUR 1,234.56`` for 123456 minor units; ``EUR -50.50`` for -5050."""
    sign, minor = ("-", -minor) if minor < 0 else ("", minor)
    return f"{currency} {sign}{minor // 100:,}.{minor % 100:02d}"


def percent(basis_points: int) -> str:
    """A VAT rate: 2100 -> ``21 %``, 550 -> ``5.5 %``."""
    return f"{basis_points / 100:g} %"
