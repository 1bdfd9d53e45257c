"""Quotes: the manufacturing price of an order of one design version.

Order types (MTO, MINI-BULK, BULK) have pair-count bands and price breaks; both are
catalog data, not code.
"""

from __future__ import annotations

from bespoke_contracts.api.design import Estimate, PriceLine
from bespoke_contracts.orders import OrderType
from bespoke_design.domain.catalog import Catalog, Construction, ShoeLast
from bespoke_design.domain.errors import Conflict, InvalidEstimate


def apply_break(base_per_pair: int, adjustment_bp: int) -> int:
    """``base`` changed by ``adjustment_bp`` basis points, rounded half up to a minor unit."""
    numerator = base_per_pair * (10_000 + adjustment_bp)
    return (numerator + 5_000) // 10_000


def check_sizes(sizes: dict[str, int], last: ShoeLast) -> list[Conflict]:
    """Sizes the last cannot be made in."""
    offered = last.sizes.sizes()
    found = []
    for size in sorted(sizes, key=float):
        if size not in offered:
            why = (
                "half sizes are not made on this last"
                if size.endswith(".5") and last.sizes.min <= float(size) <= last.sizes.max
                else f"it is made in EU {last.sizes.min} to {last.sizes.max}"
            )
            found.append(
                Conflict(
                    f"#/sizes/{size}", f"size {size} is not available on last {last.id} ({why})"
                )
            )
    return found


def quote(
    *,
    catalog: Catalog,
    design_id: str,
    design_version: int,
    bom_hash: str,
    breakdown: list[PriceLine],
    last: ShoeLast,
    construction: Construction,
    order_type: OrderType,
    pairs: int | None,
    sizes: dict[str, int] | None,
) -> Estimate:
    """Price ``pairs`` (or the size run ``sizes``) of a design version as ``order_type``."""
    found: list[Conflict] = []
    if sizes is not None:
        found += check_sizes(sizes, last)
        total = sum(sizes.values())
        if pairs is not None and pairs != total:
            found.append(Conflict("#/pairs", f"pairs is {pairs} but the sizes add up to {total}"))
        pairs = total
    if pairs is None:
        raise InvalidEstimate(
            [Conflict("#/pairs", "give the size run (sizes) or the number of pairs")]
        )
    band = catalog.order_type(order_type.value)
    if band is None:
        raise InvalidEstimate(
            [Conflict("#/order_type", f"order type {order_type.value} is not offered")]
        )
    if not band.min_pairs <= pairs <= band.max_pairs:
        found.append(
            Conflict(
                "#/order_type",
                f"{band.name} orders are {band.min_pairs} to {band.max_pairs} pairs; this one is {pairs}"
                + _suggestion(catalog, pairs),
            )
        )
    if found:
        raise InvalidEstimate(found)
    price_break = band.price_break(pairs)
    base = sum(line.amount for line in breakdown)
    per_pair = apply_break(base, price_break.adjustment_bp)
    return Estimate(
        design_id=design_id,
        design_version=design_version,
        bom_hash=bom_hash,
        order_type=order_type,
        pairs=pairs,
        base_per_pair=base,
        adjustment_bp=price_break.adjustment_bp,
        per_pair=per_pair,
        manufacturing=per_pair * pairs,
        currency=catalog.currency,
        breakdown=breakdown,
        lead_time_days=band.lead_time_days + construction.extra_lead_days,
        cancellation_fees=list(catalog.cancellation_fees),
    )


def _suggestion(catalog: Catalog, pairs: int) -> str:
    fitting = [b.name for b in catalog.order_types if b.min_pairs <= pairs <= b.max_pairs]
    return f" (order it as {fitting[0]})" if fitting else ""
