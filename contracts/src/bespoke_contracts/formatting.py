"""How amounts, rates and catalog ids are written for people (emails, invoices, job
tickets): one way everywhere."""

from __future__ import annotations


def money(minor: int, currency: str) -> str:
    """``EUR 1,234.56`` for 123456 minor units; ``EUR -50.50`` for -5050."""
    sign, minor = ("-", -minor) if minor < 0 else ("", minor)
    return f"{currency} {sign}{minor // 100:,}.{minor % 100:02d}"


def words(catalog_id: str) -> str:
    """A catalog id as the words people read: ``goodyear_welted`` is "Goodyear welted"
    (a shoe last's id, a factory reference like ``LC-101``, stays as it is)."""
    return (
        catalog_id.replace("_", " ").capitalize()
        if "_" in catalog_id or catalog_id.islower()
        else catalog_id
    )


def percent(basis_points: int) -> str:
    """A VAT rate: 2100 -> ``21 %``, 550 -> ``5.5 %``."""
    return f"{basis_points / 100:g} %"
