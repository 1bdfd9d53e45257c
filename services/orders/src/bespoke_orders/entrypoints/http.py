"""The orders service's internal HTTP API (called by the gateway, never by clients)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Litestar, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, Parameter
from litestar.response import Response

from bespoke_contracts import STAGE_EXPLANATIONS
from bespoke_contracts.api.orders import (
    BoardQuery,
    CancelRequest,
    CheckoutRequest,
    OrderEdit,
    OrderHistory,
    OrderList,
    OrderPoolQuery,
    OrderResponse,
    OrderSummary,
    RefundView,
    ShippingGroupRef,
    StageMoveRequest,
    StatusChange,
)
from bespoke_orders.bootstrap import OrdersRuntime, bootstrap
from bespoke_orders.domain import errors, model
from bespoke_orders.entrypoints.stamps import StampQueueController, StampsController
from bespoke_orders.service_layer import handlers
from bespoke_orders.service_layer.ports import OrderQuery
from bespoke_platform.app import (
    AccountId,
    Actor,
    RequestId,
    operators_only,
    query_model,
    service_app,
)
from bespoke_platform.credentials import verifier_from

OrderNumberPath = Annotated[str, Parameter(description="e.g. `BF-000042`")]


def order_response(order: model.Order, now: datetime) -> OrderResponse:
    """The whole order: what the pool lists of it, and its specifications."""
    return OrderResponse(
        **_listed(order.summary(), now),
        bom_hash=order.bom_hash,
        shipping_address=order.shipping_address,
        billing=order.billing,
        specification=order.specification,
    )


def summary_response(summary: model.OrderSummary, now: datetime) -> OrderSummary:
    return OrderSummary(**_listed(summary, now))


def _listed(summary: model.OrderSummary, now: datetime) -> dict[str, Any]:
    """The fields of an order's summary as the API shows them (at ``now``)."""
    stage = summary.production_stage
    return dict(
        order_number=summary.order_number,
        version=summary.version,
        status=summary.status,
        order_type=summary.order_type,
        design_id=summary.design_id,
        design_version=summary.design_version,
        design_name=summary.design_name,
        sizes=summary.sizes,
        pairs=summary.pairs,
        labeling=summary.labeling,
        costs=summary.costs,
        shipping_group=_group_ref(summary.shipping_group),
        created_at=summary.created_at,
        account_id=summary.account_id,
        payment_status=summary.payment_status,
        production_stage=stage,
        production_stage_explanation=STAGE_EXPLANATIONS[stage] if stage else None,
        hold_reason=summary.hold_reason,
        wip_started_at=summary.wip_started_at,
        days_in_production=summary.days_in_production(now),
        estimated_ship_date=summary.estimated_ship_date,
        late=summary.is_late(now),
        tracking=summary.tracking,
        balance_due=summary.balance_due or None,
        invoice_number=summary.invoice_number,
        credit_note_number=summary.credit_note_number,
        refund=_refund_view(summary.refund),
    )


def _group_ref(group: model.ShippingGroupMembership | None) -> ShippingGroupRef | None:
    return ShippingGroupRef(group_id=group.group_id, allocation=group.allocation) if group else None


def _refund_view(refund: model.Refund | None) -> RefundView | None:
    if refund is None:
        return None
    return RefundView(
        amount=refund.amount, fee=refund.fee, currency=refund.currency, status=refund.status.value
    )


def history_response(order: model.Order) -> OrderHistory:
    return OrderHistory(
        order_number=order.order_number,
        items=[
            StatusChange(
                status=h.status,
                at=h.at,
                cause=h.cause,
                actor=h.actor,
                production_stage=h.stage,
                note=h.note,
                station=h.station,
                rework=h.rework,
            )
            for h in order.history
        ],
    )


IdempotencyKey = Annotated[
    str, HeaderParameter(name="Idempotency-Key", min_length=1, max_length=200)
]


def _placed(result: handlers.CheckoutResult, state: State) -> Response[OrderResponse]:
    """A new order (`201`), or the one a retry with the same key made (`200`)."""
    return Response(
        order_response(result.order, _now(state)),
        status_code=201 if result.created else 200,
        headers={"Idempotent-Replayed": "false" if result.created else "true"},
    )


def _now(state: State) -> datetime:
    runtime: OrdersRuntime = state.runtime
    return runtime.deps.clock.now()


class OrdersController(Controller):
    path = "/internal/orders"
    tags = ["orders"]

    @post("/", operation_id="checkOut", status_code=201)
    async def check_out(
        self,
        data: JSONBody[CheckoutRequest],
        state: State,
        account_id: AccountId,
        idempotency_key: IdempotencyKey,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> Response[OrderResponse]:
        """Record an order as Pending Payment with the next order number."""
        runtime: OrdersRuntime = state.runtime
        command = model.Checkout(
            account_id=account_id,
            idempotency_key=idempotency_key,
            design_id=data.design_id,
            design_version=data.design_version,
            bom_hash=data.bom_hash,
            order_type=data.order_type,
            sizes=dict(data.sizes),
            shipping_address=data.shipping_address,
            billing=data.billing,
            labeling=data.labeling,
            request_id=request_id or idempotency_key,
            actor=actor,
        )
        return _placed(await handlers.check_out(command, runtime.deps), state)

    @get("/", operation_id="listOrders", dependencies={"pool": query_model(OrderPoolQuery)})
    async def list_orders(
        self, state: State, account_id: AccountId, pool: NamedDependency[OrderPoolQuery]
    ) -> OrderList:
        """The brand's order pool."""
        runtime: OrdersRuntime = state.runtime
        query = OrderQuery.of(pool)
        page = await handlers.list_orders(account_id, query, pool.cursor, runtime.deps)
        return OrderList(
            items=[summary_response(o, _now(state)) for o in page.items],
            next_cursor=page.next_cursor,
        )

    @patch("/{order_number:str}", operation_id="editOrder")
    async def edit(
        self,
        order_number: OrderNumberPath,
        data: JSONBody[OrderEdit],
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> OrderResponse:
        """Edit a pending order (sizes, addresses); it is re-priced as a new version."""
        runtime: OrdersRuntime = state.runtime
        order = await handlers.edit_order(
            account_id,
            order_number,
            request_id or "unknown",
            runtime.deps,
            sizes=dict(data.sizes) if data.sizes is not None else None,
            shipping_address=data.shipping_address,
            billing=data.billing,
            actor=actor,
        )
        return order_response(order, _now(state))

    @post("/{order_number:str}/cancel", operation_id="cancelOrder", status_code=200)
    async def cancel(
        self,
        order_number: OrderNumberPath,
        state: State,
        account_id: AccountId,
        request_id: RequestId = "",
        actor: Actor = None,
        data: JSONBody[CancelRequest | None] = None,
    ) -> OrderResponse:
        """Cancel an order: a pending one for free; a paid one refunded, less the fee for
        its stage from `received` on (only with `accept_fee`; else 409 stating it)."""
        runtime: OrdersRuntime = state.runtime
        order = await handlers.cancel_order(
            account_id,
            order_number,
            request_id or "unknown",
            runtime.deps,
            actor,
            accept_fee=bool(data and data.accept_fee),
        )
        return order_response(order, _now(state))

    @post("/{order_number:str}/clone", operation_id="cloneOrder", status_code=201)
    async def clone(
        self,
        order_number: OrderNumberPath,
        state: State,
        account_id: AccountId,
        idempotency_key: IdempotencyKey,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> Response[OrderResponse]:
        """Order again: a new pending order like this one, at today's prices."""
        runtime: OrdersRuntime = state.runtime
        result = await handlers.clone_order(
            account_id,
            order_number,
            idempotency_key,
            request_id or idempotency_key,
            runtime.deps,
            actor,
        )
        return _placed(result, state)

    @get("/{order_number:str}/history", operation_id="getOrderHistory")
    async def history(
        self, order_number: OrderNumberPath, state: State, account_id: AccountId
    ) -> OrderHistory:
        """The order's status timeline."""
        runtime: OrdersRuntime = state.runtime
        return history_response(await handlers.get_order(account_id, order_number, runtime.deps))

    @get("/{order_number:str}", operation_id="getOrder")
    async def get_order(
        self,
        order_number: OrderNumberPath,
        state: State,
        account_id: AccountId,
    ) -> OrderResponse:
        """One order of the brand."""
        runtime: OrdersRuntime = state.runtime
        return order_response(
            await handlers.get_order(account_id, order_number, runtime.deps), _now(state)
        )


class BoardController(Controller):
    """The factory's side: every brand's orders, for operators only."""

    path = "/internal/ops/orders"
    tags = ["production"]
    guards = [operators_only]

    @get("/", operation_id="productionBoard", dependencies={"board": query_model(BoardQuery)})
    async def board(self, state: State, board: NamedDependency[BoardQuery]) -> OrderList:
        """Orders across brands, by order number, filtered by stage, brand, status, type
        and lateness."""
        runtime: OrdersRuntime = state.runtime
        query = OrderQuery(
            account_id=board.account_id,
            status=board.status.value if board.status else None,
            production_stage=board.production_stage.value if board.production_stage else None,
            order_type=board.order_type.value if board.order_type else None,
            limit=board.limit,
        )
        page = await handlers.production_board(query, board.cursor, runtime.deps, board.late)
        return OrderList(
            items=[summary_response(o, _now(state)) for o in page.items],
            next_cursor=page.next_cursor,
        )

    @get("/{order_number:str}", operation_id="getAnyOrder")
    async def get_order(self, order_number: OrderNumberPath, state: State) -> OrderResponse:
        """Any brand's order."""
        runtime: OrdersRuntime = state.runtime
        return order_response(await handlers.get_any_order(order_number, runtime.deps), _now(state))

    @get("/{order_number:str}/history", operation_id="getAnyOrderHistory")
    async def history(self, order_number: OrderNumberPath, state: State) -> OrderHistory:
        """Any brand's order's history."""
        runtime: OrdersRuntime = state.runtime
        return history_response(await handlers.get_any_order(order_number, runtime.deps))

    @get("/{order_number:str}/ticket", operation_id="getJobTicket", media_type="application/pdf")
    async def ticket(self, order_number: OrderNumberPath, state: State) -> Response[bytes]:
        """The order's job ticket (PDF): QR code and barcode of its number, the
        specification and bill of materials, size run, labeling and due date."""
        runtime: OrdersRuntime = state.runtime
        pdf = await handlers.job_ticket(order_number, runtime.deps)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="job-ticket-{order_number}.pdf"',
                "Cache-Control": "no-store",
            },
        )

    @post("/{order_number:str}/stage", operation_id="moveStage", status_code=200)
    async def move(
        self,
        order_number: OrderNumberPath,
        data: JSONBody[StageMoveRequest],
        state: State,
        request_id: RequestId = "",
        actor: Actor = None,
    ) -> OrderResponse:
        """Move an order on the floor; the stage it is at already changes nothing."""
        runtime: OrdersRuntime = state.runtime
        order = await handlers.move_stage(
            order_number, data.stage, data.note, request_id or "unknown", runtime.deps, actor
        )
        return order_response(order, _now(state))


def create_app(runtime: OrdersRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        credentials=verifier_from("orders", runtime.settings.trusted_keys),
        route_handlers=[OrdersController, BoardController, StampsController, StampQueueController],
        state={"runtime": runtime},
        domain_errors={
            errors.InvalidOrder: 422,
            errors.OrderNotFound: 404,
            errors.OrderStateConflict: 409,
            errors.StaleBillOfMaterials: 409,
            errors.LabelingRequired: 422,
            errors.LabelingMismatch: 409,
            errors.UpstreamUnavailable: 503,
            errors.PricingUnavailable: 503,
            errors.ConcurrentChange: 409,
            errors.InvalidCursor: 400,
            errors.StampNotFound: 404,
            errors.StampStateConflict: 409,
            errors.FileTooLarge: 413,
        },
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        ready_checks={"kafka": lambda: runtime.broker.ping(timeout=2.0)},
    )
