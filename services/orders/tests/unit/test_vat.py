"""Which VAT a sale carries, country by country: the factory bills from Spain."""

from __future__ import annotations

import pytest

from bespoke_contracts import OrderCosts
from bespoke_orders.domain.vat import (
    EU_MEMBER_STATES,
    EXPORT,
    REVERSE_CHARGE,
    SPANISH_VAT,
    SPANISH_VAT_NO_NUMBER,
    vat_treatment,
)

EU_BUT_SPAIN = sorted(EU_MEMBER_STATES - {"ES"})


def test_the_table_holds_the_27_member_states() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert {"GR", "HR", "CY", "MT"} <= EU_MEMBER_STATES
    assert not {"GB", "CH", "NO", "EL", "XI"} & EU_MEMBER_STATES


@pytest.mark.parametrize("vat_id", [None, "ESA28017895"])
def test_billed_in_spain_pays_spanish_vat_with_or_without_a_number(vat_id: str | None) -> None:
    assert vat_treatment("ES", vat_id) == SPANISH_VAT
    assert SPANISH_VAT.rate_bp == 2100


@pytest.mark.parametrize("country", EU_BUT_SPAIN)
def test_another_member_state_with_a_vat_number_is_reverse_charged(country: str) -> None:
    treatment = vat_treatment(country, f"{country}123")
    assert treatment == REVERSE_CHARGE
    assert treatment.rate_bp == 0
    assert "Reverse charge" in treatment.note


@pytest.mark.parametrize("country", EU_BUT_SPAIN)
def test_another_member_state_without_a_vat_number_pays_spanish_vat(country: str) -> None:
    assert vat_treatment(country, None) == SPANISH_VAT_NO_NUMBER
    assert vat_treatment(country, "") == SPANISH_VAT_NO_NUMBER
    assert SPANISH_VAT_NO_NUMBER.rate_bp == 2100


@pytest.mark.parametrize("country", ["US", "GB", "CH", "NO", "JP", "AU", "CA", "TR"])
@pytest.mark.parametrize("vat_id", [None, "GB980780684"])
def test_outside_the_eu_is_an_export(country: str, vat_id: str | None) -> None:
    assert vat_treatment(country, vat_id) == EXPORT
    assert EXPORT.rate_bp == 0
    assert "Export" in EXPORT.note


def test_vat_is_added_per_line_rounded_half_up_and_the_lines_add_up() -> None:
    costs = OrderCosts.priced(
        per_pair=12_345,
        pairs=3,
        shipping=1_499,
        customization=2_50,
        currency="EUR",
        vat=SPANISH_VAT,
    )
    # 37 035 x 21 % = 7 777.35 -> 7 777; 1 499 -> 314.79 -> 315; 250 -> 52.5 -> 53
    assert costs.subtotal == 37_035 + 1_499 + 250
    assert costs.vat == 7_777 + 315 + 53
    assert costs.total == costs.subtotal + costs.vat
    assert costs.vat_note == SPANISH_VAT.note
    untaxed = OrderCosts.priced(
        per_pair=12_345, pairs=3, shipping=1_499, customization=250, currency="EUR", vat=EXPORT
    )
    assert (untaxed.vat, untaxed.total) == (0, untaxed.subtotal)


def test_costs_stored_before_vat_read_as_net_with_no_vat() -> None:
    stored = {
        "per_pair": 100,
        "manufacturing": 200,
        "shipping": 50,
        "customization": 0,
        "total": 250,
        "currency": "EUR",
    }
    costs = OrderCosts.model_validate(stored)
    assert (costs.subtotal, costs.vat, costs.vat_rate_bp, costs.total) == (250, 0, 0, 250)
