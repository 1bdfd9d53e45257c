from __future__ import annotations

import pytest

from bespoke_shipping.adapters.rates_file import load_rates


def test_zones_by_destination_country() -> None:
    rates = load_rates()
    assert rates.zone_for("ES").id == "domestic"
    assert rates.zone_for("de").id == "eu"
    assert rates.zone_for("CH").id == "europe_other"
    assert rates.zone_for("JP").id == "world"


def test_cost_is_base_plus_a_per_pair_cost_that_falls_with_more_pairs() -> None:
    rates = load_rates()
    one = rates.quote("ES", 1)
    assert (one.base, one.per_pair, one.cost) == (900, 600, 1500)
    assert rates.quote("ES", 5).per_pair == 600
    assert rates.quote("ES", 6).per_pair == 450
    assert rates.quote("ES", 60).cost == 900 + 200 * 60
    per_pair = [rates.quote("FR", n).cost / n for n in (1, 6, 24, 60, 200)]
    assert per_pair == sorted(per_pair, reverse=True)
    with pytest.raises(ValueError, match="at least one pair"):
        rates.quote("ES", 0)
