from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bespoke_contracts import (
    Address,
    BillingInfo,
    Labeling,
    OrderSubmitted,
    OrderType,
    examples,
)
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
    event = examples.order_submitted(
        order_number="BF-000042",
        sizes={"42.5": 2, "40": 1, "44": 3},
        address=ship,
        billing=BillingInfo(
            name="Norte SL", email="ops@norte.example", address=bill, vat_id="ESB12345678"
        ),
        labeling=Labeling.CUSTOM_STAMPS,
        order_type=OrderType.MINI_BULK,
    )
    return event
