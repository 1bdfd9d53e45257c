"""Paying in two halves (the factory's terms): a bill of at least EUR 1,499.00 may be
paid as a deposit (half of it, rounded up to the cent), which launches production, and
the balance, due before shipping. One arithmetic for payments, which asks for the
money, and orders, which accepts it."""

from __future__ import annotations

from typing import Final, Literal

from bespoke_contracts.vat import BASIS_POINTS

DEPOSIT_MINIMUM: Final = 149_900
"""The smallest total (minor units, VAT included) that may be paid in two halves."""

Part = Literal["full", "deposit", "balance"]
"""What a payment pays of its bill: all of it, the deposit, or the balance after it."""


def deposit_of(total: int) -> int | None:
    """The deposit a bill of ``total`` offers: half, rounded up; None below the minimum."""
    return (total + 1) // 2 if total >= DEPOSIT_MINIMUM else None


def due_for(part: Part, total: int) -> int:
    """What a payment of ``part`` of a bill of ``total`` must be."""
    deposit = deposit_of(total)
    if part == "full" or deposit is None:
        return total
    return deposit if part == "deposit" else total - deposit


def paid_share(share: int, total: int, paid: int) -> int:
    """Of ``paid`` towards a bill of ``total``, what one order's ``share`` of it paid
    (rounded down, so the orders' parts never add up to more than was paid)."""
    return share if paid >= total else share * paid // total


def net_of(gross: int, rate_bp: int) -> int:
    """The net part of a VAT-inclusive amount, rounded half up (its VAT is the rest)."""
    return (gross * BASIS_POINTS * 2 + BASIS_POINTS + rate_bp) // ((BASIS_POINTS + rate_bp) * 2)
