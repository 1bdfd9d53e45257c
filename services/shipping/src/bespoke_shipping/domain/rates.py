"""Shipping rates: a base cost per shipment plus a per-pair cost that falls as the pairs
in one shipment rise, by destination zone. Data, not code (``data/rates.json``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PerPairTier(_Frozen):
    min_pairs: int = Field(ge=1)
    amount: int = Field(ge=0, description="Per pair, minor units.")


class Zone(_Frozen):
    id: str
    name: str
    countries: tuple[str, ...] = Field(description="ISO alpha-2 codes; `*` is every other.")
    base: int = Field(ge=0, description="Per shipment, minor units.")
    per_pair: tuple[PerPairTier, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _tiers_fall(self) -> Zone:
        mins = [t.min_pairs for t in self.per_pair]
        amounts = [t.amount for t in self.per_pair]
        if mins[0] != 1 or mins != sorted(set(mins)):
            raise ValueError(f"zone {self.id}: tiers must start at 1 pair and ascend")
        if amounts != sorted(amounts, reverse=True):
            raise ValueError(f"zone {self.id}: the per-pair cost must not rise with more pairs")
        return self

    def per_pair_amount(self, pairs: int) -> int:
        return [t for t in self.per_pair if t.min_pairs <= pairs][-1].amount


class ShippingQuote(_Frozen):
    zone: str
    pairs: int
    base: int
    per_pair: int
    cost: int = Field(description="`base + per_pair * pairs`, minor units.")
    currency: str


class RateCard(_Frozen):
    version: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    zones: tuple[Zone, ...]

    @model_validator(mode="after")
    def _one_fallback(self) -> RateCard:
        if sum("*" in z.countries for z in self.zones) != 1:
            raise ValueError("exactly one zone must be the fallback (`*`)")
        return self

    def zone_for(self, country: str) -> Zone:
        for zone in self.zones:
            if country.upper() in zone.countries:
                return zone
        return next(z for z in self.zones if "*" in z.countries)

    def quote(self, country: str, pairs: int) -> ShippingQuote:
        """What one shipment of ``pairs`` pairs to ``country`` costs."""
        if pairs < 1:
            raise ValueError("a shipment has at least one pair")
        zone = self.zone_for(country)
        per_pair = zone.per_pair_amount(pairs)
        return ShippingQuote(
            zone=zone.id,
            pairs=pairs,
            base=zone.base,
            per_pair=per_pair,
            cost=zone.base + per_pair * pairs,
            currency=self.currency,
        )
