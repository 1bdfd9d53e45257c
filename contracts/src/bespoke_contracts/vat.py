"""VAT arithmetic and VAT numbers, shared by every service that prices or invoices.

Which rate applies to a buyer is the orders service's rule
(``bespoke_orders.domain.vat``); here are only the parts every service must compute the
same way: the VAT of an amount at a rate (per line, rounded half up to the minor unit,
so an invoice's lines always add up to its total) and whether a VAT number is valid for
its country (format and check digits, by ``python-stdnum``; no network lookup).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

BASIS_POINTS: Final = 10_000
"""``vat_rate_bp`` is in basis points: 2100 = 21 %."""

EU_VAT_PREFIX: Final = {"GR": "EL"}
"""Where an EU VAT number's prefix is not the ISO country code (Greece: ``EL``)."""


@dataclass(frozen=True)
class VatTreatment:
    """The VAT rate a sale carries and the wording its invoice states."""

    rate_bp: int
    note: str


NO_VAT: Final = VatTreatment(rate_bp=0, note="")
"""No VAT charged (and nothing said of it)."""


def share_bp(amount: int, bp: int) -> int:
    """``bp`` basis points of ``amount`` minor units (≥ 0), rounded half up."""
    return (amount * bp + BASIS_POINTS // 2) // BASIS_POINTS


def line_vat(amount: int, rate_bp: int) -> int:
    """VAT on one line of ``amount`` minor units, rounded half up to the minor unit."""
    return share_bp(amount, rate_bp)


def vat_on_lines(lines: Iterable[int], rate_bp: int) -> int:
    """VAT on an invoice's lines: each line rounded on its own, then added."""
    return sum(line_vat(amount, rate_bp) for amount in lines)


class InvalidVatId(ValueError):
    """A VAT number that is not valid for its country."""


def normalized_vat_id(country: str, vat_id: str) -> str:
    """``vat_id`` in its compact form, with its EU country prefix (``DE136695976``), if it
    is valid for ``country``; else :class:`InvalidVatId` saying why. A country whose VAT
    numbers ``python-stdnum`` does not know is taken as given (compacted)."""
    country = country.upper()
    compact = "".join(ch for ch in vat_id.upper() if ch.isalnum())
    if not compact:
        raise InvalidVatId("a VAT number has letters or digits; leave it out if you have none")
    if country.lower() in eu_vat.MEMBER_STATES or country in EU_VAT_PREFIX:
        prefix = EU_VAT_PREFIX.get(country, country)
        if compact[:2].isalpha() and compact[:2] != prefix:
            raise InvalidVatId(
                f"{vat_id!r} is a VAT number of {compact[:2]}, but the billing address is in "
                f"{country} (its VAT numbers start with {prefix})"
            )
        number = compact if compact.startswith(prefix) else prefix + compact
        if not eu_vat.is_valid(number):
            raise InvalidVatId(
                f"{vat_id!r} is not a valid {country} VAT number (its format or check digits "
                "are wrong): check it against your VAT registration, or leave it out"
            )
        return number
    module = get_cc_module(country.lower(), "vat")
    if module is not None:
        try:
            module.validate(vat_id)
        except ValidationError as error:
            raise InvalidVatId(f"{vat_id!r} is not a valid {country} VAT number: {error}") from None
    return compact
