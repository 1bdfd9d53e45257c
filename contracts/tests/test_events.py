from pathlib import Path

import pytest
from pydantic import ValidationError

from bespoke_contracts import (
    ALL_TOPICS,
    EVENT_TYPES,
    OrderSubmitted,
    dead_letter_topic,
    examples,
)
from bespoke_contracts.schemas import render

SCHEMA_DIR = Path(__file__).parents[1] / "schemas"


def _order_submitted() -> OrderSubmitted:
    return examples.order_submitted()


def test_event_round_trips_as_plain_json() -> None:
    event = _order_submitted()
    again = OrderSubmitted.from_json(event.to_json())
    assert again == event
    assert again.event_type == "order.submitted"
    assert again.schema_version == 1
    assert event.key() == b"BF-000001"


def test_events_are_frozen() -> None:
    event = _order_submitted()
    with pytest.raises(ValidationError):
        event.account_id = "other"  # type: ignore[misc]


def test_wrong_event_type_is_refused() -> None:
    raw = _order_submitted().model_dump(mode="json")
    raw["event_type"] = "payment.cleared"
    with pytest.raises(ValidationError):
        OrderSubmitted.model_validate(raw)


def test_unknown_fields_from_newer_producers_are_ignored() -> None:
    raw = _order_submitted().model_dump(mode="json")
    raw["payload"]["added_later"] = True
    assert OrderSubmitted.model_validate(raw).payload.order_number == "BF-000001"


def test_every_topic_has_one_event_type_with_that_topic() -> None:
    assert set(ALL_TOPICS) == {
        "order.submitted",
        "order.status_changed",
        "order.revised",
        "order.stage_changed",
        "order.late",
        "order.hold_expiring",
        "stamp.status_changed",
        "payment.cleared",
        "payment.refunded",
        "invoice.issued",
        "shipment.grouped",
        "shipment.ungrouped",
        "shipment.status_changed",
        "production.stage_reported",
    }
    for topic, event in EVENT_TYPES.items():
        assert topic == event.TOPIC
        assert event.model_fields["event_type"].default == topic
    assert dead_letter_topic("order.submitted") == "order.submitted.dlq"


def test_every_field_is_described() -> None:
    for event in EVENT_TYPES.values():
        payload_type = event.model_fields["payload"].annotation
        assert payload_type is not None
        for name, field in payload_type.model_fields.items():
            assert field.description, f"{event.__name__}.payload.{name} has no description"


def test_committed_json_schemas_match_the_models() -> None:
    expected = render()
    committed = {p.name: p.read_text() for p in SCHEMA_DIR.glob("*.json")}
    assert committed == expected, (
        "contracts/schemas drifted; run: uv run python -m bespoke_contracts.schemas contracts/schemas"
    )
