from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bespoke_contracts import (
    Address,
    BillingInfo,
    Labeling,
    OrderCosts,
    OrderSpecification,
    OrderSubmitted,
    OrderSubmittedPayload,
    OrderType,
)
from bespoke_contracts.design import MaterialChoice
from bespoke_notifications.domain.emails import Email
from bespoke_notifications.service_layer.handlers import NotificationsDeps


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.failures_left = 0

    async def send(self, email: Email) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionRefusedError("SMTP server down")
        self.sent.append(email)


class FakeSentLog:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    async def was_sent(self, dedup_key: str) -> bool:
        return dedup_key in self.keys

    async def record(self, email: Email) -> None:
        self.keys.add(email.dedup_key)


@dataclass
class Fakes:
    mailer: FakeMailer = field(default_factory=FakeMailer)
    sent: FakeSentLog = field(default_factory=FakeSentLog)

    @property
    def deps(self) -> NotificationsDeps:
        return NotificationsDeps(self.mailer, self.sent)


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
    return OrderSubmitted(
        account_id="acc_1",
        correlation_id="req-1",
        payload=OrderSubmittedPayload(
            order_number="BF-000042",
            order_type=OrderType.MINI_BULK,
            design_id="des_oxford",
            design_version=3,
            bom_hash="sha256:feed",
            sizes={"42.5": 2, "40": 1, "44": 3},
            pairs=6,
            labeling=Labeling.CUSTOM_STAMPS,
            shipping_address=ship,
            billing=BillingInfo(
                name="Norte SL", email="ops@norte.example", address=bill, vat_id="ESB12345678"
            ),
            specification=OrderSpecification(
                design_name="Office oxford",
                style="oxford",
                construction="goodyear_welted",
                last="LC-101",
                sole_unit="leather_single",
                materials={"upper": MaterialChoice(material="box_calf", colour="black")},
                elements=[],
                bill_of_materials=[],
                catalog_version="2026.1",
            ),
            costs=OrderCosts(
                per_pair=20000,
                manufacturing=20000,
                shipping=1500,
                customization=0,
                total=21500,
                currency="EUR",
            ),
            created_at=datetime(2026, 3, 1, tzinfo=UTC),
        ),
    )
