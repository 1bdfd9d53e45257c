"""A brand's users, managed by its owners and admins: `GET /api/v1/users`,
`POST /api/v1/users` (an invitation by email), `PATCH /api/v1/users/{user_id}` (a new
role), `DELETE /api/v1/users/{user_id}` (deactivated: their sessions and the tokens they
made stop at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter
from pydantic import BaseModel, ConfigDict, Field

from bespoke_gateway.domain.permissions import Principal, Role
from bespoke_gateway.domain.users import User, UserStatus
from bespoke_gateway.entrypoints.forwarding import (
    ID_PATTERN,
    documented,
    password_links,
    people,
    public_problems,
)
from bespoke_gateway.service_layer.identity import change_user
from bespoke_gateway.service_layer.links import invite_user


class UserView(BaseModel):
    user_id: str
    email: str
    name: str
    role: Role
    status: UserStatus = Field(
        description="`invited` (no password set yet), `active` or `deactivated`."
    )
    created_at: datetime


class UserList(BaseModel):
    items: list[UserView]


class Invitation(BaseModel):
    """Someone to invite into your brand's backoffice."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, description="Where the invitation goes.")
    role: Role = Field(description="`owner` (by an owner only), `admin`, `designer`, …")
    name: str = Field(
        default="", max_length=200, description="Their name (default: from the email)."
    )


class UserChange(BaseModel):
    """A user's new role."""

    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="`owner` (by an owner only), `admin`, `designer`, …")


def _view(user: User) -> UserView:
    return UserView(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=user.role,
        status=user.status,
        created_at=user.created_at,
    )


UserId = Annotated[str, Parameter(description="e.g. `usr_…`.", pattern=ID_PATTERN, max_length=100)]


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["People"]

    @get(
        "/",
        operation_id="listUsers",
        summary="Your brand's users",
        responses={200: documented(UserList, "Every user, active or not."), **public_problems()},
    )
    async def list_users(self, request: Request[Principal, Any, Any], state: State) -> UserList:
        """The brand's users with their roles."""
        users = await people(state).users.for_brand(request.user.account_id)
        return UserList(items=[_view(u) for u in users])

    @post(
        "/",
        operation_id="inviteUser",
        summary="Invite a user",
        status_code=201,
        responses={
            201: documented(UserView, "Invited: the email with their link is on its way."),
            **public_problems(409, 422, 503),
        },
    )
    async def invite(
        self, data: JSONBody[Invitation], request: Request[Principal, Any, Any], state: State
    ) -> UserView:
        """Email someone a link to join your brand in a role: the link works once, for 72
        hours, and signs them in once they set a password. Inviting someone whose
        invitation is still open sends a new link (the old one stops working); an email
        that already has an account is `409`."""
        user = await invite_user(
            request.user, data.email, data.role, data.name, password_links(state)
        )
        return _view(user)

    @patch(
        "/{user_id:str}",
        operation_id="changeUser",
        summary="Change a user's role",
        responses={200: documented(UserView, "The user, in the new role."), **public_problems(404)},
    )
    async def change(
        self,
        user_id: UserId,
        data: JSONBody[UserChange],
        request: Request[Principal, Any, Any],
        state: State,
    ) -> UserView:
        """A new role for a user of your brand, in force from their very next request.
        Nobody changes their own; only an owner changes an owner or makes one."""
        return _view(await change_user(request.user, user_id, data.role, False, people(state)))

    @delete(
        "/{user_id:str}",
        operation_id="deactivateUser",
        summary="Deactivate a user",
        status_code=200,
        responses={200: documented(UserView, "The user, deactivated."), **public_problems(404)},
    )
    async def deactivate(
        self, user_id: UserId, request: Request[Principal, Any, Any], state: State
    ) -> UserView:
        """The user can no longer sign in; their sessions and the API tokens they made stop
        working at once."""
        return _view(await change_user(request.user, user_id, None, True, people(state)))
