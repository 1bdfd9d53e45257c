"""Setting a password from an emailed link (an invitation or a reset), and asking for a
reset: `POST /api/v1/password-resets`, `POST /api/v1/password`. Neither needs a
credential: the link's secret is the proof."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.sessions import SESSION_COOKIE
from bespoke_gateway.entrypoints.forwarding import documented, public_problems
from bespoke_gateway.entrypoints.session import SessionView, brand_session_view, session_cookie
from bespoke_gateway.service_layer.links import (
    send_password_reset,
    set_password,
    throttle_reset_requests,
)


class ResetRequest(BaseModel):
    """Whose password to reset."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320, description="The user's email.")


class ResetAccepted(BaseModel):
    detail: str


class NewPassword(BaseModel):
    """A password set with the secret of an emailed link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1, max_length=200, description="The link's secret (after `token=` in it)."
    )
    password: str = Field(min_length=1, max_length=1024, description="The new password.")


class PasswordController(Controller):
    tags = ["Session"]

    @post(
        "/api/v1/password-resets",
        operation_id="requestPasswordReset",
        summary="Ask for a password reset",
        status_code=202,
        security=[],
        exclude_from_auth=True,
        responses={
            202: documented(
                ResetAccepted, "The same answer whether or not the email has an account."
            ),
            **public_problems(422, 429),
        },
    )
    async def request_reset(
        self, data: JSONBody[ResetRequest], request: Request[Any, Any, Any], state: State
    ) -> Response[ResetAccepted]:
        """If the email is a user's, they get a link that sets a new password, once,
        within an hour. The answer never says whether it is; an address gets a few such
        emails an hour at most."""
        runtime: GatewayRuntime = state.runtime
        links = runtime.password_links()
        address = request.client.host if request.client else "unknown"
        await throttle_reset_requests(address, links)
        return Response(
            ResetAccepted(detail="if this email has an account, a link is on its way"),
            status_code=202,
            background=BackgroundTask(send_password_reset, data.email, links),
        )

    @post(
        "/api/v1/password",
        operation_id="setPassword",
        summary="Set a password from an emailed link",
        status_code=200,
        security=[],
        exclude_from_auth=True,
        responses={
            200: documented(SessionView, "Password set and signed in: the cookie is set."),
            **public_problems(400, 422),
        },
    )
    async def set_password(
        self, data: JSONBody[NewPassword], request: Request[Any, Any, Any], state: State
    ) -> Response[SessionView]:
        """Accept an invitation or finish a reset: the link stops working, every other
        session of the user ends, and this browser is signed in. A password too weak is
        `422` and the link still works."""
        runtime: GatewayRuntime = state.runtime
        signed = await set_password(data.token, data.password, runtime.password_links())
        view = await brand_session_view(runtime, signed)
        max_age = int(runtime.people().rules.absolute.total_seconds())
        cookie = session_cookie(request, signed.cookie, max_age, SESSION_COOKIE)
        return Response(view, cookies=[cookie])
