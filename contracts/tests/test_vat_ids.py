"""A VAT number is checked for its billing country's format and check digits at checkout
(no network lookup) and kept compact, with its EU prefix."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bespoke_contracts.api.orders import Billing
from bespoke_contracts.vat import InvalidVatId, line_vat, normalized_vat_id, vat_on_lines


@pytest.mark.parametrize(
    ("country", "given", "kept"),
    [
        ("DE", "DE136695976", "DE136695976"),
        ("DE", "de 136 695 976", "DE136695976"),
        ("DE", "136695976", "DE136695976"),  # the prefix is added
        ("PT", "PT501964843", "PT501964843"),
        ("ES", "ESA28017895", "ESA28017895"),
        ("FR", "FR40303265045", "FR40303265045"),
        ("GR", "EL094259216", "EL094259216"),  # Greece's prefix is EL
        ("GB", "GB980780684", "GB980780684"),  # outside the EU, still checked
        ("US", "12-3456789", "123456789"),  # no VAT numbers known for it: kept as given
    ],
)
def test_valid_numbers_are_kept_compact(country: str, given: str, kept: str) -> None:
    assert normalized_vat_id(country, given) == kept


@pytest.mark.parametrize(
    ("country", "given", "why"),
    [
        ("DE", "DE136695977", "check digits"),
        ("DE", "DE12345", "format"),
        ("PT", "PT501964844", "check digits"),
        ("FR", "DE136695976", "billing address is in FR"),
        ("GB", "GB123456789", "GB"),
        ("ES", "--", "letters or digits"),
    ],
)
def test_invalid_numbers_say_why(country: str, given: str, why: str) -> None:
    with pytest.raises(InvalidVatId, match=why):
        normalized_vat_id(country, given)


def billing(country: str, vat_id: str | None) -> dict[str, Any]:
    address = {"name": "A", "line1": "B 1", "city": "C", "postal_code": "1", "country": country}
    return {"name": "A", "email": "a@b.example", "address": address, "vat_id": vat_id}


def test_checkout_billing_refuses_an_invalid_number_at_its_field() -> None:
    with pytest.raises(ValidationError) as raised:
        Billing.model_validate(billing("DE", "DE136695977"))
    [error] = raised.value.errors()
    assert error["loc"] == ("vat_id",)
    assert "not a valid DE VAT number" in error["msg"]
    assert Billing.model_validate(billing("DE", "136695976")).vat_id == "DE136695976"
    assert Billing.model_validate(billing("DE", None)).vat_id is None


def test_line_vat_rounds_half_up_to_the_cent() -> None:
    assert line_vat(250, 2100) == 53  # 52.5
    assert line_vat(249, 2100) == 52  # 52.29
    assert line_vat(0, 2100) == 0
    assert line_vat(12_345, 0) == 0
    assert vat_on_lines([250, 250], 2100) == 106  # each line rounded, then added
