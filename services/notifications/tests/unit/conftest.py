"""In-memory stand-ins for SMTP and the send log (unit tests only)."""

from __future__ import annotations

import pytest

from bespoke_contracts import (
    Address,
    BillingInfo,
    Labeling,
    OrderSubmitted,
    OrderType,
    examples,
)
from bespoke_contracts.vat import VatTreatment

from .fakes import Fakes


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def order_submitted() -> OrderSubmitted:
    ship = Address(
        name="Atelier Norte",
        line1="Calle Mayor 1",
        line2="Nave 3",
        city="Elda",
        postal_code="03600",
        country="ES",
        phone="+34 600 000 000",
    )
    bill = Address(
        name="Norte SL", line1="Gran Via 2", city="Madrid", postal_code="28013", country="ES"
    )
    event = examples.order_submitted(
        order_number="BF-000042",
        sizes={"42.5": 2, "40": 1, "44": 3},
        address=ship,
        billing=BillingInfo(
            name="Norte <SL>", email="ops@norte.example", address=bill, vat_id="ESB12345678"
        ),
        labeling=Labeling.CUSTOM_STAMPS,
        order_type=OrderType.MINI_BULK,
        vat=VatTreatment(2100, "Spanish VAT (IVA) 21 %"),
    )
    return event
