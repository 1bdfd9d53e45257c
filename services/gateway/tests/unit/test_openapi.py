from __future__ import annotations

import json
from pathlib import Path

from bespoke_gateway.entrypoints.openapi import render

COMMITTED = Path(__file__).parents[2] / "openapi.json"


def test_the_committed_openapi_document_matches_the_code() -> None:
    assert COMMITTED.read_text() == render(), (
        "services/gateway/openapi.json drifted; regenerate with "
        "uv run python -m bespoke_gateway.entrypoints.openapi services/gateway/openapi.json"
    )


def test_the_public_contract_paths_and_fields_are_documented() -> None:
    schema = json.loads(render())
    assert "post" in schema["paths"]["/api/v1/orders"]
    assert "get" in schema["paths"]["/api/v1/orders/{order_number}"]
    checkout = schema["components"]["schemas"]["CheckoutRequest"]["properties"]
    assert set(checkout) >= {
        "design_id",
        "design_version",
        "bom_hash",
        "order_type",
        "sizes",
        "shipping_address",
        "billing",
        "labeling",
    }
    assert schema["components"]["securitySchemes"]["brandToken"]["scheme"] == "bearer"
