"""Every brand route of the committed OpenAPI document, called through the gateway in
every role: refused with 403 exactly where the permission matrix says, and only there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bespoke.stack.config import StackConfig
from bespoke_gateway.domain.operators import OPERATOR_OPERATIONS
from bespoke_gateway.domain.permissions import (
    PERMISSIONS,
    ROUTE_ACTIONS,
    UNGUARDED_OPERATIONS,
    Role,
)

pytestmark = pytest.mark.stack

OPENAPI = json.loads((Path(__file__).parents[2] / "services/gateway/openapi.json").read_text())
ROUTES = sorted(
    (method.upper(), path, op["operationId"])
    for path, ops in OPENAPI["paths"].items()
    for method, op in ops.items()
    if op["operationId"] not in UNGUARDED_OPERATIONS | OPERATOR_OPERATIONS
)
IDS = {
    "design_id": "des_000000000000000000000000",
    "order_number": "BF-999999",
    "group_id": "SG-AAAAAAAAAA",
    "token_id": "tok_0000000000000000",
    "user_id": "usr_000000000000000000000000",
}


def fill(path: str) -> str:
    for name, value in IDS.items():
        path = path.replace("{" + name + "}", value)
    return path


async def test_every_route_in_every_role_is_refused_exactly_where_the_matrix_says(
    running_system: StackConfig, brand: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(
        base_url=running_system.gateway_url,
        headers={"Authorization": f"Bearer {brand['token']}"},
        timeout=15,
    ) as owner:
        tokens = {Role.OWNER: brand["token"]}
        for role in (Role.ADMIN, Role.DESIGNER, Role.FINANCE, Role.VIEWER):
            made = await owner.post("/api/v1/tokens", json={"name": role.value, "role": role})
            assert made.status_code == 201, made.text
            tokens[role] = made.json()["token"]
        wrong = []
        for role, token in tokens.items():
            for method, path, operation in ROUTES:
                response = await owner.request(
                    method,
                    fill(path),
                    json={},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "roles"},
                )
                refused = response.status_code == 403
                expected = ROUTE_ACTIONS[operation] not in PERMISSIONS[role]
                if refused != expected or (refused and "/forbidden" not in response.text):
                    wrong.append((role.value, method, path, response.status_code))
        assert wrong == []
        assert len(ROUTES) == len(ROUTE_ACTIONS), "every brand route was called"
