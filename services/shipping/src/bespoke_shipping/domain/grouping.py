"""Group Shipping arithmetic: one shipment's cost for several orders, split back to each.

Pure functions, no I/O. Money is integer minor units.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bespoke_contracts import Address
from bespoke_shipping.domain.errors import Conflict
from bespoke_shipping.domain.rates import RateCard

_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "country", "state")


def allocate(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` (pairs), in whole minor units that sum
    to ``total`` exactly: each gets the floor of its share, and the units left over go one
    each to the largest remainders (ties: in key order, so the split is deterministic)."""
    if total < 0:
        raise ValueError("cannot allocate a negative amount")
    if not weights or any(w < 1 for w in weights.values()):
        raise ValueError("every share needs a positive weight")
    whole = sum(weights.values())
    floors = {key: total * weight // whole for key, weight in weights.items()}
    left = total - sum(floors.values())
    by_remainder = sorted(weights, key=lambda key: (-(total * weights[key] % whole), key))
    for key in by_remainder[:left]:
        floors[key] += 1
    return floors


@dataclass(frozen=True)
class GroupQuote:
    pairs: int
    shipping_cost: int
    individual_shipping_cost: int
    saving: int
    allocations: dict[str, int]
    currency: str


def quote_group(
    rates: RateCard, country: str, pairs: Mapping[str, int], individual: Mapping[str, int]
) -> GroupQuote:
    """The cost of shipping the orders (``pairs`` by order number) to ``country`` as one
    shipment, beside what they cost shipped one by one (``individual``, as each order was
    priced)."""
    total_pairs = sum(pairs.values())
    group = rates.quote(country, total_pairs)
    individual_total = sum(individual[number] for number in pairs)
    return GroupQuote(
        pairs=total_pairs,
        shipping_cost=group.cost,
        individual_shipping_cost=individual_total,
        saving=individual_total - group.cost,
        allocations=allocate(group.cost, pairs),
        currency=rates.currency,
    )


def _normal(value: str | None) -> str:
    text = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(text.replace(",", " ").split())


def same_place(a: Address, b: Address) -> bool:
    """One shipment can carry both: the same recipient at the same address (case, spacing
    and commas aside). Phone numbers may differ."""
    return all(_normal(getattr(a, f)) == _normal(getattr(b, f)) for f in _ADDRESS_FIELDS)


def address_conflicts(addresses: Mapping[str, Address]) -> list[Conflict]:
    """Orders whose shipping address differs from the first order's, field by field."""
    numbers = list(addresses)
    first = addresses[numbers[0]]
    conflicts = []
    for index, number in enumerate(numbers[1:], start=1):
        other = addresses[number]
        for name in _ADDRESS_FIELDS:
            if _normal(getattr(first, name)) != _normal(getattr(other, name)):
                conflicts.append(
                    Conflict(
                        f"#/order_numbers/{index}",
                        f"{number} ships to {name} {getattr(other, name)!r}, "
                        f"{numbers[0]} to {getattr(first, name)!r}",
                    )
                )
    return conflicts
