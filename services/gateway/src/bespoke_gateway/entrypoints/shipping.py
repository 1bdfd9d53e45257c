"""Public Group Shipping and shipment routes."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.params import JSONBody

from bespoke_contracts.api.shipping import (
    GroupPreview,
    GroupRequest,
    ShipmentView,
    ShippingGroupList,
    ShippingGroupListQuery,
    ShippingGroupView,
)
from bespoke_gateway.entrypoints.forwarding import (
    GroupPath,
    IdempotencyKey,
    OrderNumberPath,
    OwningService,
    documented,
    owned_by,
    public_problems,
    query_parameter,
)


class ShippingGroupsController(Controller):
    path = "/api/v1/shipping-groups"
    tags = ["Group Shipping"]
    dependencies = {"upstream": owned_by("shipping", "/internal/groups")}

    @post(
        "/",
        operation_id="groupShipping",
        summary="Group orders for one invoice and one shipment",
        status_code=201,
        responses={
            201: documented(ShippingGroupView, "The group: its cost, the saving, each share."),
            200: documented(ShippingGroupView, "A retry: the group formed earlier with this key."),
            **public_problems(401, 404, 409, 422, 503),
        },
    )
    async def form(
        self,
        data: JSONBody[GroupRequest],
        upstream: OwningService,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Group two or more of your orders that are pending payment, in no other group and
        ship to the same address. They are then paid with one invoice
        (`/shipping-groups/{id}/payment`) and shipped together, at a lower cost per pair;
        each order's share of the group's shipping cost is in `allocations`.

        Refused: another brand's or an unknown order (404); a paid, cancelled or already
        grouped order (409); fewer than two orders, a repeated order, different addresses
        (422, each in `errors`)."""
        return await upstream.call(
            "POST",
            "/",
            body=data,
            idempotency_key=idempotency_key,
            created_at=(self.path, "id"),
        )

    @post(
        "/preview",
        operation_id="previewShippingGroup",
        summary="What grouping orders would cost and save",
        status_code=200,
        responses={
            200: documented(GroupPreview, "The group's cost, the saving and each share."),
            **public_problems(401, 404, 409, 422, 503),
        },
    )
    async def preview(
        self, data: JSONBody[GroupRequest], upstream: OwningService
    ) -> Response[bytes]:
        """The shipping cost, saving and each order's share that grouping these orders
        would give, before forming the group (nothing is formed or reserved). Refused
        exactly as forming the group would be."""
        return await upstream.call("POST", "/preview", body=data)

    @get(
        "/",
        operation_id="listShippingGroups",
        summary="Your shipping groups",
        responses={
            200: documented(ShippingGroupList, "A page of groups, newest first."),
            **public_problems(400, 401, 503),
        },
    )
    async def list_groups(
        self,
        upstream: OwningService,
        limit: Annotated[int, query_parameter(ShippingGroupListQuery, "limit", ge=1, le=100)] = 20,
        cursor: Annotated[str | None, query_parameter(ShippingGroupListQuery, "cursor")] = None,
    ) -> Response[bytes]:
        """Every group, open, paid or dissolved, newest first."""
        query = ShippingGroupListQuery(limit=limit, cursor=cursor)
        return await upstream.call("GET", "/", params=query.as_params())

    @get(
        "/{group_id:str}",
        operation_id="getShippingGroup",
        summary="A shipping group",
        responses={
            200: documented(ShippingGroupView, "The group."),
            **public_problems(401, 404, 503),
        },
    )
    async def get_group(self, group_id: GroupPath, upstream: OwningService) -> Response[bytes]:
        """Its orders, shipping cost, the saving and each order's share; `status` is
        `open` until paid (`paid`) or dissolved (`dissolved`)."""
        return await upstream.call("GET", f"/{group_id}")

    @delete(
        "/{group_id:str}",
        operation_id="dissolveShippingGroup",
        summary="Dissolve an unpaid shipping group",
        status_code=200,
        responses={
            200: documented(ShippingGroupView, "The group, now `dissolved`."),
            **public_problems(401, 404, 409, 503),
        },
    )
    async def dissolve(self, group_id: GroupPath, upstream: OwningService) -> Response[bytes]:
        """Its orders are paid and shipped on their own again (each order's own invoice
        returns). A paid group is 409. Dissolving twice is harmless."""
        return await upstream.call("DELETE", f"/{group_id}")

    @get(
        "/{group_id:str}/shipment",
        operation_id="getShippingGroupShipment",
        summary="The shipment of a paid shipping group",
        responses={
            200: documented(ShipmentView, "The shipment and its stages."),
            **public_problems(401, 404, 503),
        },
    )
    async def shipment(self, group_id: GroupPath, upstream: OwningService) -> Response[bytes]:
        """Exists once the group's payment clears (`awaiting_production`), then
        `ready_to_ship` and `shipped` with a tracking number."""
        return await upstream.call("GET", f"/{group_id}/shipment")


class OrderShipmentController(Controller):
    path = "/api/v1/orders/{order_number:str}/shipment"
    tags = ["Group Shipping"]
    dependencies = {"upstream": owned_by("shipping", "/internal/orders")}

    @get(
        "/",
        operation_id="getOrderShipment",
        summary="The shipment carrying an order",
        responses={
            200: documented(ShipmentView, "The shipment and its stages."),
            **public_problems(401, 404, 503),
        },
    )
    async def shipment(
        self, order_number: OrderNumberPath, upstream: OwningService
    ) -> Response[bytes]:
        """The order's own shipment, or its group's. Exists once the payment clears."""
        return await upstream.call("GET", f"/{order_number}/shipment")
