"""Paying in two halves: from EUR 1,499.00, half (rounded up to the cent) and the rest."""

from __future__ import annotations

import pytest

from bespoke_contracts.deposits import DEPOSIT_MINIMUM, deposit_of, due_for, net_of, paid_share


@pytest.mark.parametrize(
    ("total", "deposit"),
    [(DEPOSIT_MINIMUM - 1, None), (DEPOSIT_MINIMUM, 74_950), (149_901, 74_951), (200_001, 100_001)],
)
def test_a_deposit_is_half_rounded_up_from_the_minimum(total: int, deposit: int | None) -> None:
    assert deposit_of(total) == deposit
    if deposit is not None:
        assert due_for("deposit", total) + due_for("balance", total) == total
    assert due_for("full", total) == total


def test_below_the_minimum_every_part_is_the_whole_total() -> None:
    assert due_for("deposit", 1_000) == due_for("balance", 1_000) == 1_000


def test_orders_shares_of_a_deposit_never_add_up_to_more_than_was_paid() -> None:
    dues = [100_001, 70_003, 30_001]
    total = sum(dues)
    deposit = deposit_of(total)
    assert deposit is not None
    shares = [paid_share(d, total, deposit) for d in dues]
    assert sum(shares) <= deposit
    assert deposit - sum(shares) < len(dues)
    assert paid_share(70_003, total, total) == 70_003


@pytest.mark.parametrize(
    ("gross", "rate", "net"), [(12_100, 2100, 10_000), (100, 2100, 83), (5_000, 0, 5_000)]
)
def test_the_net_of_a_vat_inclusive_amount_rounds_half_up(gross: int, rate: int, net: int) -> None:
    assert net_of(gross, rate) == net
