"""Which VAT a sale carries: the factory bills from Spain.

- billed to Spain: Spanish VAT, 21 %;
- to another EU member state with a VAT number (valid: checked at checkout): 0 %, the
  buyer accounts for it (reverse charge);
- to another EU member state without one: Spanish VAT, 21 %;
- outside the EU: 0 %, an export.

Pure: the billing country and whether a VAT number was given decide; nothing is looked
up over the network at checkout.
"""

from __future__ import annotations

from typing import Final

from bespoke_contracts.vat import VatTreatment

SELLER_COUNTRY: Final = "ES"
SPANISH_RATE_BP: Final = 2100

EU_MEMBER_STATES: Final = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
"""The 27 member states, by ISO 3166-1 alpha-2 code (Greece is `GR`; its VAT numbers
start with `EL`)."""

SPANISH_VAT: Final = VatTreatment(SPANISH_RATE_BP, "Spanish VAT (IVA) 21 %")
SPANISH_VAT_NO_NUMBER: Final = VatTreatment(
    SPANISH_RATE_BP, "Spanish VAT (IVA) 21 %: no EU VAT number was given"
)
REVERSE_CHARGE: Final = VatTreatment(
    0,
    "Reverse charge: intra-Community supply exempt from Spanish VAT (Article 138, "
    "Directive 2006/112/EC); VAT is due from the customer (Article 196).",
)
EXPORT: Final = VatTreatment(
    0, "Export outside the EU: exempt from Spanish VAT (Article 146, Directive 2006/112/EC)."
)


def vat_treatment(billing_country: str, vat_id: str | None) -> VatTreatment:
    """The VAT rate and invoice wording for a buyer billed in ``billing_country`` who gave
    ``vat_id`` (already checked valid for that country) or none."""
    country = billing_country.upper()
    if country == SELLER_COUNTRY:
        return SPANISH_VAT
    if country in EU_MEMBER_STATES:
        return REVERSE_CHARGE if vat_id else SPANISH_VAT_NO_NUMBER
    return EXPORT
