"""Signing in and out of the backoffice in the browser: `POST /api/v1/session` answers
a cookie-held session (HttpOnly, SameSite=Lax, Secure over https) and the CSRF token its
changes must carry."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie, State
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from bespoke_gateway.bootstrap import GatewayRuntime
from bespoke_gateway.domain.errors import Forbidden, SignInFailed
from bespoke_gateway.domain.operators import OperatorPrincipal
from bespoke_gateway.domain.permissions import PERMISSIONS, Principal
from bespoke_gateway.domain.sessions import BRANDS, SESSION_COOKIE
from bespoke_gateway.domain.users import User
from bespoke_gateway.entrypoints.forwarding import documented, public_problems
from bespoke_gateway.service_layer.identity import SessionPrincipal, SignedIn, sign_in, sign_out


class SignInRequest(BaseModel):
    """A brand user's credentials."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320, description="The user's email.")
    password: str = Field(min_length=1, max_length=1024, description="The user's password.")


class SessionView(BaseModel):
    """Who a request acts as."""

    user_id: str | None = Field(description="The signed-in user; null for a brand token.")
    account_id: str = Field(description="The brand.")
    role: str = Field(description="`owner`, `admin`, `designer`, `finance` or `viewer`.")
    csrf_token: str | None = Field(
        description="Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE made "
        "with the session cookie; null for a brand token (which needs none)."
    )
    email: str | None = Field(default=None, description="The user's email; null for a token.")
    name: str | None = Field(default=None, description="The user's name; null for a token.")
    brand: str | None = Field(default=None, description="The brand's name.")
    actions: list[str] = Field(
        default_factory=list,
        description="What this role may do (the permission matrix's actions), so a client "
        "can leave out controls it would be refused.",
    )


async def _view(
    runtime: GatewayRuntime, principal: Principal, csrf_token: str | None, user: User | None
) -> SessionView:
    account = await runtime.accounts.get(principal.account_id)
    return SessionView(
        user_id=user.user_id if user else None,
        account_id=principal.account_id,
        role=principal.role.value,
        csrf_token=csrf_token,
        email=user.email if user else None,
        name=user.name if user else None,
        brand=account.name if account else None,
        actions=sorted(action.value for action in PERMISSIONS[principal.role]),
    )


async def brand_session_view(runtime: GatewayRuntime, signed: SignedIn) -> SessionView:
    """What a brand user who has just signed in is told (their CSRF token included)."""
    user = signed.person
    if not isinstance(user, User):  # the brands' realm signs in brand users only
        raise SignInFailed("wrong email or password")
    return await _view(runtime, user.principal(), signed.session.csrf_token, user)


def _secure(request: Request[Any, Any, Any]) -> bool:
    """Over https, also behind the ingress (which terminates TLS and says so)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def session_cookie(
    request: Request[Any, Any, Any], value: str, max_age: int, name: str = SESSION_COOKIE
) -> Cookie:
    """The session's cookie: HttpOnly, SameSite=Lax, for the whole site, Secure over https."""
    return Cookie(
        key=name,
        value=value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=max_age,
    )


async def open_browser_session(
    request: Request[Any, Any, Any],
    runtime: GatewayRuntime,
    data: SignInRequest,
    realm: str,
    cookie_name: str,
) -> tuple[SignedIn, Cookie]:
    """Sign in (brand users or operators, by ``realm``) from this browser: a new session
    (any previous one of the realm in this browser ends) and the cookie that holds it."""
    identity = runtime.people()
    address = request.client.host if request.client else "unknown"
    signed = await sign_in(data.email, data.password, address, identity, realm)
    previous = request.cookies.get(cookie_name)
    if previous:  # a new session id at every sign-in: the old one ends
        await sign_out(previous, identity)
    max_age = int(identity.rules.absolute.total_seconds())
    return signed, session_cookie(request, signed.cookie, max_age, cookie_name)


class SessionController(Controller):
    path = "/api/v1/session"
    tags = ["Session"]

    @post(
        "/",
        operation_id="signIn",
        summary="Sign in",
        status_code=200,
        security=[],
        exclude_from_auth=True,
        responses={
            200: documented(SessionView, "Signed in: the session cookie is set."),
            **public_problems(401, 422, 429),
        },
    )
    async def sign_in(
        self, data: JSONBody[SignInRequest], request: Request[Any, Any, Any], state: State
    ) -> Response[SessionView]:
        """Sign in with a brand user's email and password. A wrong email and a wrong
        password get the same `401`; repeated failures for an email or from an address
        wait longer each time (`429` with `Retry-After`)."""
        runtime: GatewayRuntime = state.runtime
        signed, cookie = await open_browser_session(request, runtime, data, BRANDS, SESSION_COOKIE)
        return Response(await brand_session_view(runtime, signed), cookies=[cookie])

    @get(
        "/",
        operation_id="getSession",
        summary="Who is signed in",
        responses={200: documented(SessionView, "Who this request acts as."), **public_problems()},
    )
    async def who(
        self,
        request: Request[Principal | OperatorPrincipal, SessionPrincipal | None, Any],
        state: State,
    ) -> SessionView:
        """The user (or token) this request acts as, its brand, what its role may do, and
        the session's CSRF token."""
        runtime: GatewayRuntime = state.runtime
        principal, signed_in = request.user, request.auth
        if not isinstance(principal, Principal):
            raise Forbidden("an operator's session is at /api/v1/ops/session")
        if signed_in is None:
            return await _view(runtime, principal, None, None)
        user = signed_in.person if isinstance(signed_in.person, User) else None
        return await _view(runtime, principal, signed_in.session.csrf_token, user)

    @delete(
        "/",
        operation_id="signOut",
        summary="Sign out",
        status_code=204,
        responses={204: ResponseSpec(None, description="Signed out."), **public_problems()},
    )
    async def sign_out(self, request: Request[Principal, Any, Any], state: State) -> Response[None]:
        """End this session at once (its cookie stops working); a brand token is unchanged."""
        runtime: GatewayRuntime = state.runtime
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie and runtime.identity is not None:
            await sign_out(cookie, runtime.identity)
        return Response(None, status_code=204, cookies=[session_cookie(request, "", 0)])
