"""Health, the send log for operators, account emails the gateway asks for, and the
process lifespan of the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Litestar, Response, get, put
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter, QueryParameter
from pydantic import BaseModel

from bespoke_contracts.api.notifications import AccountEmailRequest
from bespoke_notifications.bootstrap import NotificationsRuntime, bootstrap
from bespoke_notifications.service_layer.handlers import queue_account_email
from bespoke_notifications.service_layer.ports import DeliveryStatus
from bespoke_platform.app import operators_only, service_app
from bespoke_platform.credentials import verifier_from


class DeliveryView(BaseModel):
    dedup_key: str
    to: str
    subject: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    error: str | None


class NotificationsController(Controller):
    path = "/internal/notifications"
    guards = [operators_only]  # the send log: the factory's operators only

    @get("/")
    async def list_by_status(
        self,
        state: State,
        status: Annotated[DeliveryStatus, QueryParameter(name="status")] = DeliveryStatus.FAILED,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 100,
    ) -> list[DeliveryView]:
        """Emails by status, oldest first: `failed` (with the error), `unknown`, `pending`."""
        runtime: NotificationsRuntime = state.runtime
        return [
            DeliveryView(
                dedup_key=d.email.dedup_key,
                to=d.email.to,
                subject=d.email.subject,
                status=d.status,
                attempts=d.attempts,
                created_at=d.created_at,
                next_attempt_at=d.next_attempt_at,
                sent_at=d.sent_at,
                error=d.error,
            )
            for d in await runtime.deps.log.by_status(status, limit)
        ]


class AccountEmailsController(Controller):
    path = "/internal/account-emails"

    @put("/{link_id:str}", status_code=202)
    async def queue(
        self,
        link_id: Annotated[str, Parameter(pattern=r"^lnk_[a-f0-9]{24}$")],
        data: JSONBody[AccountEmailRequest],
        state: State,
    ) -> Response[dict[str, bool]]:
        """Queue an invitation or password-reset email (the gateway's call): `202` once it
        is in the send log; asking again for the same link adds nothing."""
        runtime: NotificationsRuntime = state.runtime
        added = await queue_account_email(link_id, data, runtime.deps)
        return Response({"queued": added}, status_code=202)


def create_app(runtime: NotificationsRuntime | None = None) -> Litestar:
    runtime = runtime or bootstrap()
    return service_app(
        mongo=runtime.mongo,
        credentials=verifier_from("notifications", runtime.settings.trusted_keys),
        route_handlers=[NotificationsController, AccountEmailsController],
        state={"runtime": runtime},
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        ready_checks={"kafka": lambda: runtime.broker.ping(timeout=2.0)},
    )
