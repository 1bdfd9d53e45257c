"""Invoices, payments and webhooks through the real handlers, with fakes for the store and
Stripe's API; webhook signatures are checked by the real Stripe SDK."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bespoke_contracts import (
    OrderRevised,
    OrderRevisedPayload,
    PaymentCleared,
    PaymentClearedPayload,
    RefundStatus,
    ShipmentGrouped,
    ShipmentGroupedPayload,
    ShipmentUngrouped,
    ShipmentUngroupedPayload,
    examples,
)
from bespoke_gateway.ui.simulation import sign, succeeded_event
from bespoke_payments.adapters.stripe_gateway import StripeWebhookVerifier
from bespoke_payments.domain.errors import (
    InvalidWebhook,
    InvoiceNotFound,
    InvoiceNotPayable,
    PaymentProviderUnavailable,
)
from bespoke_payments.domain.invoicing import IssuedInvoice, Party, format_number
from bespoke_payments.domain.model import Invoice, InvoiceStatus
from bespoke_payments.service_layer import handlers
from bespoke_payments.service_layer.ports import (
    Clock,
    InvoiceRepository,
    IssuedInvoiceRepository,
    MadeRefund,
    PaymentProvider,
    ProcessedWebhooks,
    StartedPayment,
)
from bespoke_payments.settings import PaymentsSettings
from bespoke_platform.messaging import PoisonMessage

SECRET = "whsec_test_only"


class FakeInvoices(InvoiceRepository):
    """Bills as the real store keeps them: each read a copy, each save guarded by the
    revision it was read at."""

    def __init__(self) -> None:
        self.stored: dict[str, Invoice] = {}
        self.published: list[Any] = []
        self.reads = 0

    async def add(self, invoice: Invoice) -> bool:
        if invoice.id in self.stored:
            return False
        self.stored[invoice.id] = copy.deepcopy(invoice)
        return True

    async def get(self, invoice_id: str) -> Invoice | None:
        self.reads += 1
        return copy.deepcopy(self.stored.get(invoice_id))

    async def save(self, invoice: Invoice) -> None:
        if self.stored[invoice.id].revision != invoice.revision:
            raise handlers.ConcurrentChange(invoice.id)
        self.published += invoice.events
        invoice.events.clear()
        invoice.revision += 1
        self.stored[invoice.id] = copy.deepcopy(invoice)

    async def owing_refunds(self, limit: int) -> list[str]:
        return [i.id for i in self.stored.values() if i.refunds_owed][:limit]


class FakeStripe(PaymentProvider):
    def __init__(self) -> None:
        self.intents: dict[str, StartedPayment] = {}
        self.refunds: dict[str, tuple[str, int, MadeRefund]] = {}
        """Idempotency key -> (PaymentIntent, amount, refund)."""
        self.down = False

    async def refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: dict[str, str]
    ) -> MadeRefund:
        if self.down:
            raise PaymentProviderUnavailable("Stripe did not answer")
        made = MadeRefund(f"re_{len(self.refunds) + 1}", RefundStatus.PENDING)
        return self.refunds.setdefault(idempotency_key, (payment_intent_id, amount, made))[2]

    async def create_payment_intent(
        self, *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str]
    ) -> StartedPayment:
        # Stripe returns the first result for a repeated idempotency key.
        return self.intents.setdefault(
            idempotency_key,
            StartedPayment(f"pi_{len(self.intents) + 1}", f"secret_{len(self.intents) + 1}"),
        )


class FakeProcessed(ProcessedWebhooks):
    def __init__(self) -> None:
        self.events: dict[str, str] = {}

    async def seen(self, event_id: str) -> bool:
        return event_id in self.events

    async def record(self, event_id: str, event_type: str, outcome: str) -> None:
        self.events[event_id] = outcome


class FakeClock(Clock):
    def now(self) -> datetime:
        return datetime(2026, 5, 1, tzinfo=UTC)


class FakeIssued(IssuedInvoiceRepository):
    """Numbers as the real one does: the next of the year, once per source."""

    def __init__(self) -> None:
        self.stored: dict[str, IssuedInvoice] = {}

    async def issue(self, issued: IssuedInvoice) -> IssuedInvoice:
        for existing in self.stored.values():
            if existing.source == issued.source:
                return existing
        year = issued.issued_at.year
        taken = [n for n in self.stored if n.startswith(f"{issued.prefix}-{year}-")]
        issued.number = format_number(issued.prefix, year, len(taken) + 1)
        self.stored[issued.number] = issued
        return issued

    async def get(self, account_id: str | None, number: str) -> IssuedInvoice | None:
        found = self.stored.get(number)
        return found if found and account_id in (None, found.account_id) else None

    async def find(
        self, account_id: str, order_number: str | None, before: str | None, limit: int
    ) -> list[IssuedInvoice]:
        mine = [
            i
            for n, i in sorted(self.stored.items(), reverse=True)
            if i.account_id == account_id
            and (order_number is None or order_number in i.order_numbers)
            and (before is None or n < before)
        ]
        return mine[:limit]


SELLER = Party("Factory S.L.", ("Calle 1", "03600 Elda", "Spain"), "ES", "ESB12345674")


@dataclass
class Fakes:
    invoices: FakeInvoices = field(default_factory=FakeInvoices)
    stripe: FakeStripe = field(default_factory=FakeStripe)
    processed: FakeProcessed = field(default_factory=FakeProcessed)
    issued: FakeIssued = field(default_factory=FakeIssued)
    live: bool = False

    @property
    def deps(self) -> handlers.PaymentsDeps:
        return handlers.PaymentsDeps(
            self.invoices,
            self.stripe,
            StripeWebhookVerifier(SECRET),
            self.processed,
            FakeClock(),
            self.issued,
            SELLER,
            live=self.live,
        )


@pytest.fixture
async def fakes() -> Fakes:
    f = Fakes()
    await handlers.on_order_submitted(
        examples.order_submitted("BF-000007", sizes={"42": 2}), f.deps
    )
    return f


def webhook(
    invoice: Invoice,
    amount: int | None = None,
    timestamp: int | None = None,
    secret: str = SECRET,
    part: str = "full",
) -> tuple[bytes, str, dict[str, Any]]:
    assert invoice.payment is not None
    event = succeeded_event(
        {
            "payment_intent_id": invoice.payment.payment_intent_id,
            "total": invoice.total,
            "currency": invoice.currency,
            "invoice_id": invoice.id,
            "version": invoice.version,
            "target": invoice.target,
            "payment_part": part,
        },
        amount,
    )
    payload = json.dumps(event).encode()
    return payload, sign(payload, secret, timestamp), event


def revised_event(order_number: str, pairs: int) -> OrderRevised:
    """The order was edited to ``pairs`` pairs (new costs)."""
    return OrderRevised(
        account_id="acc_1",
        correlation_id="r",
        payload=OrderRevisedPayload(
            order_number=order_number,
            version=2,
            sizes={"42": pairs},
            pairs=pairs,
            shipping_address=examples.ADDRESS,
            billing=examples.BILLING,
            costs=examples.costs(pairs=pairs),
            revised_at=datetime(2026, 5, 2, tzinfo=UTC),
        ),
    )


def grouped_event(group_id: str, order_numbers: list[str]) -> ShipmentGrouped:
    return ShipmentGrouped(
        account_id="acc_1",
        correlation_id="g",
        payload=ShipmentGroupedPayload(
            group_id=group_id,
            order_numbers=order_numbers,
            pairs=3,
            shipping_cost=2_000,
            individual_shipping_cost=3_000,
            saving=1_000,
            allocations={n: 2_000 // len(order_numbers) for n in order_numbers},
            currency="EUR",
            contact_email="ops@norte.example",
            grouped_at=datetime(2026, 5, 2, tzinfo=UTC),
        ),
    )


def dissolved_event(group_id: str, order_numbers: list[str]) -> ShipmentUngrouped:
    return ShipmentUngrouped(
        account_id="acc_1",
        correlation_id="u",
        payload=ShipmentUngroupedPayload(
            group_id=group_id,
            order_numbers=order_numbers,
            dissolved_at=datetime(2026, 5, 3, tzinfo=UTC),
        ),
    )


async def test_an_invoice_opens_once_per_order_with_the_order_s_costs(fakes: Fakes) -> None:
    again = await handlers.on_order_submitted(
        examples.order_submitted("BF-000007", sizes={"42": 2}), fakes.deps
    )
    assert not again
    invoice = await handlers.pay_page("acc_1", "BF-000007", fakes.deps)
    assert (invoice.manufacturing, invoice.shipping, invoice.customization) == (40_000, 1_500, 0)
    assert invoice.total == 41_500
    with pytest.raises(InvoiceNotFound):
        await handlers.pay_page("acc_other", "BF-000007", fakes.deps)


async def test_paying_twice_creates_one_payment_intent(fakes: Fakes) -> None:
    first = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    second = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    assert first.payment == second.payment
    assert len(fakes.stripe.intents) == 1
    assert list(fakes.stripe.intents) == ["inv_BF-000007:v1"]


async def test_a_signed_success_clears_the_invoice_once(fakes: Fakes) -> None:
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(invoice)

    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "cleared"
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "duplicate"

    stored = fakes.invoices.stored["inv_BF-000007"]
    assert stored.status is InvoiceStatus.PAID
    [cleared] = fakes.invoices.published
    assert isinstance(cleared, PaymentCleared)
    assert cleared.payload.order_numbers == ["BF-000007"]
    assert cleared.payload.amount == 41_500
    with pytest.raises(InvoiceNotPayable):
        await handlers.start_payment("acc_1", "BF-000007", fakes.deps)


async def test_a_second_success_event_for_a_paid_invoice_publishes_nothing(fakes: Fakes) -> None:
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    for _ in range(2):
        payload, signature, _ = webhook(invoice)  # new Stripe event id each time
        await handlers.handle_webhook(payload, signature, fakes.deps)
    assert len(fakes.invoices.published) == 1


@pytest.mark.parametrize(
    ("secret", "age_seconds"),
    [("whsec_forged", 0), (SECRET, 3600)],
    ids=["forged signature", "stale timestamp"],
)
async def test_forged_or_stale_webhooks_are_rejected_without_change(
    fakes: Fakes, secret: str, age_seconds: int
) -> None:
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(
        invoice, timestamp=int(time.time()) - age_seconds, secret=secret
    )
    with pytest.raises(InvalidWebhook):
        await handlers.handle_webhook(payload, signature, fakes.deps)
    assert fakes.invoices.stored["inv_BF-000007"].status is InvoiceStatus.OPEN
    assert fakes.invoices.published == []
    assert fakes.processed.events == {}


async def test_a_tampered_body_does_not_verify(fakes: Fakes) -> None:
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(invoice)
    with pytest.raises(InvalidWebhook):
        await handlers.handle_webhook(payload.replace(b"41500", b"41501"), signature, fakes.deps)


async def test_an_amount_mismatch_is_flagged_not_cleared(fakes: Fakes) -> None:
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(invoice, amount=100)

    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "flagged"

    stored = fakes.invoices.stored["inv_BF-000007"]
    assert stored.status is InvoiceStatus.OPEN
    assert "paid 100 EUR, full due is 41500 EUR" in stored.flagged[0]
    assert fakes.invoices.published == []


async def test_an_edit_re_prices_the_invoice_and_needs_a_new_payment(fakes: Fakes) -> None:
    first = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    assert first.payment is not None
    revised = revised_event("BF-000007", pairs=3)
    await handlers.on_order_revised(revised, fakes.deps)
    await handlers.on_order_revised(revised, fakes.deps)

    invoice = fakes.invoices.stored["inv_BF-000007"]
    assert (invoice.version, invoice.total, invoice.payment) == (2, 61_500, None)
    second = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    assert second.payment is not None
    assert list(fakes.stripe.intents) == ["inv_BF-000007:v1", "inv_BF-000007:v2"]
    # a payment for the old version is flagged, not accepted
    old = Invoice(**{**invoice.__dict__, "version": 1, "payment": first.payment, "events": []})
    payload, signature, _ = webhook(old)
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "flagged"


async def test_a_group_gets_one_invoice_and_its_orders_are_paid_together(fakes: Fakes) -> None:
    from bespoke_contracts import ShipmentGrouped, ShipmentGroupedPayload

    await handlers.on_order_submitted(
        examples.order_submitted("BF-000008", sizes={"43": 3}), fakes.deps
    )
    event = ShipmentGrouped(
        account_id="acc_1",
        correlation_id="g",
        payload=ShipmentGroupedPayload(
            group_id="grp_1",
            order_numbers=["BF-000007", "BF-000008"],
            pairs=5,
            shipping_cost=2_000,
            individual_shipping_cost=3_000,
            saving=1_000,
            allocations={"BF-000007": 800, "BF-000008": 1_200},
            currency="EUR",
            contact_email="ops@norte.example",
            grouped_at=datetime(2026, 5, 2, tzinfo=UTC),
        ),
    )
    assert await handlers.on_shipment_grouped(event, fakes.deps)
    assert not await handlers.on_shipment_grouped(event, fakes.deps)

    group = await handlers.pay_page("acc_1", "grp_1", fakes.deps)
    assert (group.manufacturing, group.shipping, group.total) == (100_000, 2_000, 102_000)
    assert group.order_numbers == ["BF-000007", "BF-000008"]
    with pytest.raises(InvoiceNotPayable, match="shipping group"):
        await handlers.start_payment("acc_1", "BF-000007", fakes.deps)

    paying = await handlers.start_payment("acc_1", "grp_1", fakes.deps)
    payload, signature, _ = webhook(paying)
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "cleared"
    [cleared] = fakes.invoices.published
    assert cleared.payload.order_numbers == ["BF-000007", "BF-000008"]
    assert cleared.payload.target == "grp_1"


async def test_a_dissolved_group_gives_each_order_its_invoice_back(fakes: Fakes) -> None:
    await handlers.on_order_submitted(examples.order_submitted("BF-000008"), fakes.deps)
    both = ["BF-000007", "BF-000008"]
    await handlers.on_shipment_grouped(grouped_event("grp_2", both), fakes.deps)
    await handlers.start_payment("acc_1", "grp_2", fakes.deps)
    dissolved = dissolved_event("grp_2", both)

    await handlers.on_shipment_ungrouped(dissolved, fakes.deps)
    await handlers.on_shipment_ungrouped(dissolved, fakes.deps)

    assert fakes.invoices.stored["inv_grp_2"].status is InvoiceStatus.VOID
    with pytest.raises(InvoiceNotPayable):
        await handlers.start_payment("acc_1", "grp_2", fakes.deps)
    own = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    assert own.status is InvoiceStatus.OPEN
    assert own.superseded_by is None
    assert own.version == 3, "grouped and restored: each a new version"


async def test_a_failed_payment_is_recorded_and_the_invoice_stays_open(fakes: Fakes) -> None:
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    _, _, event = webhook(invoice)
    event["type"] = "payment_intent.payment_failed"
    payload = json.dumps(event).encode()

    outcome = await handlers.handle_webhook(payload, sign(payload, SECRET), fakes.deps)

    assert outcome.startswith("payment failed")
    assert fakes.processed.events[event["id"]] == outcome
    assert fakes.invoices.stored["inv_BF-000007"].status is InvoiceStatus.OPEN
    assert fakes.invoices.published == []


async def test_a_group_whose_order_was_already_paid_gets_no_invoice(fakes: Fakes) -> None:
    """The order's own payment beat the grouping: nothing may be paid twice. (Shipping
    dissolves such a group when it sees that payment.)"""
    from bespoke_contracts import ShipmentGrouped, ShipmentGroupedPayload

    await handlers.on_order_submitted(examples.order_submitted("BF-000008"), fakes.deps)
    paying = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(paying)
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "cleared"
    grouped = ShipmentGrouped(
        account_id="acc_1",
        correlation_id="g",
        payload=ShipmentGroupedPayload(
            group_id="SG-LATE",
            order_numbers=["BF-000007", "BF-000008"],
            pairs=3,
            shipping_cost=2_000,
            individual_shipping_cost=3_000,
            saving=1_000,
            allocations={"BF-000007": 1_000, "BF-000008": 1_000},
            currency="EUR",
            contact_email="ops@norte.example",
            grouped_at=datetime(2026, 5, 2, tzinfo=UTC),
        ),
    )
    assert not await handlers.on_shipment_grouped(grouped, fakes.deps)
    assert "inv_SG-LATE" not in fakes.invoices.stored
    other = fakes.invoices.stored["inv_BF-000008"]
    assert (other.status, other.superseded_by) == (InvoiceStatus.OPEN, None)


async def test_an_edit_that_races_the_grouping_is_not_lost_when_the_group_dissolves(
    fakes: Fakes,
) -> None:
    """Group A and B, and edit A at once (orders accepts the edit before it hears of the
    group): A's invoice, void for the group, must still take the new costs, so that the
    invoice it gets back when the edit dissolves the group asks for the new total."""
    await handlers.on_order_submitted(examples.order_submitted("BF-000008"), fakes.deps)
    both = ["BF-000007", "BF-000008"]
    await handlers.on_shipment_grouped(grouped_event("grp_3", both), fakes.deps)
    bigger = revised_event("BF-000007", pairs=9)
    await handlers.on_order_revised(bigger, fakes.deps)
    await handlers.on_shipment_ungrouped(dissolved_event("grp_3", both), fakes.deps)

    restored = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    assert restored.total == bigger.payload.costs.total
    assert restored.total != examples.costs().total


async def test_a_live_account_clears_nothing_on_a_test_mode_event(fakes: Fakes) -> None:
    """The local simulation (and any test-mode event) signs `livemode: false`: against the
    factory's live Stripe account it is ignored, whatever its signature."""
    invoice = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(invoice)
    fakes.live = True
    outcome = await handlers.handle_webhook(payload, signature, fakes.deps)
    assert outcome == "ignored: a test-mode event for a live account"
    assert fakes.invoices.stored["inv_BF-000007"].status is InvoiceStatus.OPEN
    assert fakes.invoices.published == []


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({}, None),
        (
            {"STRIPE_API_BASE": "https://api.stripe.com"},
            "STRIPE_WEBHOOK_SECRET and BESPOKE_PAYMENTS_STRIPE_API_KEY",
        ),
        (
            {"STRIPE_API_BASE": "https://api.stripe.com", "STRIPE_API_KEY": "sk_live_x"},
            "STRIPE_WEBHOOK_SECRET",
        ),
        (
            {
                "STRIPE_API_BASE": "https://api.stripe.com",
                "STRIPE_API_KEY": "sk_live_x",
                "STRIPE_WEBHOOK_SECRET": "whsec_real",
            },
            None,
        ),
    ],
)
def test_real_stripe_never_runs_on_the_public_local_secrets(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], refused: str | None
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"BESPOKE_PAYMENTS_{name}", value)
    if refused is None:
        settings = PaymentsSettings()
        assert settings.live is settings.stripe_api_key.startswith("sk_live_")
        return
    with pytest.raises(ValidationError, match=refused):
        PaymentsSettings()


async def test_a_cleared_payment_issues_one_numbered_invoice(fakes: Fakes) -> None:
    paying = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(paying)
    assert await handlers.handle_webhook(payload, signature, fakes.deps) == "cleared"
    [cleared] = fakes.invoices.published
    fakes.invoices.reads = 0
    issued = await handlers.on_payment_cleared(cleared, fakes.deps)
    assert fakes.invoices.reads == 1, "the invoice is recorded on the bill as it was read"
    again = await handlers.on_payment_cleared(cleared, fakes.deps)  # delivered twice
    assert issued.number == again.number == "INV-2026-000001"
    assert list(fakes.issued.stored) == ["INV-2026-000001"]
    bill = fakes.invoices.stored["inv_BF-000007"]
    assert issued.total == bill.total == cleared.payload.amount
    assert issued.payment_reference == cleared.payload.payment_intent_id
    assert [line.order_number for line in issued.lines] == ["BF-000007"]
    assert issued.buyer.name == examples.BILLING.name
    assert issued.seller == SELLER
    found = await handlers.issued_invoice("acc_1", issued.number, fakes.deps)
    assert found is issued
    with pytest.raises(InvoiceNotFound):
        await handlers.issued_invoice("acc_2", issued.number, fakes.deps)
    assert await handlers.invoices_of("acc_1", "BF-000007", None, 10, fakes.deps) == [issued]
    assert await handlers.invoices_of("acc_1", "BF-000099", None, 10, fakes.deps) == []


async def test_an_invoice_is_recorded_on_its_bill_when_the_bill_moved_after_its_read(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    paying = await handlers.start_payment("acc_1", "BF-000007", fakes.deps)
    payload, signature, _ = webhook(paying)
    await handlers.handle_webhook(payload, signature, fakes.deps)
    [cleared] = fakes.invoices.published
    issue = fakes.issued.issue

    async def issue_while_another_writer_saves(document: IssuedInvoice) -> IssuedInvoice:
        moved = fakes.invoices.stored["inv_BF-000007"]
        moved.revision += 1
        return await issue(document)

    monkeypatch.setattr(fakes.issued, "issue", issue_while_another_writer_saves)
    fakes.invoices.reads = 0
    issued = await handlers.on_payment_cleared(cleared, fakes.deps)
    assert fakes.invoices.stored["inv_BF-000007"].issued == [issued.number]
    assert [e.payload.invoice_number for e in fakes.invoices.published[1:]] == [issued.number]
    assert fakes.invoices.reads == 2, "its save refused, the bill was read again"


async def test_an_unpaid_bill_issues_no_invoice(fakes: Fakes) -> None:
    bill = fakes.invoices.stored["inv_BF-000007"]
    with pytest.raises(InvoiceNotPayable, match="nothing to invoice"):
        bill.issue(seller=SELLER, payment_reference="pi_1", at=FakeClock().now())


async def test_a_cleared_payment_for_no_paid_bill_is_parked_at_once(fakes: Fakes) -> None:
    def cleared(invoice_id: str) -> PaymentCleared:
        return PaymentCleared(
            account_id="acc_1",
            correlation_id="forged",
            payload=PaymentClearedPayload(
                invoice_id=invoice_id,
                target="BF-000007",
                order_numbers=["BF-000007"],
                amount=1,
                currency="EUR",
                payment_intent_id="pi_forged",
                paid_at=FakeClock().now(),
                contact_email="a@b.example",
            ),
        )

    with pytest.raises(PoisonMessage, match="nothing to invoice"):  # its bill is still open
        await handlers.on_payment_cleared(cleared("inv_BF-000007"), fakes.deps)
    with pytest.raises(PoisonMessage, match="no bill"):
        await handlers.on_payment_cleared(cleared("inv_nope"), fakes.deps)
    assert fakes.issued.stored == {}
