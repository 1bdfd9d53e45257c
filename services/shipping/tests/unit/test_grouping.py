"""Group Shipping's rules, and its arithmetic proven over generated rate cards and orders
(hypothesis)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bespoke_contracts import Address, OrderStatus
from bespoke_shipping.adapters.rates_file import load_rates
from bespoke_shipping.domain.errors import InvalidGroup, OrderNotGroupable
from bespoke_shipping.domain.grouping import (
    GroupQuote,
    address_conflicts,
    allocate,
    check_names,
    eligible_quote,
    quote_group,
    same_place,
)
from bespoke_shipping.domain.model import OrderRecord
from bespoke_shipping.domain.rates import PerPairTier, RateCard, Zone

RATES = load_rates()
COUNTRIES = ["ES", "FR", "DE", "IT", "PT", "CH", "GB", "US", "JP", "BR", "AU"]


@st.composite
def rate_cards(draw: st.DrawFn, min_base: int = 0) -> RateCard:
    """A valid rate card: one fallback zone and maybe one for Spain, per-pair tiers that
    start at one pair and never rise."""
    zones = []
    for zone_id, countries in (("home", ("ES",)), ("rest", ("*",))):
        mins = sorted(draw(st.sets(st.integers(2, 500), max_size=4)))
        amounts = sorted(
            draw(st.lists(st.integers(0, 5_000), min_size=len(mins) + 1, max_size=len(mins) + 1)),
            reverse=True,
        )
        zones.append(
            Zone(
                id=zone_id,
                name=zone_id,
                countries=countries,
                base=draw(st.integers(min_base, 20_000)),
                per_pair=tuple(
                    PerPairTier(min_pairs=m, amount=a)
                    for m, a in zip([1, *mins], amounts, strict=True)
                ),
            )
        )
    return RateCard(version="generated", currency="EUR", zones=tuple(zones))


orders = st.dictionaries(
    st.integers(1, 999_999).map(lambda n: f"BF-{n:06d}"),
    st.integers(1, 400),
    min_size=2,
    max_size=12,
)


@given(
    total=st.integers(0, 10**9),
    weights=st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 10**6), min_size=1),
)
def test_allocations_sum_exactly_to_the_total_and_stay_within_a_cent_of_the_share(
    total: int, weights: dict[str, int]
) -> None:
    shares = allocate(total, weights)
    assert set(shares) == set(weights)
    assert sum(shares.values()) == total
    whole = sum(weights.values())
    for key, share in shares.items():
        exact = Fraction(total * weights[key], whole)
        assert exact - 1 < share < exact + 1
        assert share >= 0


@given(total=st.integers(0, 10**6), weights=orders)
def test_allocation_is_deterministic_whatever_the_order_of_the_orders(
    total: int, weights: dict[str, int]
) -> None:
    reversed_weights = dict(reversed(list(weights.items())))
    assert allocate(total, weights) == allocate(total, reversed_weights)


@settings(max_examples=300)
@given(rates=rate_cards(min_base=1), pairs=orders, country=st.sampled_from(COUNTRIES))
def test_a_group_costs_less_per_pair_than_its_orders_shipped_alone(
    rates: RateCard, pairs: dict[str, int], country: str
) -> None:
    alone = {n: rates.quote(country, p).cost for n, p in pairs.items()}
    quote = quote_group(rates, country, pairs, alone)
    total_pairs = sum(pairs.values())
    assert quote.pairs == total_pairs
    assert quote.shipping_cost == rates.quote(country, total_pairs).cost
    assert Fraction(quote.shipping_cost, total_pairs) < Fraction(sum(alone.values()), total_pairs)
    assert quote.saving == quote.individual_shipping_cost - quote.shipping_cost > 0
    assert sum(quote.allocations.values()) == quote.shipping_cost
    for number, share in quote.allocations.items():
        # Never more than alone (a rounded cent can make a share equal to it).
        assert share <= alone[number]


@settings(max_examples=300)
@given(rates=rate_cards(min_base=0), pairs=orders, country=st.sampled_from(COUNTRIES))
def test_a_group_never_costs_more_than_its_orders_alone_even_without_a_base_cost(
    rates: RateCard, pairs: dict[str, int], country: str
) -> None:
    alone = {n: rates.quote(country, p).cost for n, p in pairs.items()}
    quote = quote_group(rates, country, pairs, alone)
    assert quote.saving >= 0
    assert sum(quote.allocations.values()) == quote.shipping_cost
    assert all(share <= alone[n] for n, share in quote.allocations.items())


@given(pairs=orders, country=st.sampled_from(COUNTRIES))
def test_the_factory_rate_card_always_saves_when_grouping(
    pairs: dict[str, int], country: str
) -> None:
    alone = {n: RATES.quote(country, p).cost for n, p in pairs.items()}
    quote = quote_group(RATES, country, pairs, alone)
    assert quote.saving > 0
    assert sum(quote.allocations.values()) == quote.shipping_cost


def test_a_worked_example() -> None:
    # Spain: 9.00 per shipment, 6.00 a pair under 6 pairs, 4.50 from 6 pairs.
    pairs = {"BF-000001": 1, "BF-000002": 2, "BF-000003": 3}
    alone = {n: RATES.quote("ES", p).cost for n, p in pairs.items()}
    assert alone == {"BF-000001": 1500, "BF-000002": 2100, "BF-000003": 2700}
    quote = quote_group(RATES, "ES", pairs, alone)
    assert quote.shipping_cost == 900 + 6 * 450
    assert quote.individual_shipping_cost == 6300
    assert quote.saving == 6300 - 3600
    assert quote.allocations == {"BF-000001": 600, "BF-000002": 1200, "BF-000003": 1800}


def test_allocation_gives_leftover_cents_to_the_largest_remainders() -> None:
    assert allocate(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert allocate(10, {"a": 1, "b": 2}) == {"a": 3, "b": 7}


HOME = Address(
    name="Atelier Norte", line1="Calle Mayor 1", city="Elda", postal_code="03600", country="ES"
)


def test_the_same_place_ignores_case_spacing_commas_and_phone() -> None:
    other = HOME.model_copy(
        update={"name": "ATELIER  norte", "line1": "Calle Mayor, 1", "phone": "+34 600"}
    )
    assert same_place(HOME, other)
    assert not same_place(HOME, HOME.model_copy(update={"postal_code": "03601"}))
    assert not same_place(HOME, HOME.model_copy(update={"line2": "2B"}))


def test_address_conflicts_name_each_order_and_field() -> None:
    conflicts = address_conflicts(
        {
            "BF-000001": HOME,
            "BF-000002": HOME,
            "BF-000003": HOME.model_copy(update={"city": "Petrer"}),
        }
    )
    assert [(c.pointer, "city" in c.detail) for c in conflicts] == [("#/order_numbers/2", True)]


def record(number: str, **changes: object) -> OrderRecord:
    fields: dict[str, Any] = {
        "order_number": number,
        "account_id": "acc_1",
        "status": OrderStatus.PENDING_PAYMENT,
        "pairs": 6,
        "shipping_address": HOME,
        "shipping_cost": RATES.quote("ES", 6).cost,
        "currency": "EUR",
        "contact_email": "a@b.example",
        **changes,
    }
    return OrderRecord(**fields)


def eligible(*records: OrderRecord, group_id: str | None = None) -> GroupQuote:
    by_number = {r.order_number: r for r in records}
    return eligible_quote(RATES, list(by_number), by_number, group_id)


def test_pending_orders_to_one_address_in_one_currency_form_a_group_that_saves() -> None:
    quote = eligible(record("BF-000001"), record("BF-000002"))
    assert quote.saving > 0
    assert sum(quote.allocations.values()) == quote.shipping_cost


def test_paid_or_grouped_orders_are_named_each() -> None:
    with pytest.raises(OrderNotGroupable) as refused:
        eligible(
            record("BF-000001", status=OrderStatus.WORK_IN_PROCESS),
            record("BF-000002", group_id="SG-OTHER"),
            record("BF-000003"),
        )
    assert [c.pointer for c in refused.value.conflicts] == [
        "#/order_numbers/0",
        "#/order_numbers/1",
    ]
    assert "SG-OTHER" in refused.value.conflicts[1].detail


def test_the_group_being_formed_may_hold_its_own_orders() -> None:
    eligible(record("BF-000001", group_id="SG-MINE"), record("BF-000002"), group_id="SG-MINE")


def test_another_address_or_currency_or_vat_rate_or_no_saving_is_refused() -> None:
    away = HOME.model_copy(update={"city": "Madrid"})
    with pytest.raises(InvalidGroup, match="one address"):
        eligible(record("BF-000001"), record("BF-000002", shipping_address=away))
    with pytest.raises(InvalidGroup, match="different currencies"):
        eligible(record("BF-000001"), record("BF-000002", currency="USD"))
    with pytest.raises(InvalidGroup, match="different VAT rates"):
        eligible(record("BF-000001", vat_rate_bp=2100), record("BF-000002", vat_rate_bp=0))
    with pytest.raises(InvalidGroup, match="saves nothing"):
        eligible(record("BF-000001", shipping_cost=0), record("BF-000002", shipping_cost=0))


def test_a_group_names_two_or_more_orders_once_each() -> None:
    with pytest.raises(InvalidGroup, match="two or more"):
        check_names(["BF-000001"])
    with pytest.raises(InvalidGroup, match="repeated: BF-000001"):
        check_names(["BF-000001", "BF-000002", "BF-000001"])
