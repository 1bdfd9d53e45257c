"""Order-type bands and price breaks, at their edges."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bespoke_contracts.api.design import PriceLine
from bespoke_contracts.orders import OrderType
from bespoke_design.domain import pricing
from bespoke_design.domain.catalog import Catalog
from bespoke_design.domain.errors import InvalidEstimate

CATALOG_FILE = Path(pricing.__file__).parents[1] / "data" / "catalog.json"

BASE = 20_000  # EUR 200.00 per pair before breaks


def quote(
    catalog: Catalog,
    order_type: OrderType,
    pairs: int | None = None,
    sizes: dict[str, int] | None = None,
    last: str = "LC-101",
    construction: str = "cemented",
) -> Any:
    shoe_last, made = catalog.last(last), catalog.construction(construction)
    assert shoe_last is not None
    assert made is not None
    return pricing.quote(
        catalog=catalog,
        design_id="des_1",
        design_version=1,
        bom_hash="sha256:x",
        breakdown=[PriceLine(item="everything", amount=BASE)],
        last=shoe_last,
        construction=made,
        order_type=order_type,
        pairs=pairs,
        sizes=sizes,
    )


@pytest.mark.parametrize(
    ("order_type", "pairs", "adjustment_bp", "per_pair"),
    [
        (OrderType.MTO, 1, 2500, 25_000),
        (OrderType.MINI_BULK, 2, 0, 20_000),
        (OrderType.MINI_BULK, 11, 0, 20_000),
        (OrderType.MINI_BULK, 12, -500, 19_000),
        (OrderType.MINI_BULK, 23, -500, 19_000),
        (OrderType.MINI_BULK, 24, -800, 18_400),
        (OrderType.MINI_BULK, 36, -1000, 18_000),
        (OrderType.MINI_BULK, 59, -1000, 18_000),
        (OrderType.BULK, 60, -1500, 17_000),
        (OrderType.BULK, 119, -1500, 17_000),
        (OrderType.BULK, 120, -1800, 16_400),
        (OrderType.BULK, 300, -2200, 15_600),
        (OrderType.BULK, 600, -2500, 15_000),
        (OrderType.BULK, 5000, -2500, 15_000),
    ],
)
def test_price_breaks_apply_from_their_first_pair(
    catalog: Catalog, order_type: OrderType, pairs: int, adjustment_bp: int, per_pair: int
) -> None:
    estimate = quote(catalog, order_type, pairs)
    assert estimate.adjustment_bp == adjustment_bp
    assert estimate.per_pair == per_pair
    assert estimate.manufacturing == per_pair * pairs
    assert estimate.currency == "EUR"


@pytest.mark.parametrize(
    ("order_type", "pairs"),
    [
        (OrderType.MTO, 2),
        (OrderType.MINI_BULK, 1),
        (OrderType.MINI_BULK, 60),
        (OrderType.BULK, 59),
        (OrderType.BULK, 5001),
    ],
)
def test_pairs_outside_the_band_are_refused_with_the_right_type(
    catalog: Catalog, order_type: OrderType, pairs: int
) -> None:
    with pytest.raises(InvalidEstimate) as raised:
        quote(catalog, order_type, pairs)
    [conflict] = raised.value.conflicts
    assert conflict.pointer == "#/order_type"
    assert f"this one is {pairs}" in conflict.detail


def test_the_refusal_suggests_the_order_type_that_fits(catalog: Catalog) -> None:
    with pytest.raises(InvalidEstimate, match=r"order it as BULK"):
        quote(catalog, OrderType.MINI_BULK, 60)


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert pricing.apply_break(1_001, -500) == 951  # 950.95
    assert pricing.apply_break(1_010, -500) == 960  # 959.5 -> 960
    assert pricing.apply_break(999, 0) == 999


def test_sizes_must_exist_on_the_last(catalog: Catalog) -> None:
    estimate = quote(catalog, OrderType.MINI_BULK, sizes={"42": 2, "42.5": 3})
    assert estimate.pairs == 5
    with pytest.raises(InvalidEstimate) as raised:
        quote(catalog, OrderType.MINI_BULK, sizes={"42.5": 2, "49": 1, "37": 1}, last="LB-310")
    assert [c.pointer for c in raised.value.conflicts] == [
        "#/sizes/37",
        "#/sizes/42.5",
        "#/sizes/49",
    ]
    assert "half sizes are not made on this last" in raised.value.conflicts[1].detail
    assert "EU 38 to 48" in raised.value.conflicts[2].detail


def test_pairs_and_sizes_must_agree_and_one_is_needed(catalog: Catalog) -> None:
    with pytest.raises(InvalidEstimate, match="add up to 3"):
        quote(catalog, OrderType.MINI_BULK, pairs=4, sizes={"42": 3})
    with pytest.raises(InvalidEstimate, match="number of pairs"):
        quote(catalog, OrderType.MINI_BULK)


def test_a_last_lists_its_sizes(catalog: Catalog) -> None:
    half = catalog.last("LC-101")
    whole = catalog.last("LB-310")
    assert half is not None
    assert whole is not None
    assert half.sizes.sizes()[:3] == ["38", "38.5", "39"]
    assert half.sizes.sizes()[-1] == "47"
    assert "42.5" not in whole.sizes.sizes()


@pytest.mark.parametrize(
    ("order_type", "pairs", "construction", "days"),
    [
        (OrderType.MTO, 1, "cemented", 28),
        (OrderType.MTO, 1, "goodyear_welted", 38),
        (OrderType.BULK, 60, "cemented", 56),
        (OrderType.BULK, 60, "goodyear_welted", 66),
    ],
)
def test_the_lead_time_is_the_order_type_s_and_the_construction_s_extra_days(
    catalog: Catalog, order_type: OrderType, pairs: int, construction: str, days: int
) -> None:
    assert quote(catalog, order_type, pairs, construction=construction).lead_time_days == days


def test_the_quote_carries_the_catalog_s_cancellation_terms(catalog: Catalog) -> None:
    estimate = quote(catalog, OrderType.MINI_BULK, pairs=12)
    assert estimate.cancellation_fees == list(catalog.cancellation_fees)
    stages = [f.stage.value for f in catalog.cancellation_fees]
    assert stages[0] == "received", "cancelling before the floor has it is free"
    assert catalog.cancellation_fees[-1].share_bp == 10_000, "the full price at the end"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda fees: fees[1:], "start at `received`"),
        (lambda fees: [fees[1], fees[0], *fees[2:]], "in the floor's order"),
        (lambda fees: fees[:-1], "the full price"),
        (
            lambda fees: [fees[0], {**fees[1], "fixed": 1_000, "share_bp": 0}, *fees[2:]],
            "never costs less",
        ),
    ],
)
def test_cancellation_terms_that_break_the_factory_s_rules_are_refused(
    change: Any, problem: str
) -> None:
    data = json.loads(CATALOG_FILE.read_text())
    data["cancellation_fees"] = change(data["cancellation_fees"])
    with pytest.raises(ValidationError, match=re.escape(problem)):
        Catalog.model_validate(data)
