"""The committed AsyncAPI documents are the ones the code generates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bespoke.asyncapi import SERVICES, render

DOCS = Path(__file__).parents[3] / "docs" / "asyncapi"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_committed_asyncapi_document_matches_the_code(service: str) -> None:
    committed = (DOCS / f"{service}.json").read_text()
    assert committed == render(service), (
        f"docs/asyncapi/{service}.json is stale: run `uv run python -m bespoke.asyncapi`"
    )


def test_every_subscription_and_publication_has_its_event_schema() -> None:
    shipping = json.loads(render("shipping"))
    operations = shipping["operations"]
    assert operations["shipping.shipment.grouped.send"]["action"] == "send"
    received = {op["channel"]["$ref"] for op in operations.values() if op["action"] == "receive"}
    # One consumer reads all of a service's topics; each channel keeps its own description.
    assert "#/channels/shipping:payment.cleared" in received
    descriptions = [c.get("description", "") for c in shipping["channels"].values()]
    assert all(d and "\n" not in d for d in descriptions)
    for message in shipping["components"]["messages"].values():
        assert message["payload"]["$ref"].startswith("#/components/schemas/")
    payload = shipping["components"]["schemas"]["ShipmentGroupedPayload"]
    assert {"allocations", "saving", "shipping_cost"} <= set(payload["properties"])
