"""Example events: documentation for consumers we did not write, and fixtures for tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bespoke_contracts.design import BomLine, MaterialChoice
from bespoke_contracts.orders import (
    Address,
    BillingInfo,
    Labeling,
    OrderCosts,
    OrderSpecification,
    OrderSubmitted,
    OrderSubmittedPayload,
    OrderType,
)
from bespoke_contracts.vat import NO_VAT, VatTreatment

ADDRESS = Address(
    name="Atelier Norte", line1="Calle Mayor 1", city="Elda", postal_code="03600", country="ES"
)
BILLING = BillingInfo(name="Atelier Norte SL", email="ops@norte.example", address=ADDRESS)
SPECIFICATION = OrderSpecification(
    design_name="Office oxford",
    style="oxford",
    construction="goodyear_welted",
    last="LC-101",
    sole_unit="leather_single",
    materials={"upper": MaterialChoice(material="box_calf", colour="black")},
    elements=[],
    bill_of_materials=[
        BomLine(component="Upper", material="Box calf", colour="black", quantity=3.2, unit="sq ft")
    ],
    catalog_version="2026.1",
)


def costs(
    per_pair: int = 20_000,
    pairs: int = 1,
    shipping: int = 1_500,
    customization: int = 0,
    vat: VatTreatment = NO_VAT,
) -> OrderCosts:
    """A consistent cost breakdown (no VAT unless ``vat`` says)."""
    return OrderCosts.priced(
        per_pair=per_pair,
        pairs=pairs,
        shipping=shipping,
        customization=customization,
        currency="EUR",
        vat=vat,
    )


def order_submitted(
    order_number: str = "BF-000001",
    sizes: dict[str, int] | None = None,
    address: Address = ADDRESS,
    billing: BillingInfo = BILLING,
    labeling: Labeling = Labeling.UNLABELED,
    order_type: OrderType = OrderType.MTO,
    vat: VatTreatment = NO_VAT,
    customization: int = 0,
) -> OrderSubmitted:
    """A complete `order.submitted` event."""
    sizes = sizes or {"42": 1}
    pairs = sum(sizes.values())
    return OrderSubmitted(
        account_id="acc_1",
        correlation_id="req-1",
        payload=OrderSubmittedPayload(
            order_number=order_number,
            order_type=order_type,
            design_id="des_1",
            design_version=1,
            bom_hash="sha256:abc",
            sizes=sizes,
            pairs=pairs,
            labeling=labeling,
            shipping_address=address,
            billing=billing,
            specification=SPECIFICATION,
            costs=costs(pairs=pairs, vat=vat, customization=customization),
            created_at=datetime(2026, 1, 2, tzinfo=UTC),
        ),
    )
