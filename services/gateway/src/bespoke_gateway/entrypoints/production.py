"""The factory's production routes (`/api/v1/ops/`): the board across brands, moving
orders through the floor's stages, shipping and delivering shipments. Operators only,
in the roles ``domain.permissions.OPERATOR_ROUTE_ROLES`` names."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, Parameter

from bespoke_contracts import OrderStatus, OrderType, ProductionStage
from bespoke_contracts.api.orders import (
    BoardQuery,
    OrderHistory,
    OrderList,
    OrderResponse,
    StageMoveRequest,
)
from bespoke_contracts.api.shipping import ShipmentView, ShipRequest
from bespoke_gateway.entrypoints.auth import authorize_operator
from bespoke_gateway.entrypoints.forwarding import (
    ID_PATTERN,
    OrderNumberPath,
    OwningService,
    documented,
    owned_by,
    public_problems,
    query_parameter,
)

ShipmentPath = Annotated[
    str,
    Parameter(
        description="Shipment id: `shp_` and the order number or group id it ships.",
        pattern=ID_PATTERN,
        max_length=100,
    ),
]


def board_parameter(name: str, **constraints: Any) -> Any:
    return query_parameter(BoardQuery, name, **constraints)


class OpsOrdersController(Controller):
    path = "/api/v1/ops/orders"
    tags = ["Production"]
    guards = [authorize_operator]
    dependencies = {"upstream": owned_by("orders", "/internal/ops/orders")}

    @get(
        "/",
        operation_id="productionBoard",
        summary="The production board",
        responses={
            200: documented(OrderList, "A page of orders across brands."),
            **public_problems(400, 401, 403, 503),
        },
    )
    async def board(
        self,
        upstream: OwningService,
        production_stage: Annotated[
            ProductionStage | None, board_parameter("production_stage")
        ] = None,
        account_id: Annotated[str | None, board_parameter("account_id")] = None,
        status: Annotated[OrderStatus | None, board_parameter("status")] = None,
        order_type: Annotated[OrderType | None, board_parameter("order_type")] = None,
        late: Annotated[bool, board_parameter("late")] = False,
        limit: Annotated[int, board_parameter("limit")] = 50,
        cursor: Annotated[str | None, board_parameter("cursor")] = None,
    ) -> Response[bytes]:
        """Every brand's orders, newest first, with each one's stage, days in production
        and estimated ship date; filter by stage, brand, status, order type, or `late`
        (in production past the estimate)."""
        query = BoardQuery(
            production_stage=production_stage,
            account_id=account_id,
            status=status,
            order_type=order_type,
            late=late,
            limit=limit,
            cursor=cursor,
        )
        return await upstream.call("GET", "/", params=query.as_params())

    @get(
        "/{order_number:str}",
        operation_id="getAnyOrder",
        summary="Any brand's order",
        responses={
            200: documented(OrderResponse, "The order."),
            **public_problems(401, 403, 404, 503),
        },
    )
    async def get_order(
        self, order_number: OrderNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """An order of any brand, with its specification, stage and dates."""
        return await upstream.call("GET", f"/{order_number}")

    @get(
        "/{order_number:str}/history",
        operation_id="getAnyOrderHistory",
        summary="Any brand's order history",
        responses={
            200: documented(OrderHistory, "Every status change and stage move, oldest first."),
            **public_problems(401, 403, 404, 503),
        },
    )
    async def history(
        self, order_number: OrderNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """Each status change and stage move: when, why, and who or which station."""
        return await upstream.call("GET", f"/{order_number}/history")

    @get(
        "/{order_number:str}/ticket",
        operation_id="getJobTicket",
        summary="An order's job ticket (PDF)",
        media_type="application/pdf",
        responses={
            200: ResponseSpec(
                bytes,
                description="The printable job ticket.",
                media_type="application/pdf",
                generate_examples=False,
            ),
            **public_problems(401, 403, 404, 503),
        },
    )
    async def ticket(
        self, order_number: OrderNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """The page that travels with the pairs: the order number as a QR code and a
        barcode (what stations scan), the specification and bill of materials for the
        run, the size run, the labeling and the date it is due."""
        return await upstream.call("GET", f"/{order_number}/ticket")

    @post(
        "/{order_number:str}/stage",
        operation_id="moveStage",
        summary="Move an order to a production stage",
        status_code=200,
        responses={
            200: documented(OrderResponse, "The order at its new stage."),
            **public_problems(401, 403, 404, 409, 422, 503),
        },
    )
    async def move(
        self,
        order_number: OrderNumberPath,
        data: JSONBody[StageMoveRequest],
        upstream: OwningService,
    ) -> Response[bytes]:
        """Forward to any later stage (a missed scan may be skipped); back only from
        `quality_check`, with a `note` saying what to rework; the stage it is at already
        changes nothing. Anything else, or an order not in process, is `409`."""
        return await upstream.call("POST", f"/{order_number}/stage", body=data)


class OpsShipmentsController(Controller):
    path = "/api/v1/ops/shipments"
    tags = ["Production"]
    guards = [authorize_operator]
    dependencies = {"upstream": owned_by("shipping", "/internal/shipments")}

    @get(
        "/{shipment_id:str}",
        operation_id="getShipment",
        summary="A shipment",
        responses={
            200: documented(ShipmentView, "The shipment, and the orders it waits for."),
            **public_problems(401, 403, 404, 503),
        },
    )
    async def get_shipment(
        self, shipment_id: ShipmentPath, upstream: OwningService
    ) -> Response[bytes]:
        """Any brand's shipment: its orders, those not finished yet, its tracking."""
        return await upstream.call("GET", f"/{shipment_id}")

    @post(
        "/{shipment_id:str}/ship",
        operation_id="shipShipment",
        summary="Ship a shipment with its tracking",
        status_code=200,
        responses={
            200: documented(ShipmentView, "Shipped: its orders become `shipped`."),
            **public_problems(401, 403, 404, 409, 422, 503),
        },
    )
    async def ship(
        self, shipment_id: ShipmentPath, data: JSONBody[ShipRequest], upstream: OwningService
    ) -> Response[bytes]:
        """The carrier collected it: its orders become `shipped` with `tracking` (the
        carrier's tracking page for the number) and the brand is emailed. `409` unless
        every order in it is `ready_to_ship` (a group waits for its slowest order); the
        same tracking again changes nothing."""
        return await upstream.call("POST", f"/{shipment_id}/ship", body=data)

    @post(
        "/{shipment_id:str}/deliver",
        operation_id="deliverShipment",
        summary="Record a shipment's delivery",
        status_code=200,
        responses={
            200: documented(ShipmentView, "Delivered: its orders become `delivered`."),
            **public_problems(401, 403, 404, 409, 503),
        },
    )
    async def deliver(self, shipment_id: ShipmentPath, upstream: OwningService) -> Response[bytes]:
        """The carrier delivered it (after it shipped): its orders become `delivered`."""
        return await upstream.call("POST", f"/{shipment_id}/deliver")
