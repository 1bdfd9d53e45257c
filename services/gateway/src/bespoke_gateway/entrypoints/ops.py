"""The factory's side: operators sign in at `/api/v1/ops/session` (another cookie,
`bespoke_ops_session`), and every `/api/v1/ops/` route takes operators only."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody
from pydantic import BaseModel, Field

from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.errors import SignInFailed
from bespoke_gateway.domain.operators import Operator, OperatorPrincipal
from bespoke_gateway.domain.sessions import OPERATORS, OPS_SESSION_COOKIE
from bespoke_gateway.entrypoints.auth import authorize_operator
from bespoke_gateway.entrypoints.forwarding import documented, people, public_problems
from bespoke_gateway.entrypoints.session import (
    SignInRequest,
    open_browser_session,
    session_cookie,
)
from bespoke_gateway.service_layer.identity import SessionPrincipal, sign_out


class OperatorSessionView(BaseModel):
    """Which operator a request acts as."""

    operator_id: str
    role: str = Field(description="`production`, `shipping`, `finance`, `support` or `admin`.")
    email: str | None = None
    name: str | None = None
    csrf_token: str | None = Field(
        description="Send it as `X-CSRF-Token` with every change made with the session "
        "cookie; null for an operator token."
    )


class OpsSessionController(Controller):
    path = "/api/v1/ops/session"
    tags = ["Operators"]

    @post(
        "/",
        operation_id="signInOperator",
        summary="Sign in an operator",
        status_code=200,
        security=[],
        exclude_from_auth=True,
        responses={
            200: documented(OperatorSessionView, "Signed in: the session cookie is set."),
            **public_problems(401, 422, 429),
        },
    )
    async def sign_in(
        self, data: JSONBody[SignInRequest], request: Request[Any, Any, Any], state: State
    ) -> Response[OperatorSessionView]:
        """An operator signs in with email and password, as brand users do at
        `/api/v1/session` (the same answers), into the factory's realm."""
        runtime: GatewayRuntime = state.runtime
        signed, cookie = await open_browser_session(
            request, runtime, data, OPERATORS, OPS_SESSION_COOKIE
        )
        operator = signed.person
        if not isinstance(operator, Operator):
            raise SignInFailed("wrong email or password")
        view = OperatorSessionView(
            operator_id=operator.operator_id,
            role=operator.role.value,
            email=operator.email,
            name=operator.name,
            csrf_token=signed.session.csrf_token,
        )
        return Response(view, cookies=[cookie])

    @get(
        "/",
        operation_id="getOperatorSession",
        summary="Which operator is signed in",
        guards=[authorize_operator],
        responses={
            200: documented(OperatorSessionView, "Who this request acts as."),
            **public_problems(),
        },
    )
    async def who(
        self, request: Request[OperatorPrincipal, SessionPrincipal | None, Any], state: State
    ) -> OperatorSessionView:
        """The operator this request acts as, and the session's CSRF token."""
        principal, signed_in = request.user, request.auth
        operator = signed_in.person if signed_in is not None else None
        if not isinstance(operator, Operator):  # an operator token: look its operator up
            operator = await people(state).operators.get(principal.operator_id)
        return OperatorSessionView(
            operator_id=principal.operator_id,
            role=principal.role.value,
            email=operator.email if operator else None,
            name=operator.name if operator else None,
            csrf_token=signed_in.session.csrf_token if signed_in is not None else None,
        )

    @delete(
        "/",
        operation_id="signOutOperator",
        summary="Sign an operator out",
        status_code=204,
        guards=[authorize_operator],
        responses={204: ResponseSpec(None, description="Signed out."), **public_problems()},
    )
    async def sign_out(self, request: Request[Any, Any, Any], state: State) -> Response[None]:
        """End this operator session at once."""
        runtime: GatewayRuntime = state.runtime
        cookie = request.cookies.get(OPS_SESSION_COOKIE)
        if cookie and runtime.identity is not None:
            await sign_out(cookie, runtime.identity)
        cleared = session_cookie(request, "", 0, OPS_SESSION_COOKIE)
        return Response(None, status_code=204, cookies=[cleared])
