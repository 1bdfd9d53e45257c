"""The shipping service's internal HTTP API (called by the gateway, the orders service
and factory systems, never by clients)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from litestar import Controller, Litestar, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, Parameter
from litestar.response import Response
from pydantic import BaseModel, ConfigDict, Field

from bespoke_contracts.api.shipping import (
    GroupPreview,
    GroupRequest,
    ShipmentStage,
    ShipmentView,
    ShippingGroupList,
    ShippingGroupListQuery,
    ShippingGroupView,
    ShipRequest,
)
from bespoke_platform.app import (
    AccountId,
    Actor,
    RequestId,
    operators_only,
    query_model,
    service_app,
)
from bespoke_platform.credentials import verifier_from
from bespoke_shipping.bootstrap import ShippingRuntime, bootstrap
from bespoke_shipping.domain import errors
from bespoke_shipping.domain.model import Shipment, ShippingGroup
from bespoke_shipping.domain.rates import ShippingQuote
from bespoke_shipping.service_layer import handlers

GroupId = Annotated[str, Parameter(description="Shipping group id, e.g. `SG-7K2M9Q4X3B`.")]
ShipmentId = Annotated[str, Parameter(description="`shp_<order number or group id>`.")]
OrderNumber = Annotated[str, Parameter(description="e.g. `BF-000042`.")]


class QuoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=r"^[A-Z]{2}$", description="Destination, ISO alpha-2.")
    pairs: int = Field(ge=1, le=100_000)


def group_view(group: ShippingGroup) -> ShippingGroupView:
    q = group.quote
    return ShippingGroupView(
        id=group.id,
        status=group.status,
        order_numbers=group.order_numbers,
        pairs=q.pairs,
        destination=group.destination,
        shipping_cost=q.shipping_cost,
        individual_shipping_cost=q.individual_shipping_cost,
        saving=q.saving,
        allocations=q.allocations,
        individual_shipping_costs=group.individual_costs,
        currency=q.currency,
        created_at=group.created_at,
        formed_by=group.formed_by,
        paid_at=group.paid_at,
        dissolved_at=group.dissolved_at,
        dissolved_reason=group.dissolved_reason,
        dissolved_by=group.dissolved_by,
        shipment_id=group.shipment_id,
    )


def shipment_view(shipment: Shipment) -> ShipmentView:
    return ShipmentView(
        id=shipment.id,
        status=shipment.status,
        group_id=shipment.group_id,
        order_numbers=shipment.order_numbers,
        pairs=shipment.pairs,
        destination=shipment.destination,
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier,
        tracking=shipment.tracking,
        waiting_for=shipment.waiting_for,
        history=[ShipmentStage(status=s.status, at=s.at) for s in shipment.history],
    )


def _cursor(group: ShippingGroup) -> str:
    raw = f"{group.created_at.isoformat()}|{group.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, group_id = raw.partition("|")
        when = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise errors.InvalidCursor(
            "this cursor is not one we gave out; start again without it"
        ) from error
    if not group_id or when.tzinfo is None:
        raise errors.InvalidCursor("this cursor is not one we gave out; start again without it")
    return when, group_id


class RatesController(Controller):
    path = "/internal"
    tags = ["rates"]

    @post("/quotes", status_code=200, operation_id="quoteShipping")
    async def quote(self, data: JSONBody[QuoteRequest], state: State) -> ShippingQuote:
        """The individual shipping cost of one order's shipment."""
        runtime: ShippingRuntime = state.runtime
        return runtime.deps.rates.quote(data.country, data.pairs)


class GroupsController(Controller):
    path = "/internal/groups"
    tags = ["groups"]

    @post("/", status_code=201, operation_id="formGroup")
    async def form(
        self,
        data: JSONBody[GroupRequest],
        state: State,
        account_id: AccountId,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(name="Idempotency-Key", required=False, min_length=1, max_length=200),
        ] = None,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> Response[ShippingGroupView]:
        """Group pending orders for one invoice and one shipment."""
        runtime: ShippingRuntime = state.runtime
        result = await handlers.form_group(
            account_id,
            list(data.order_numbers),
            idempotency_key,
            request_id or idempotency_key or "unknown",
            runtime.deps,
            actor,
        )
        return Response(
            group_view(result.group),
            status_code=201 if result.created else 200,
            headers={"Idempotent-Replayed": "false" if result.created else "true"},
        )

    @post("/preview", status_code=200, operation_id="previewGroup")
    async def preview(
        self, data: JSONBody[GroupRequest], state: State, account_id: AccountId
    ) -> GroupPreview:
        """What grouping these orders would cost and save; nothing is formed."""
        runtime: ShippingRuntime = state.runtime
        records, quote = await handlers.preview_group(
            account_id, list(data.order_numbers), runtime.deps
        )
        return GroupPreview(
            order_numbers=list(data.order_numbers),
            pairs=quote.pairs,
            destination=records[data.order_numbers[0]].shipping_address,
            shipping_cost=quote.shipping_cost,
            individual_shipping_cost=quote.individual_shipping_cost,
            saving=quote.saving,
            allocations=quote.allocations,
            individual_shipping_costs={n: r.shipping_cost for n, r in records.items()},
            currency=quote.currency,
        )

    @get(
        "/",
        operation_id="listGroups",
        dependencies={"listing": query_model(ShippingGroupListQuery)},
    )
    async def list_groups(
        self, state: State, account_id: AccountId, listing: NamedDependency[ShippingGroupListQuery]
    ) -> ShippingGroupList:
        """The brand's shipping groups, newest first."""
        runtime: ShippingRuntime = state.runtime
        limit = listing.limit
        groups = await handlers.list_groups(
            account_id, limit + 1, _after(listing.cursor), runtime.deps
        )
        page = groups[:limit]
        return ShippingGroupList(
            items=[group_view(g) for g in page],
            next_cursor=_cursor(page[-1]) if len(groups) > limit else None,
        )

    @get("/{group_id:str}", operation_id="getGroup")
    async def get_group(
        self, group_id: GroupId, state: State, account_id: AccountId
    ) -> ShippingGroupView:
        runtime: ShippingRuntime = state.runtime
        return group_view(await handlers.get_group(account_id, group_id, runtime.deps))

    @delete("/{group_id:str}", status_code=200, operation_id="dissolveGroup")
    async def dissolve(
        self,
        group_id: GroupId,
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> ShippingGroupView:
        """Dissolve an unpaid group: its orders are paid and shipped on their own again."""
        runtime: ShippingRuntime = state.runtime
        group = await handlers.dissolve_group(
            account_id, group_id, request_id or "unknown", runtime.deps, actor
        )
        return group_view(group)

    @get("/{group_id:str}/shipment", operation_id="getGroupShipment")
    async def shipment(
        self, group_id: GroupId, state: State, account_id: AccountId
    ) -> ShipmentView:
        runtime: ShippingRuntime = state.runtime
        return shipment_view(await handlers.shipment_of(account_id, group_id, runtime.deps))


class ShipmentsController(Controller):
    path = "/internal"
    tags = ["shipments"]

    @get("/orders/{order_number:str}/shipment", operation_id="getOrderShipment")
    async def of_order(
        self, order_number: OrderNumber, state: State, account_id: AccountId
    ) -> ShipmentView:
        """The shipment carrying an order, alone or in its group."""
        runtime: ShippingRuntime = state.runtime
        return shipment_view(await handlers.shipment_of(account_id, order_number, runtime.deps))

    @get("/shipments/{shipment_id:str}", operation_id="getShipment", guards=[operators_only])
    async def get_shipment(self, shipment_id: ShipmentId, state: State) -> ShipmentView:
        """Any brand's shipment (factory systems and operators)."""
        runtime: ShippingRuntime = state.runtime
        return shipment_view(await handlers.get_shipment(None, shipment_id, runtime.deps))

    @post(
        "/shipments/{shipment_id:str}/ship",
        status_code=200,
        operation_id="shipShipment",
        guards=[operators_only],
    )
    async def ship(
        self,
        shipment_id: ShipmentId,
        data: JSONBody[ShipRequest],
        state: State,
        request_id: RequestId = "",
    ) -> ShipmentView:
        """The carrier collected it: `shipped` with its tracking, once every order in it
        is `ready_to_ship` (409 names those it waits for). Published as
        `shipment.status_changed`; the same tracking again changes nothing."""
        runtime: ShippingRuntime = state.runtime
        shipment = await handlers.ship(
            shipment_id,
            data.carrier,
            data.tracking_number,
            request_id or f"ship:{shipment_id}",
            runtime.deps,
        )
        return shipment_view(shipment)

    @post(
        "/shipments/{shipment_id:str}/deliver",
        status_code=200,
        operation_id="deliverShipment",
        guards=[operators_only],
    )
    async def deliver(
        self, shipment_id: ShipmentId, state: State, request_id: RequestId = ""
    ) -> ShipmentView:
        """The carrier delivered it (after it shipped); again changes nothing."""
        runtime: ShippingRuntime = state.runtime
        shipment = await handlers.deliver(
            shipment_id, request_id or f"deliver:{shipment_id}", runtime.deps
        )
        return shipment_view(shipment)


def create_app(runtime: ShippingRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        credentials=verifier_from("shipping", runtime.settings.trusted_keys),
        route_handlers=[RatesController, GroupsController, ShipmentsController],
        state={"runtime": runtime},
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        ready_checks={"kafka": lambda: runtime.broker.ping(timeout=2.0)},
        domain_errors={
            errors.InvalidGroup: 422,
            errors.OrderNotGroupable: 409,
            errors.OrderNotFound: 404,
            errors.GroupNotFound: 404,
            errors.GroupStateConflict: 409,
            errors.ShipmentNotFound: 404,
            errors.ShipmentStateConflict: 409,
            errors.ConcurrentChange: 409,
            errors.InvalidCursor: 400,
            errors.NotYetKnown: 409,
        },
    )
