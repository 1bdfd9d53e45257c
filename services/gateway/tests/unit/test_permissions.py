"""The permission matrix (roles by actions) and its rule for every public route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.testing import AsyncTestClient

from bespoke_gateway.domain.errors import Forbidden
from bespoke_gateway.domain.operators import (
    OPERATOR_OPERATIONS,
    OPERATOR_ROUTE_ROLES,
    OperatorRole,
    operator_may,
)
from bespoke_gateway.domain.permissions import (
    PERMISSIONS,
    ROUTE_ACTIONS,
    UNGUARDED_OPERATIONS,
    Action,
    Principal,
    Role,
)
from bespoke_gateway.entrypoints.auth import authorize
from bespoke_platform.problems import exception_handlers

OPENAPI = Path(__file__).parents[2] / "openapi.json"


def operations() -> list[str]:
    document = json.loads(OPENAPI.read_text())
    return sorted(op["operationId"] for path in document["paths"].values() for op in path.values())


def test_every_route_of_the_public_api_has_a_rule_and_no_rule_is_stale() -> None:
    brand_routes = set(operations()) - UNGUARDED_OPERATIONS - OPERATOR_OPERATIONS
    assert brand_routes == set(ROUTE_ACTIONS)
    ops_routes = {op for op in operations() if op in OPERATOR_OPERATIONS}
    assert ops_routes == set(OPERATOR_ROUTE_ROLES)


@pytest.mark.parametrize("role", list(OperatorRole))
@pytest.mark.parametrize("operation", sorted(OPERATOR_ROUTE_ROLES))
def test_every_operator_role_on_every_ops_route_is_allowed_exactly_as_its_rule_says(
    role: OperatorRole, operation: str
) -> None:
    if role in OPERATOR_ROUTE_ROLES[operation]:
        operator_may(role, operation)
    else:
        with pytest.raises(Forbidden, match=f"`{role.value}` may not"):
            operator_may(role, operation)


def test_the_floor_moves_orders_and_the_dock_ships_them() -> None:
    assert set(OPERATOR_ROUTE_ROLES["moveStage"]) == {OperatorRole.PRODUCTION, OperatorRole.ADMIN}
    assert set(OPERATOR_ROUTE_ROLES["shipShipment"]) == {OperatorRole.SHIPPING, OperatorRole.ADMIN}
    assert set(OPERATOR_ROUTE_ROLES["productionBoard"]) == set(OperatorRole)
    with pytest.raises(Forbidden, match="no permission rule"):
        operator_may(OperatorRole.ADMIN, "somethingNew")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", sorted(ROUTE_ACTIONS))
def test_every_role_on_every_route_is_allowed_exactly_as_the_matrix_says(
    role: Role, operation: str
) -> None:
    principal = Principal("acc_1", role, "test")
    if ROUTE_ACTIONS[operation] in PERMISSIONS[role]:
        principal.require(operation)
    else:
        with pytest.raises(Forbidden, match=f"`{role.value}` may not"):
            principal.require(operation)


def test_the_matrix_is_the_one_the_contract_fixes() -> None:
    writes = set(Action) - {Action.READ}
    assert PERMISSIONS[Role.VIEWER] == {Action.READ}, "a viewer reads everything, writes nothing"
    assert PERMISSIONS[Role.DESIGNER] == {Action.READ, Action.DESIGN, Action.ESTIMATE}
    assert PERMISSIONS[Role.FINANCE] == {Action.READ, Action.PAY, Action.CANCEL_PAID_ORDER}
    assert PERMISSIONS[Role.OWNER] >= writes
    assert PERMISSIONS[Role.ADMIN] >= writes
    for action in (Action.CHECK_OUT, Action.EDIT_ORDER, Action.CANCEL_ORDER):
        assert {r for r in Role if action in PERMISSIONS[r]} == {Role.OWNER, Role.ADMIN}


def test_a_route_without_a_rule_is_refused_to_everyone() -> None:
    with pytest.raises(Forbidden, match="no permission rule"):
        Principal.brand_token("acc_1").require("someNewRoute")


def test_a_brand_token_acts_as_the_brands_owner() -> None:
    principal = Principal.brand_token("acc_1")
    assert (principal.role, principal.actor) == (Role.OWNER, "token:acc_1")


class ActAs(AbstractAuthenticationMiddleware):
    """Signs every request in as the role named in its `X-Role` header."""

    async def authenticate_request(self, connection: Any) -> AuthenticationResult:
        role = Role(connection.headers["x-role"])
        return AuthenticationResult(user=Principal("acc_1", role, "test"), auth=None)


calls: list[str] = []


@post("/orders", operation_id="checkOut", guards=[authorize])
async def check_out() -> dict[str, str]:
    calls.append("checkOut")
    return {"order_number": "BF-000001"}


async def test_a_refused_role_gets_a_403_problem_and_the_service_is_not_called() -> None:
    app = Litestar(
        [check_out], middleware=[ActAs], exception_handlers=exception_handlers({Forbidden: 403})
    )
    async with AsyncTestClient(app) as client:
        refused = await client.post("/orders", headers={"X-Role": "viewer"})
        allowed = await client.post("/orders", headers={"X-Role": "admin"})
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/forbidden")
    assert "`viewer` may not check out" in refused.json()["detail"]
    assert allowed.status_code == 201
    assert calls == ["checkOut"], "only the allowed request reached the route"
