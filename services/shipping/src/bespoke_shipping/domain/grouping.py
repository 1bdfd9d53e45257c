"""Group Shipping's rules and arithmetic: which orders may ship together, one shipment's
cost for them, split back to each.

Pure functions, no I/O. Money is integer minor units.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bespoke_contracts import Address, OrderStatus
from bespoke_shipping.domain.errors import Conflict, InvalidGroup, OrderNotGroupable
from bespoke_shipping.domain.rates import RateCard

if TYPE_CHECKING:  # the model imports this module for GroupQuote
    from bespoke_shipping.domain.model import OrderRecord

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


def check_names(order_numbers: Sequence[str]) -> None:
    """Two or more orders, each named once (422)."""
    repeated = sorted({n for n in order_numbers if order_numbers.count(n) > 1})
    if repeated:
        raise InvalidGroup(
            f"each order can be named once; repeated: {', '.join(repeated)}",
            [
                Conflict(f"#/order_numbers/{order_numbers.index(n)}", f"{n} repeated")
                for n in repeated
            ],
        )
    if len(order_numbers) < 2:
        raise InvalidGroup("a shipping group needs two or more orders")


def eligible_quote(
    rates: RateCard,
    order_numbers: Sequence[str],
    records: Mapping[str, OrderRecord],
    group_id: str | None,
) -> GroupQuote:
    """Every rule a shipping group must meet, then what it costs and saves.

    ``records`` holds the brand's named orders as shipping knows them; ``group_id`` is the
    group being formed (its own claims do not count against it). Each order must be
    pending payment and in no other group (``OrderNotGroupable``, 409, naming each); the
    orders must ship to one address, be priced in one currency at one VAT rate (one
    invoice), and save something by shipping together (``InvalidGroup``, 422).
    """
    conflicts = []
    for index, number in enumerate(order_numbers):
        record = records[number]
        if record.status is not OrderStatus.PENDING_PAYMENT:
            conflicts.append(
                Conflict(
                    f"#/order_numbers/{index}",
                    f"{number} is {record.status.value}; only orders pending payment can be grouped",
                )
            )
        elif record.group_id not in (None, group_id):
            conflicts.append(
                Conflict(
                    f"#/order_numbers/{index}",
                    f"{number} is already in shipping group {record.group_id}; dissolve that "
                    "group first",
                )
            )
    if conflicts:
        raise OrderNotGroupable("; ".join(c.detail for c in conflicts), conflicts)
    addresses = address_conflicts({n: records[n].shipping_address for n in order_numbers})
    if addresses:
        raise InvalidGroup(
            "a group ships to one address: edit the orders so they ship to the same address "
            "(PATCH /api/v1/orders/{order_number}) or group other orders",
            addresses,
        )
    currencies = {records[n].currency for n in order_numbers}
    if len(currencies) > 1:
        raise InvalidGroup(f"the orders are priced in different currencies: {sorted(currencies)}")
    rates_bp = {records[n].vat_rate_bp for n in order_numbers}
    if len(rates_bp) > 1:
        raise InvalidGroup(
            "the orders are billed at different VAT rates (their billing countries or VAT "
            "numbers differ), and one invoice carries one: edit their billing to match or "
            "group other orders"
        )
    quote = quote_group(
        rates,
        records[order_numbers[0]].shipping_address.country,
        {n: records[n].pairs for n in order_numbers},
        {n: records[n].shipping_cost for n in order_numbers},
    )
    if quote.saving <= 0:
        raise InvalidGroup(
            f"shipping these orders together ({quote.shipping_cost}) saves nothing over "
            f"shipping them one by one ({quote.individual_shipping_cost})"
        )
    return quote
