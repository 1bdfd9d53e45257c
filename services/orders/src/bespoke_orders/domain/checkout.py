"""Checkout's rules: what may be ordered, how a brand's pairs are labelled, what an order
costs. Pure: the handler fetches the design, quotes and the brand's choice and asks these
functions what follows."""

from __future__ import annotations

from dataclasses import dataclass

from bespoke_contracts import BillingInfo, Labeling, OrderCosts, OrderSpecification
from bespoke_contracts.api.design import DesignResponse, DesignStatus, Estimate
from bespoke_orders.domain.errors import (
    InvalidOrder,
    LabelingMismatch,
    LabelingRequired,
    PricingUnavailable,
    StaleBillOfMaterials,
)
from bespoke_orders.domain.model import Checkout
from bespoke_orders.domain.vat import vat_treatment

STAMP_DEVELOPMENT = Labeling.CUSTOM_STAMPS.value
"""The catalog's customization id of developing a brand's custom stamps (logo molds)."""


@dataclass(frozen=True)
class Money:
    """An amount in integer minor units of ``currency``."""

    amount: int
    currency: str


@dataclass(frozen=True)
class BrandLabel:
    """A brand's labeling choice, made on its first order."""

    account_id: str
    labeling: Labeling
    first_order_key: str
    """Idempotency-Key of the brand's first order (the one that pays stamp development)."""


def ensure_orderable(command: Checkout, design: DesignResponse) -> None:
    """The design version can be ordered as confirmed: not archived, and the bill of
    materials the brand confirmed is this version's."""
    if design.status is DesignStatus.ARCHIVED:
        raise InvalidOrder(f"design {design.id} is archived; clone it to order it")
    if design.bom_hash != command.bom_hash:
        raise StaleBillOfMaterials(
            f"the confirmed bill of materials ({command.bom_hash}) is not the one of design "
            f"{design.id} version {design.version} ({design.bom_hash}); confirm it again",
            bom_hash=design.bom_hash,
            bill_of_materials=[line.model_dump(mode="json") for line in design.bill_of_materials],
        )


def specification(design: DesignResponse) -> OrderSpecification:
    """What the factory needs to make the order, copied from the design version."""
    return OrderSpecification(
        design_name=design.name,
        style=design.style,
        construction=design.construction,
        last=design.shoe_last,
        sole_unit=design.sole_unit,
        materials=design.materials,
        elements=design.elements,
        bill_of_materials=design.bill_of_materials,
        catalog_version=design.catalog_version,
    )


def first_labeling(command: Checkout) -> Labeling:
    """The choice a brand's first order records; later orders reuse it."""
    if command.labeling is None:
        raise LabelingRequired(
            "this is your brand's first order: choose `labeling`: `unlabeled` (no marks) or "
            "`custom_stamps` (we develop metal stamps with your logo, a one-time cost)"
        )
    return command.labeling


def labeling_of(command: Checkout, label: BrandLabel) -> tuple[Labeling, bool]:
    """The order's labeling (the brand's choice, which later orders reuse) and whether the
    order develops the brand's stamps (its first order, with custom stamps)."""
    if command.labeling is not None and command.labeling is not label.labeling:
        raise LabelingMismatch(
            f"your brand chose `{label.labeling.value}` on its first order and later orders reuse "
            "it; leave `labeling` out or send the same value"
        )
    develops_stamps = (
        label.labeling is Labeling.CUSTOM_STAMPS
        and label.first_order_key == command.idempotency_key
    )
    return label.labeling, develops_stamps


def price(
    estimate: Estimate, shipping: Money, billing: BillingInfo, customization: Money | None = None
) -> OrderCosts:
    """The order's costs from the manufacturing quote, its own shipping and any one-time
    customization, with the VAT ``billing`` carries; every amount must be in the
    manufacturing quote's currency."""
    extra = customization or Money(0, estimate.currency)
    currencies = {estimate.currency, shipping.currency, extra.currency}
    if len(currencies) > 1:
        raise PricingUnavailable(
            f"the factory's price lists disagree (manufacturing in {estimate.currency}, "
            f"shipping in {shipping.currency}, customization in {extra.currency}), so this "
            "order cannot be priced; please contact the factory"
        )
    return OrderCosts.priced(
        per_pair=estimate.per_pair,
        pairs=estimate.pairs,
        shipping=shipping.amount,
        customization=extra.amount,
        currency=estimate.currency,
        vat=vat_treatment(billing.address.country, billing.vat_id),
    )
