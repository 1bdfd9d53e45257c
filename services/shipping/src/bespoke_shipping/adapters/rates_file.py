"""The rate card shipped inside the service."""

from __future__ import annotations

from importlib import resources

from bespoke_shipping.domain.rates import RateCard


def load_rates(name: str = "rates.json") -> RateCard:
    return RateCard.model_validate_json(
        resources.files("bespoke_shipping.data").joinpath(name).read_text()
    )
